// Messaging end to end with the official clients (DESIGN §5): libsignal encrypts and decrypts,
// @microsoft/signalr carries envelopes over /hubs/chat, and the server only ever holds ciphertext.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import * as Signal from '@signalapp/libsignal-client';
import { Api, fromBase64, toBase64 } from '../lib/api.js';
import { HubDevice } from '../lib/hub.js';
import { preKeyBundle, uploadedSignalDevice } from '../lib/keys.js';
import { startServer } from '../lib/server.js';

let server;
let api;
const plaintexts = [];

before(async () => {
  server = await startServer();
  api = new Api(server.url);
});

after(async () => {
  await server?.stop();
});

/** A libsignal device with an account (or a linked device of `account`), its keys uploaded. */
const device = (account) => uploadedSignalDevice(api, account);

/** Starts sessions with the listed devices of a user from freshly claimed bundles. */
async function startSessions(sender, userId, deviceIds) {
  const response = await api.fetchBundle(sender.tokens.accessToken, userId, '*');
  assert.equal(response.status, 200, JSON.stringify(response.body));
  for (const bundle of response.body.devices.filter((d) => deviceIds.includes(d.deviceId))) {
    await sender.signal.processBundle(Signal.ProtocolAddress.new(userId, bundle.deviceId), sender.address,
      preKeyBundle(response.body, bundle));
  }
  return response.body.devices;
}

/** Encrypts `text` once per destination device and sends it over the hub. */
async function send(sender, hub, recipients, text) {
  plaintexts.push(text);
  const messages = [];
  for (const recipient of recipients) {
    const ciphertext = await sender.signal.encrypt(text, recipient.address, sender.address);
    messages.push({
      destinationDeviceId: recipient.tokens.deviceId,
      destinationRegistrationId: recipient.signal.registrationId,
      type: ciphertext.type(),
      content: toBase64(ciphertext.serialize()),
    });
  }
  return hub.connection.invoke('Send', recipients[0].tokens.userId, { messages, timestamp: Date.now() });
}

/** Decrypts an envelope as a libsignal client does, by its type. */
async function decrypt(recipient, envelope) {
  const bytes = fromBase64(envelope.content);
  const from = Signal.ProtocolAddress.new(envelope.sourceUserId, envelope.sourceDeviceId);
  const s = recipient.signal;
  const plaintext = envelope.type === Signal.CiphertextMessageType.PreKey
    ? await Signal.signalDecryptPreKey(Signal.PreKeySignalMessage.deserialize(bytes), from, recipient.address,
      s.sessionStore, s.identityStore, s.preKeyStore, s.signedPreKeyStore, s.kyberPreKeyStore)
    : await Signal.signalDecrypt(Signal.SignalMessage.deserialize(bytes), from, recipient.address, s.sessionStore, s.identityStore);
  return Buffer.from(plaintext).toString();
}

let unackedCiphertext;

