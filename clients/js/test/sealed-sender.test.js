// Sealed-sender delivery with real libsignal (issue 14.4): a sender who is not logged in reaches every
// device of a recipient with the recipient's access key, the server stores and delivers the envelope
// without a source, and each device learns the sender only by decrypting against the pinned trust root.
// Multi-recipient messages (sealedSenderMultiRecipientEncrypt) are split per device by the server.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import * as Signal from '@signalapp/libsignal-client';
import { ProfileKey } from '@signalapp/libsignal-client/zkgroup.js';
import { Api, fromBase64, toBase64 } from '../lib/api.js';
import { HubDevice } from '../lib/hub.js';
import { preKeyBundle, uploadedSignalDevice } from '../lib/keys.js';
import { startServer } from '../lib/server.js';

let server;
let api;
let trustRoot;

before(async () => {
  server = await startServer();
  api = new Api(server.url);
  // Pinned once, as a client ships it; every certificate below is checked against this key.
  const someone = await device();
  trustRoot = Signal.PublicKey.deserialize(await api.trustRoot(someone.tokens.accessToken));
});

after(async () => {
  await server?.stop();
});

/** A libsignal device with an account (or a linked device of `account`), its keys uploaded. */
const device = (account) => uploadedSignalDevice(api, account);

/** The account's access key, derived from a profile key as Signal clients derive it, set on the server. */
async function giveAccessKey(account) {
  const accessKey = new ProfileKey(randomBytes(32)).deriveAccessKey();
  assert.equal((await api.setAccessKey(account.tokens.accessToken, accessKey)).status, 204);
  return accessKey;
}

/** Starts sessions from `sender` to every device of `recipients`; `registrationIdOf` may lie about one. */
async function startSessions(sender, recipients, registrationIdOf = (bundle) => bundle.registrationId) {
  for (const recipient of recipients) {
    const response = await api.fetchBundle(sender.tokens.accessToken, recipient.tokens.userId, recipient.tokens.deviceId);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const [bundle] = response.body.devices;
    await sender.signal.processBundle(recipient.address, sender.address,
      preKeyBundle(response.body, { ...bundle, registrationId: registrationIdOf(bundle, recipient) }));
  }
}

async function certificateOf(sender) {
  const certificate = Signal.SenderCertificate.deserialize(await api.deliveryCertificate(sender.tokens.accessToken));
  assert.equal(certificate.validate(trustRoot, Date.now()), true);
  return certificate;
}

const xor = (...keys) => keys.reduce((a, b) => a.map((byte, i) => byte ^ b[i]), new Uint8Array(16));

test('Alice, not logged in, reaches both of Bob\'s devices with his access key; each decrypts her sealed message', async () => {
  const alice = await device();
  const bob = await device();
  const tablet = await device(bob);
  const accessKey = await giveAccessKey(bob);
  const bobHub = await HubDevice.connect(server.url, bob.tokens.accessToken);
  await bobHub.waitFor(() => bobHub.queueEmpty, 'Bob\'s QueueEmpty');
  const certificate = await certificateOf(alice);
  await startSessions(alice, [bob, tablet]);
  const sealedFor = async (recipient, text) => ({
    destinationDeviceId: recipient.tokens.deviceId,
    destinationRegistrationId: recipient.signal.registrationId,
    type: 6,
    content: toBase64(await Signal.sealedSenderEncryptMessage(Buffer.from(text), recipient.address, certificate,
      alice.signal.sessionStore, alice.signal.identityStore)),
  });

  // A wrong key: 401, and nothing is stored for either device.
  const guessed = await api.sendUnidentified(bob.tokens.userId, randomBytes(16),
    { messages: [await sealedFor(bob, 'guess'), await sealedFor(tablet, 'guess')], timestamp: Date.now() });
  assert.equal(guessed.status, 401, JSON.stringify(guessed.body));
  assert.equal(guessed.body.code, 'unidentified_access_denied');
  assert.deepEqual(await api.mailbox(bob.tokens.accessToken), []);
  assert.deepEqual(await api.mailbox(tablet.tokens.accessToken), []);

  // The right key, still without Authorization.
  const sent = await api.sendUnidentified(bob.tokens.userId, accessKey, {
    messages: [await sealedFor(bob, 'from nobody the server knows'), await sealedFor(tablet, 'from nobody the server knows')],
    timestamp: Date.now(),
  });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));

  // The phone hears it over the hub, the tablet polls; neither envelope names a sender.
  await bobHub.waitFor(() => bobHub.envelopes.length === 1, 'the sealed envelope on Bob\'s phone');
  const [polled] = await api.mailbox(tablet.tokens.accessToken);
  for (const [recipient, envelope] of [[bob, bobHub.envelopes[0]], [tablet, polled]]) {
    assert.equal(envelope.type, 6);
    assert.equal(envelope.messageId, sent.body.messageId);
    assert.equal('sourceUserId' in envelope, false, JSON.stringify(envelope));
    assert.equal('sourceDeviceId' in envelope, false, JSON.stringify(envelope));
    const s = recipient.signal;
    const opened = await Signal.sealedSenderDecryptMessage(fromBase64(envelope.content), trustRoot, Date.now(), null,
      recipient.tokens.userId, recipient.tokens.deviceId, s.sessionStore, s.identityStore, s.preKeyStore,
      s.signedPreKeyStore, s.kyberPreKeyStore);
    assert.equal(Buffer.from(opened.message()).toString(), 'from nobody the server knows');
    assert.equal(opened.senderUuid(), alice.tokens.userId);
    assert.equal(opened.deviceId(), 1);
  }
  await bobHub.stop();
});

