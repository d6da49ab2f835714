// The MessagePack hub protocol with the official clients (@microsoft/signalr and its msgpack protocol):
// the same calls and events as JSON, with envelope content as bytes both ways instead of base64.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as Signal from '@signalapp/libsignal-client';
import { Api } from '../lib/api.js';
import { HubDevice } from '../lib/hub.js';
import { SignalDevice, preKeyBundle } from '../lib/keys.js';
import { startServer } from '../lib/server.js';

let server;
let api;

before(async () => {
  server = await startServer();
  api = new Api(server.url);
});

after(async () => {
  await server?.stop();
});

async function device() {
  const signal = new SignalDevice();
  const tokens = await api.signUp({ identityKey: signal.identityKey, registrationId: signal.registrationId });
  const keys = signal.generateKeys({ preKeyIds: [1], kyberPreKeyIds: [11] });
  assert.equal((await api.uploadKeys(tokens.accessToken, keys)).status, 204);
  return { signal, tokens, address: Signal.ProtocolAddress.new(tokens.userId, tokens.deviceId) };
}

test('over MessagePack, a libsignal message goes out and comes in as bytes, and the receipt reads as in JSON', async () => {
  const alice = await device();
  const bob = await device();
  const aliceHub = await HubDevice.connect(server.url, alice.tokens.accessToken, { protocol: 'messagepack' });
  const bobHub = await HubDevice.connect(server.url, bob.tokens.accessToken, { protocol: 'messagepack' });
  await bobHub.waitFor(() => bobHub.queueEmpty, 'Bob\'s QueueEmpty');
  const bundles = await api.fetchBundle(alice.tokens.accessToken, bob.tokens.userId, '*');
  assert.equal(bundles.status, 200, JSON.stringify(bundles.body));
  await alice.signal.processBundle(bob.address, alice.address, preKeyBundle(bundles.body, bundles.body.devices[0]));
  const ciphertext = await alice.signal.encrypt('secret over msgpack: the crate is in bay 7', bob.address, alice.address);
  const bytes = ciphertext.serialize();

  const sent = await aliceHub.connection.invoke('Send', bob.tokens.userId, {
    messages: [{ destinationDeviceId: 1, destinationRegistrationId: bob.signal.registrationId, type: ciphertext.type(), content: bytes }],
    timestamp: Date.now(),
  });

  await bobHub.waitFor(() => bobHub.envelopes.length === 1, 'the envelope on Bob\'s device');
  const [envelope] = bobHub.envelopes;
  assert.ok(envelope.content instanceof Uint8Array, `content is ${typeof envelope.content}`);
  assert.deepEqual(Buffer.from(envelope.content), Buffer.from(bytes));
  // Ids are strings and numbers are numbers, exactly as in JSON.
  assert.equal(typeof envelope.id, 'string');
  assert.equal(envelope.messageId, sent.messageId);
  assert.equal(envelope.sourceUserId, alice.tokens.userId);
  assert.equal(envelope.sourceDeviceId, 1);
  assert.equal(envelope.type, Signal.CiphertextMessageType.PreKey);
  assert.equal(typeof envelope.serverTimestamp, 'number');
  const plaintext = await Signal.signalDecryptPreKey(Signal.PreKeySignalMessage.deserialize(Buffer.from(envelope.content)),
    Signal.ProtocolAddress.new(envelope.sourceUserId, envelope.sourceDeviceId), bob.address,
    bob.signal.sessionStore, bob.signal.identityStore, bob.signal.preKeyStore, bob.signal.signedPreKeyStore, bob.signal.kyberPreKeyStore);
  assert.equal(Buffer.from(plaintext).toString(), 'secret over msgpack: the crate is in bay 7');

  await bobHub.connection.invoke('Ack', [envelope.id]);
  await aliceHub.waitFor(() => aliceHub.receipts.length === 1, 'the delivered receipt');
  const [receipt] = aliceHub.receipts;
  assert.deepEqual({ ...receipt, at: typeof receipt.at },
    { messageId: sent.messageId, userId: bob.tokens.userId, deviceId: 1, status: 'delivered', at: 'number' });

  for (const hub of [aliceHub, bobHub]) {
    await hub.stop();
  }
});

test('over MessagePack, base64 text where bytes belong is refused with invalid_envelope', async () => {
  const alice = await device();
  const bob = await device();
  const aliceHub = await HubDevice.connect(server.url, alice.tokens.accessToken, { protocol: 'messagepack' });

  const refused = await aliceHub.connection.invoke('Send', bob.tokens.userId, {
    messages: [{ destinationDeviceId: 1, destinationRegistrationId: bob.signal.registrationId, type: 2, content: 'aGk=' }],
    timestamp: Date.now(),
  }).then(() => assert.fail('the send should have been refused'), (error) => error);

  assert.equal(HubDevice.errorCode(refused), 'invalid_envelope');
  assert.match(refused.message, /messages\[0\]\.content must be binary/);
  await aliceHub.stop();
});