test('Alice reaches both of Bob\'s devices, live and after an offline drain, and hears the receipts', async () => {
  const alice = await device();
  const bob = await device();
  const tablet = await device(bob);
  const aliceHub = await HubDevice.connect(server.url, alice.tokens.accessToken);
  const bobHub = await HubDevice.connect(server.url, bob.tokens.accessToken);
  await bobHub.waitFor(() => bobHub.queueEmpty, 'Bob\'s QueueEmpty');
  await startSessions(alice, bob.tokens.userId, [1, tablet.tokens.deviceId]);

  // 1. The first message starts both sessions (PreKey); the tablet is offline.
  const first = await send(alice, aliceHub, [bob, tablet], 'secret one: the eagle lands at dawn');
  await bobHub.waitFor(() => bobHub.envelopes.length === 1, 'the first envelope on Bob\'s phone');
  const [one] = bobHub.envelopes;
  assert.equal(one.type, Signal.CiphertextMessageType.PreKey);
  assert.equal(one.messageId, first.messageId);
  assert.equal(await decrypt(bob, one), 'secret one: the eagle lands at dawn');
  await bobHub.connection.invoke('Ack', [one.id]);
  await aliceHub.waitFor(() => aliceHub.receipts.length === 1, 'the delivered receipt');
  assert.deepEqual(
    { messageId: aliceHub.receipts[0].messageId, deviceId: aliceHub.receipts[0].deviceId, status: aliceHub.receipts[0].status },
    { messageId: first.messageId, deviceId: 1, status: 'delivered' });

  // 2. Bob answers, which completes Alice's session: her next message to the phone is a normal one.
  await send(bob, bobHub, [alice], 'ack from the phone');
  await aliceHub.waitFor(() => aliceHub.envelopes.length === 1, 'Bob\'s answer');
  assert.equal(await decrypt(alice, aliceHub.envelopes[0]), 'ack from the phone');
  await send(alice, aliceHub, [bob, tablet], 'secret two: bring the blue folder');
  await bobHub.waitFor(() => bobHub.envelopes.length === 2, 'the second envelope on Bob\'s phone');
  assert.equal(bobHub.envelopes[1].type, Signal.CiphertextMessageType.Whisper);
  assert.equal(await decrypt(bob, bobHub.envelopes[1]), 'secret two: bring the blue folder');
  await bobHub.connection.invoke('MarkRead', [bobHub.envelopes[1].messageId]);
  await aliceHub.waitFor(() => aliceHub.receipts.some((r) => r.status === 'read'), 'the read receipt');

  // 3. The tablet comes online: its mailbox drains in order, then QueueEmpty.
  const tabletHub = await HubDevice.connect(server.url, tablet.tokens.accessToken);
  await tabletHub.waitFor(() => tabletHub.queueEmpty, 'the tablet\'s drain');
  assert.deepEqual(
    [await decrypt(tablet, tabletHub.envelopes[0]), await decrypt(tablet, tabletHub.envelopes[1])],
    ['secret one: the eagle lands at dawn', 'secret two: bring the blue folder']);
  await tabletHub.connection.invoke('Ack', tabletHub.envelopes.map((e) => e.id));
  await send(tablet, tabletHub, [alice], 'ack from the tablet');
  await aliceHub.waitFor(() => aliceHub.envelopes.length === 2, 'the tablet\'s answer');
  assert.equal(await decrypt(alice, aliceHub.envelopes[1]), 'ack from the tablet');
  await send(alice, aliceHub, [bob, tablet], 'secret three: normal for both');
  await tabletHub.waitFor(() => tabletHub.envelopes.length === 3, 'a normal message on the tablet');
  assert.equal(tabletHub.envelopes[2].type, Signal.CiphertextMessageType.Whisper);
  assert.equal(await decrypt(tablet, tabletHub.envelopes[2]), 'secret three: normal for both');

  for (const hub of [aliceHub, bobHub, tabletHub]) {
    await hub.stop();
  }
});

test('a send that misses a new device gets mismatched_devices, and succeeds after refetching', async () => {
  const alice = await device();
  const bob = await device();
  const aliceHub = await HubDevice.connect(server.url, alice.tokens.accessToken);
  await startSessions(alice, bob.tokens.userId, [1]);
  const laptop = await device(bob);

  const refused = await send(alice, aliceHub, [bob], 'secret four: nobody should store this').then(
    () => assert.fail('the send should have been refused'), (error) => error);
  assert.equal(HubDevice.errorCode(refused), 'mismatched_devices');
  assert.match(refused.message, new RegExp(`"missingDevices":\\[${laptop.tokens.deviceId}\\]`));
  assert.equal((await api.request('GET', '/api/v1/messages', { token: bob.tokens.accessToken })).body.envelopes.length, 0);

  const devices = await startSessions(alice, bob.tokens.userId, [laptop.tokens.deviceId]);
  assert.deepEqual(devices.map((d) => d.deviceId), [1, laptop.tokens.deviceId]);
  await send(alice, aliceHub, [bob, laptop], 'secret five: after the refetch');
  const mailbox = await api.request('GET', '/api/v1/messages', { token: laptop.tokens.accessToken });
  assert.equal(await decrypt(laptop, mailbox.body.envelopes[0]), 'secret five: after the refetch');
  unackedCiphertext = fromBase64(mailbox.body.envelopes[0].content);
  await aliceHub.stop();
});

test('after the runs, no plaintext is in the database files', async () => {
  // Runs last (node:test runs a file's tests in order): every plaintext above has been through the server.
  assert.equal(plaintexts.length, 7);
  const dataDirectory = join(server.directory, 'data');
  // Every file under ./data, attachments/ and the sealed-sender keys in sealed-sender/ included.
  const files = (await readdir(dataDirectory, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dataDirectory, join(entry.parentPath, entry.name)));
  assert.ok(files.includes('e2eechat.db'), `no database in ${dataDirectory}: ${files}`);
  for (const file of files) {
    const bytes = await readFile(join(dataDirectory, file));
    for (const text of plaintexts) {
      assert.equal(bytes.includes(Buffer.from(text)), false, `"${text}" is in ${file}`);
    }
  }
  // The scan can fail: the ciphertext of an envelope still in a mailbox is found, byte for byte.
  const everything = Buffer.concat(await Promise.all(files.map((file) => readFile(join(dataDirectory, file)))));
  assert.ok(unackedCiphertext && everything.includes(Buffer.from(unackedCiphertext)), 'the stored ciphertext was not found');
});