test('a multi-recipient sealed message to a room of three users reaches the other five devices, and a stale set stores nothing', async () => {
  const alice = await device();
  const laptop = await device(alice);
  const bob = await device();
  const bobTablet = await device(bob);
  const carol = await device();
  const carolTablet = await device(carol);
  const others = [bob, bobTablet, carol, carolTablet];
  const accessKey = xor(await giveAccessKey(bob), await giveAccessKey(carol));
  const certificate = await certificateOf(alice);
  await startSessions(alice, others);

  // The room's sender key; in Signal it travels in 1:1 messages, here each member takes it directly.
  const distributionId = randomUUID();
  const distribution = await Signal.SenderKeyDistributionMessage.create(alice.address, distributionId, alice.signal.senderKeyStore);
  for (const member of others) {
    await Signal.processSenderKeyDistributionMessage(alice.address, distribution, member.signal.senderKeyStore);
  }
  const groupId = randomBytes(32);
  const content = Signal.UnidentifiedSenderMessageContent.new(
    await Signal.groupEncrypt(alice.address, distributionId, alice.signal.senderKeyStore, Buffer.from('to the whole room')),
    certificate, Signal.ContentHint.Implicit, groupId);
  const encryptFor = (recipients, sessionStore = alice.signal.sessionStore, identityStore = alice.signal.identityStore) =>
    Signal.sealedSenderMultiRecipientEncrypt({ content, recipients: recipients.map((r) => r.address), identityStore, sessionStore });

  // Bob's tablet left out: 409 naming Bob's missing device; nothing stored anywhere.
  const missing = await api.sendMultiRecipient(await encryptFor([bob, carol, carolTablet]), accessKey);
  assert.equal(missing.status, 409, JSON.stringify(missing.body));
  assert.deepEqual(missing.body.mismatchedDevices,
    [{ userId: bob.tokens.userId, missingDevices: [bobTablet.tokens.deviceId], extraDevices: [] }]);
  // A sender whose session with Carol's phone holds an old registration id: 410 for that device.
  const dave = await device();
  await startSessions(dave, others, (bundle, recipient) => (recipient === carol ? (bundle.registrationId % 16380) + 1 : bundle.registrationId));
  const stale = await api.sendMultiRecipient(
    await encryptFor(others, dave.signal.sessionStore, dave.signal.identityStore), accessKey);
  assert.equal(stale.status, 410, JSON.stringify(stale.body));
  assert.deepEqual(stale.body.staleDevices, [{ userId: carol.tokens.userId, staleDevices: [carol.tokens.deviceId] }]);
  for (const member of [laptop, ...others]) {
    assert.deepEqual(await api.mailbox(member.tokens.accessToken), [], 'a refused send stores nothing');
  }

  const sent = await api.sendMultiRecipient(await encryptFor(others), accessKey);
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  // Alice's own other device: the server cannot leave out a sender it does not know, so, as Signal clients do, her
  // laptop gets the message as an ordinary (identified) sync from her phone.
  await startSessions(alice, [laptop]);
  const sync = await alice.signal.encrypt('to the whole room', laptop.address, alice.address);
  const syncSent = await api.request('PUT', `/api/v1/messages/${alice.tokens.userId}`, {
    token: alice.tokens.accessToken,
    body: {
      messages: [{ destinationDeviceId: laptop.tokens.deviceId, destinationRegistrationId: laptop.signal.registrationId,
        type: sync.type(), content: toBase64(sync.serialize()) }],
      timestamp: Date.now(),
    },
  });
  assert.equal(syncSent.status, 200, JSON.stringify(syncSent.body));

  for (const member of others) {
    const [envelope, ...more] = await api.mailbox(member.tokens.accessToken);
    assert.equal(more.length, 0);
    assert.equal(envelope.type, 6);
    assert.equal(envelope.messageId, sent.body.messageId);
    assert.equal('sourceUserId' in envelope, false, JSON.stringify(envelope));
    const usmc = await Signal.sealedSenderDecryptToUsmc(fromBase64(envelope.content), member.signal.identityStore);
    const sender = usmc.senderCertificate();
    assert.equal(sender.validate(trustRoot, Date.now()), true);
    assert.equal(sender.senderUuid(), alice.tokens.userId);
    assert.equal(sender.senderDeviceId(), 1);
    assert.deepEqual(Buffer.from(usmc.groupId()), groupId);
    const plaintext = await Signal.groupDecrypt(Signal.ProtocolAddress.new(sender.senderUuid(), sender.senderDeviceId()),
      member.signal.senderKeyStore, usmc.contents());
    assert.equal(Buffer.from(plaintext).toString(), 'to the whole room');
  }
  const [fromPhone] = await api.mailbox(laptop.tokens.accessToken);
  assert.equal(fromPhone.sourceUserId, alice.tokens.userId, 'the sync is identified');
  const l = laptop.signal;
  const synced = fromPhone.type === Signal.CiphertextMessageType.PreKey
    ? await Signal.signalDecryptPreKey(Signal.PreKeySignalMessage.deserialize(fromBase64(fromPhone.content)), alice.address,
      laptop.address, l.sessionStore, l.identityStore, l.preKeyStore, l.signedPreKeyStore, l.kyberPreKeyStore)
    : await Signal.signalDecrypt(Signal.SignalMessage.deserialize(fromBase64(fromPhone.content)), alice.address, laptop.address,
      l.sessionStore, l.identityStore);
  assert.equal(Buffer.from(synced).toString(), 'to the whole room');
});
