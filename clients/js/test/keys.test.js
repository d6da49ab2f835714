// Acceptance (DESIGN §4): bundles from the prekey directory are what libsignal needs to start
// sessions. Real libsignal keys go up through the REST API and come back as PreKeyBundles that
// processPreKeyBundle accepts (it checks the signatures) and that carry a real message both ways.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import * as Signal from '@signalapp/libsignal-client';
import { Api, fromBase64, toBase64 } from '../lib/api.js';
import { SignalDevice, signUpSignalDevice, preKeyBundle } from '../lib/keys.js';
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

async function upload(user, keys) {
  const response = await api.uploadKeys(user.account.accessToken, user.device.generateKeys(keys));
  assert.equal(response.status, 204, JSON.stringify(response.body));
}

async function fetchBundle(requester, target, deviceId) {
  const response = await api.fetchBundle(requester.account.accessToken, target, deviceId);
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body;
}

/** The base64 of `base64` with one bit flipped (bit `bit` of byte `index`, counted from the end when negative). */
function flipBit(base64, index = -1, bit = 0) {
  const bytes = fromBase64(base64);
  bytes[(index + bytes.length) % bytes.length] ^= 1 << bit;
  return toBase64(bytes);
}

/** Bob starts a session from the bundle and sends; Alice decrypts and answers; Bob decrypts the answer. */
async function roundTrip(alice, bob, bundle, text) {
  await bob.device.processBundle(alice.address, bob.address, bundle);
  const first = await bob.device.encrypt(text, alice.address, bob.address);
  assert.equal(first.type(), Signal.CiphertextMessageType.PreKey);
  assert.equal(await alice.device.decrypt(first, bob.address, alice.address), text);
  const answer = await alice.device.encrypt(`re: ${text}`, bob.address, alice.address);
  assert.equal(answer.type(), Signal.CiphertextMessageType.Whisper);
  assert.equal(await bob.device.decrypt(answer, alice.address, bob.address), `re: ${text}`);
}

test('a fetched bundle starts a libsignal session that carries messages both ways', async () => {
  const alice = await signUp();
  const bob = await signUp();
  await upload(alice, { preKeyIds: [11, 12, 13], kyberPreKeyIds: [21, 22, 23] });

  const response = await fetchBundle(bob, alice.account.username, 1);

  assert.equal(response.identityKey, toBase64(alice.device.identityKey));
  const [device] = response.devices;
  assert.equal(device.registrationId, alice.device.registrationId);
  assert.equal(device.preKey.keyId, 11);
  assert.equal(device.pqPreKey.keyId, 21);
  await roundTrip(alice, bob, preKeyBundle(response, device), 'hello alice');
  // Alice used up the claimed one-time keys; the server handed them out once.
  assert.equal(alice.device.preKeyStore.records.has(11), false);
  assert.equal(alice.device.kyberPreKeyStore.records.has(21), false);
  assert.deepEqual(await api.keyCount(alice.account.accessToken), { count: 2, pqCount: 2 });
});

test('with no one-time keys left, preKey is null and the last-resort Kyber key starts the session', async () => {
  const alice = await signUp();
  const bob = await signUp();
  await upload(alice, { lastResortKeyId: 500 });

  const response = await fetchBundle(bob, alice.account.userId, 1);

  const [device] = response.devices;
  assert.equal(device.preKey, null);
  assert.equal(device.pqPreKey.keyId, 500);
  await roundTrip(alice, bob, preKeyBundle(response, device), 'from the last resort');
  assert.equal(alice.device.kyberPreKeyStore.records.has(500), true, 'a last-resort key is kept after use');
});

