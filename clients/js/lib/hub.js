// A device connected to /hubs/chat with the official SignalR JavaScript client, recording what the
// server pushes so tests can wait on it. WebSockets only, with skipNegotiation, as nginx expects.
// The JSON protocol by default; `{ protocol: 'messagepack' }` speaks MessagePack, where envelope
// content arrives (and is sent) as bytes instead of base64.
import * as SignalR from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { waitUntil } from './wait.js';

export class HubDevice {
  constructor(baseUrl, accessToken, { protocol = 'json' } = {}) {
    this.envelopes = [];
    this.receipts = [];
    this.queueEmpty = false;
    const builder = new SignalR.HubConnectionBuilder()
      .withUrl(`${baseUrl}/hubs/chat`, {
        accessTokenFactory: () => accessToken,
        skipNegotiation: true,
        transport: SignalR.HttpTransportType.WebSockets,
      })
      .configureLogging(SignalR.LogLevel.Warning);
    if (protocol === 'messagepack') {
      builder.withHubProtocol(new MessagePackHubProtocol());
    }
    this.connection = builder.build();
    // Handlers return nothing: SignalR would take a returned value for a client result.
    this.connection.on('Envelope', (envelope) => { this.envelopes.push(envelope); });
    this.connection.on('QueueEmpty', () => { this.queueEmpty = true; });
    // One event per sender per batch of acks, carrying every receipt of that batch for this user's messages.
    this.connection.on('Receipts', (receipts) => { this.receipts.push(...receipts); });
  }

  static async connect(baseUrl, accessToken, options) {
    const device = new HubDevice(baseUrl, accessToken, options);
    await device.connection.start();
    return device;
  }

  waitFor(condition, what) {
    return waitUntil(condition, 15_000, what);
  }

  /** The error code of a refused hub call: the first word after "HubException: " (SignalR prefixes it). */
  static errorCode(error) {
    return /HubException: ([a-z_]+):/.exec(error.message)?.[1];
  }

  stop() {
    return this.connection.stop();
  }
}
