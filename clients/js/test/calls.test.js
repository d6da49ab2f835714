// Call set-up as in Signal (DESIGN §8c): offer, answer and ICE candidates are end-to-end encrypted with libsignal
// and sent as ordinary envelopes with `online: true` over the hub; the server only hands out TURN credentials.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as Signal from '@signalapp/libsignal-client';
import { Api, fromBase64, toBase64 } from '../lib/api.js';
import { HubDevice } from '../lib/hub.js';
import { SignalDevice, preKeyBundle } from '../lib/keys.js';
import { startServer } from '../lib/server.js';

let server;
let api;

before(async () => {
  server = await startServer({
    env: { Calling__TurnSecret: 'a shared secret for the test relay', Calling__TurnUrls: 'turn:127.0.0.1:3478?transport=udp' },
  });
  api = new Api(server.url);
});

after(async () => {
  await server?.stop();
});

async function device() {
  const signal = new SignalDevice();
  const tokens = await api.signUp({ identityKey: signal.identityKey, registrationId: signal.registrationId });
  assert.equal((await api.uploadKeys(tokens.accessToken, signal.generateKeys({ preKeyIds: [1], kyberPreKeyIds: [11] }))).status, 204);
  return { signal, tokens, address: Signal.ProtocolAddress.new(tokens.userId, tokens.deviceId) };
}

/** Encrypts one signalling message for the peer's device and sends it for online delivery only. */
async function signal(from, hub, to, message) {
  const ciphertext = await from.signal.encrypt(JSON.stringify(message), to.address, from.address);
  return hub.connection.invoke('Send', to.tokens.userId, {
    messages: [{
      destinationDeviceId: to.tokens.deviceId,
      destinationRegistrationId: to.signal.registrationId,
      type: ciphertext.type(),
      content: toBase64(ciphertext.serialize()),
    }],
    timestamp: Date.now(),
    online: true,
  });
}

/** Waits for the next envelope on `hub` and decrypts it into the signalling message. */
async function receive(to, hub, count) {
  await hub.waitFor(() => hub.envelopes.length >= count, `signalling message ${count}`);
  const envelope = hub.envelopes[count - 1];
  const from = Signal.ProtocolAddress.new(envelope.sourceUserId, envelope.sourceDeviceId);
  const bytes = fromBase64(envelope.content);
  const s = to.signal;
  const plaintext = envelope.type === Signal.CiphertextMessageType.PreKey
    ? await Signal.signalDecryptPreKey(Signal.PreKeySignalMessage.deserialize(bytes), from, to.address,
      s.sessionStore, s.identityStore, s.preKeyStore, s.signedPreKeyStore, s.kyberPreKeyStore)
    : await Signal.signalDecrypt(Signal.SignalMessage.deserialize(bytes), from, to.address, s.sessionStore, s.identityStore);
  return JSON.parse(Buffer.from(plaintext).toString());
}

test('a call is set up with encrypted offer, answer and ICE candidates sent online only', async () => {
  const alice = await device();
  const bob = await device();
  const aliceHub = await HubDevice.connect(server.url, alice.tokens.accessToken);
  const bobHub = await HubDevice.connect(server.url, bob.tokens.accessToken);
  await bobHub.waitFor(() => bobHub.queueEmpty, 'Bob\'s QueueEmpty');
  const bundles = await api.fetchBundle(alice.tokens.accessToken, bob.tokens.userId, '*');
  await alice.signal.processBundle(bob.address, alice.address, preKeyBundle(bundles.body, bundles.body.devices[0]));

  // Both sides fetch TURN credentials for their RTCPeerConnection's iceServers.
  const relays = await api.request('GET', '/api/v1/calling/relays', { token: alice.tokens.accessToken });
  assert.equal(relays.status, 200);
  assert.match(relays.body.username, new RegExp(`^\\d+:${alice.tokens.userId}$`));
  assert.deepEqual(relays.body.uris, ['turn:127.0.0.1:3478?transport=udp']);
  const iceServers = [{ urls: relays.body.uris, username: relays.body.username, credential: relays.body.password }];

  const callId = '7f3c2a';
  const offer = { kind: 'offer', callId, sdp: 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n', iceServers };
  await signal(alice, aliceHub, bob, offer);
  assert.deepEqual(await receive(bob, bobHub, 1), offer);

  const answer = { kind: 'answer', callId, sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
  await signal(bob, bobHub, alice, answer);
  assert.deepEqual(await receive(alice, aliceHub, 1), answer);

  const candidates = [
    { kind: 'ice', callId, candidate: 'candidate:1 1 udp 2122260223 192.0.2.10 54400 typ host', sdpMid: '0' },
    { kind: 'ice', callId, candidate: 'candidate:2 1 udp 1686052607 203.0.113.5 54400 typ srflx', sdpMid: '0' },
  ];
  for (const candidate of candidates) {
    await signal(alice, aliceHub, bob, candidate);
  }
  assert.deepEqual([await receive(bob, bobHub, 2), await receive(bob, bobHub, 3)], candidates);
  await signal(bob, bobHub, alice, { kind: 'ice', callId, candidate: 'candidate:3 1 udp 2122260223 192.0.2.20 50000 typ host', sdpMid: '0' });
  assert.equal((await receive(alice, aliceHub, 2)).kind, 'ice');

  // Online-only: nothing was stored, and a device that was offline never hears of the call.
  for (const peer of [alice, bob]) {
    const mailbox = await api.request('GET', '/api/v1/messages', { token: peer.tokens.accessToken });
    assert.deepEqual(mailbox.body.envelopes, []);
  }
  await bobHub.stop();
  await signal(alice, aliceHub, bob, { kind: 'hangup', callId });
  const later = await HubDevice.connect(server.url, bob.tokens.accessToken);
  await later.waitFor(() => later.queueEmpty, 'Bob\'s drain after reconnecting');
  assert.equal(later.envelopes.length, 0);
  await later.stop();
  await aliceHub.stop();
});