test('bundles for * start a session with every device of the account', async () => {
  const alice = await signUp();
  const tabletDevice = new SignalDevice({ identity: alice.device.identity });
  const tabletAccount = await api.linkDevice({ username: alice.account.username, registrationId: tabletDevice.registrationId });
  const tablet = {
    device: tabletDevice,
    account: tabletAccount,
    address: Signal.ProtocolAddress.new(tabletAccount.userId, tabletAccount.deviceId),
  };
  const bob = await signUp();
  await upload(alice, { preKeyIds: [1], kyberPreKeyIds: [1] });
  await upload(tablet, { preKeyIds: [7], kyberPreKeyIds: [8] });

  const response = await fetchBundle(bob, alice.account.userId, '*');

  assert.deepEqual(response.devices.map((d) => d.deviceId), [1, tablet.account.deviceId]);
  await roundTrip(alice, bob, preKeyBundle(response, response.devices[0]), 'to the phone');
  await roundTrip(tablet, bob, preKeyBundle(response, response.devices[1]), 'to the tablet');
});

test('a bundle whose signatures do not verify is refused by processPreKeyBundle', async () => {
  // Proves that the acceptance test above can fail: libsignal checks what the server returns.
  const alice = await signUp();
  const bob = await signUp();
  await upload(alice, { preKeyIds: [1, 2], kyberPreKeyIds: [1, 2] });

  for (const field of ['signedPreKey', 'pqPreKey']) {
    const response = await fetchBundle(bob, alice.account.userId, 1);
    const [device] = response.devices;
    device[field].signature = flipBit(device[field].signature);

    await assert.rejects(bob.device.processBundle(alice.address, bob.address, preKeyBundle(response, device)),
      (error) => error instanceof Signal.LibSignalErrorBase && /signature/.test(error.message),
      `a bad ${field} signature`);
  }
  assert.equal(await bob.device.sessionStore.getSession(alice.address), null);
});

test('an upload with one flipped signature bit is refused with 422 naming the key, and nothing is stored', async () => {
  const alice = await signUp();
  const bob = await signUp();
  const cases = [
    ['signedPreKey', (keys) => keys.signedPreKey],
    ['pqLastResortPreKey', (keys) => keys.pqLastResortPreKey],
    ['pqPreKeys[1]', (keys) => keys.pqPreKeys[1]],
  ];

  for (const [name, pick] of cases) {
    const keys = alice.device.generateKeys({ preKeyIds: [1, 2], kyberPreKeyIds: [3, 4] });
    const key = pick(keys);
    key.signature = flipBit(key.signature, 20, 3);

    const response = await api.uploadKeys(alice.account.accessToken, keys);

    assert.equal(response.status, 422, name);
    assert.equal(response.body.code, 'invalid_signature');
    assert.ok(response.body.detail.startsWith(`${name}.signature `), response.body.detail);
  }
  assert.deepEqual(await api.keyCount(alice.account.accessToken), { count: 0, pqCount: 0 });
  const fetched = await api.fetchBundle(bob.account.accessToken, alice.account.userId, 1);
  assert.equal(fetched.status, 404);
  assert.equal(fetched.body.code, 'no_prekeys');
});

test('keys/check agrees with a digest of the libsignal keys the device uploaded, and not with others', async () => {
  const alice = await signUp();
  const keys = alice.device.generateKeys({ signedPreKeyId: 5, lastResortKeyId: 900 });
  const response = await api.uploadKeys(alice.account.accessToken, keys);
  assert.equal(response.status, 204, JSON.stringify(response.body));
  // Signal-Server's digest: identity key, then each repeated-use key's id (8 bytes, big-endian) and public key.
  const digest = (signedPreKeyId) => {
    const id = (value) => {
      const bytes = Buffer.alloc(8);
      bytes.writeBigInt64BE(BigInt(value));
      return bytes;
    };
    return createHash('sha256')
      .update(alice.device.identityKey)
      .update(id(signedPreKeyId)).update(fromBase64(keys.signedPreKey.publicKey))
      .update(id(900)).update(fromBase64(keys.pqLastResortPreKey.publicKey))
      .digest();
  };

  const agreed = await api.checkKeys(alice.account.accessToken, digest(5));
  const disagreed = await api.checkKeys(alice.account.accessToken, digest(6));

  assert.equal(agreed.status, 204, JSON.stringify(agreed.body));
  assert.equal(disagreed.status, 409);
  assert.equal(disagreed.body.code, 'keys_mismatch');
});
