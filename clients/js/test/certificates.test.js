// Sealed-sender certificates (DESIGN §8c) as libsignal reads them: a delivery certificate from the
// server deserializes, validates against the trust root the server publishes, and carries a sealed-sender
// message that libsignal decrypts to the right sender. Its signatures are the server's own XEdDSA.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as Signal from '@signalapp/libsignal-client';
import { Api } from '../lib/api.js';
import { signUpSignalDevice, preKeyBundle } from '../lib/keys.js';
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

const signUp = () => signUpSignalDevice(api);

test('a delivery certificate deserializes and validates against the published trust root', async () => {
  const alice = await signUp();
  const trustRoot = Signal.PublicKey.deserialize(await api.trustRoot(alice.account.accessToken));
  const now = Date.now();

  const certificate = Signal.SenderCertificate.deserialize(await api.deliveryCertificate(alice.account.accessToken));

  assert.equal(certificate.validate(trustRoot, now), true);
  assert.equal(certificate.senderUuid(), alice.account.userId);
  assert.equal(certificate.senderAci().getServiceIdString(), alice.account.userId);
  assert.equal(certificate.senderDeviceId(), 1);
  assert.equal(certificate.senderE164(), null);
  assert.deepEqual(certificate.key().serialize(), alice.device.identityKey);
  const day = 24 * 60 * 60 * 1000;
  assert.ok(certificate.expiration() > now + day - 60_000 && certificate.expiration() <= Date.now() + day,
    `expires a day ahead: ${certificate.expiration() - now} ms`);
  assert.equal(certificate.validate(trustRoot, certificate.expiration() + 1), false, 'expired');
  assert.equal(certificate.validate(Signal.PrivateKey.generate().getPublicKey(), now), false, 'another trust root');
});

test('signatures the server makes verify with PublicKey.verify, and a flipped bit does not', async () => {
  const alice = await signUp();
  const trustRoot = Signal.PublicKey.deserialize(await api.trustRoot(alice.account.accessToken));
  const sender = Signal.SenderCertificate.deserialize(await api.deliveryCertificate(alice.account.accessToken));
  const serverCertificate = sender.serverCertificate();
  const signed = [
    [trustRoot, serverCertificate.certificateData(), serverCertificate.signature()],
    [serverCertificate.key(), sender.certificate(), sender.signature()],
  ];

  for (const [key, message, signature] of signed) {
    assert.equal(key.verify(message, signature), true);
    for (const bit of [0, 100, 255, 256, 400, 511]) {
      const flipped = Uint8Array.from(signature);
      flipped[bit >> 3] ^= 1 << (bit & 7);
      assert.equal(key.verify(message, flipped), false, `signature bit ${bit}`);
    }
    const otherMessage = Uint8Array.from(message);
    otherMessage[3] ^= 0x10;
    assert.equal(key.verify(otherMessage, signature), false, 'message bit');
  }
});

test('a sealed-sender message under the certificate decrypts to its sender (sealedSenderDecryptMessage)', async () => {
  const alice = await signUp();
  const bob = await signUp();
  const response = await api.uploadKeys(alice.account.accessToken, alice.device.generateKeys({ preKeyIds: [1], kyberPreKeyIds: [2] }));
  assert.equal(response.status, 204, JSON.stringify(response.body));
  const bundle = (await api.fetchBundle(bob.account.accessToken, alice.account.userId, 1)).body;
  await bob.device.processBundle(alice.address, bob.address, preKeyBundle(bundle, bundle.devices[0]));
  const trustRoot = Signal.PublicKey.deserialize(await api.trustRoot(bob.account.accessToken));
  const certificate = Signal.SenderCertificate.deserialize(await api.deliveryCertificate(bob.account.accessToken));

  const sealed = await Signal.sealedSenderEncryptMessage(Buffer.from('from nobody you can see'), alice.address,
    certificate, bob.device.sessionStore, bob.device.identityStore);
  const opened = await Signal.sealedSenderDecryptMessage(sealed, trustRoot, Date.now(), null, alice.account.userId, 1,
    alice.device.sessionStore, alice.device.identityStore, alice.device.preKeyStore, alice.device.signedPreKeyStore,
    alice.device.kyberPreKeyStore);

  assert.equal(Buffer.from(opened.message()).toString(), 'from nobody you can see');
  assert.equal(opened.senderUuid(), bob.account.userId);
  assert.equal(opened.deviceId(), 1);
});
