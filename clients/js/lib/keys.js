// A libsignal device: its identity, stores and prekeys, and the conversions between
// libsignal objects and the server's JSON (`PUT /api/v1/keys`, bundles from `GET /api/v1/keys/…`).
import { randomInt } from 'node:crypto';
import * as Signal from '@signalapp/libsignal-client';
import { fromBase64, toBase64 } from './api.js';
import {
  MemoryIdentityStore,
  MemoryKyberPreKeyStore,
  MemoryPreKeyStore,
  MemorySenderKeyStore,
  MemorySessionStore,
  MemorySignedPreKeyStore,
} from './stores.js';

export class SignalDevice {
  /** Devices of one account share its identity key pair; each has its own registration id and stores. */
  constructor({ identity = Signal.IdentityKeyPair.generate(), registrationId = randomInt(1, 16381) } = {}) {
    this.identity = identity;
    this.registrationId = registrationId;
    this.sessionStore = new MemorySessionStore();
    this.identityStore = new MemoryIdentityStore(identity, registrationId);
    this.preKeyStore = new MemoryPreKeyStore();
    this.signedPreKeyStore = new MemorySignedPreKeyStore();
    this.kyberPreKeyStore = new MemoryKyberPreKeyStore();
    this.senderKeyStore = new MemorySenderKeyStore();
  }

  get identityKey() {
    return this.identity.publicKey.serialize();
  }

  /**
   * Generates a signed prekey, a last-resort Kyber prekey and the given one-time keys, keeps their
   * private halves in this device's stores, and returns the upload body for `PUT /api/v1/keys`.
   */
  generateKeys({ signedPreKeyId = 1, lastResortKeyId = 1000, preKeyIds = [], kyberPreKeyIds = [] } = {}) {
    const now = Date.now();
    const signer = this.identity.privateKey;

    const signedPrivate = Signal.PrivateKey.generate();
    const signedPublic = signedPrivate.getPublicKey();
    const signed = Signal.SignedPreKeyRecord.new(signedPreKeyId, now, signedPublic, signedPrivate,
      signer.sign(signedPublic.serialize()));
    this.signedPreKeyStore.records.set(signedPreKeyId, signed);

    const kyber = (id) => {
      const pair = Signal.KEMKeyPair.generate();
      const record = Signal.KyberPreKeyRecord.new(id, now, pair, signer.sign(pair.getPublicKey().serialize()));
      this.kyberPreKeyStore.records.set(id, record);
      return { keyId: id, publicKey: toBase64(record.publicKey().serialize()), signature: toBase64(record.signature()) };
    };
    const lastResort = kyber(lastResortKeyId);
    this.kyberPreKeyStore.lastResortIds.add(lastResortKeyId);

    const preKeys = preKeyIds.map((id) => {
      const privateKey = Signal.PrivateKey.generate();
      const record = Signal.PreKeyRecord.new(id, privateKey.getPublicKey(), privateKey);
      this.preKeyStore.records.set(id, record);
      return { keyId: id, publicKey: toBase64(record.publicKey().serialize()) };
    });

    return {
      signedPreKey: { keyId: signedPreKeyId, publicKey: toBase64(signedPublic.serialize()), signature: toBase64(signed.signature()) },
      pqLastResortPreKey: lastResort,
      preKeys,
      pqPreKeys: kyberPreKeyIds.map(kyber),
    };
  }

  /** Starts a session with a device from its bundle; libsignal checks both signatures here. */
  processBundle(address, localAddress, bundle) {
    return Signal.processPreKeyBundle(bundle, address, localAddress, this.sessionStore, this.identityStore);
  }

  encrypt(plaintext, address, localAddress) {
    return Signal.signalEncrypt(Buffer.from(plaintext), address, localAddress, this.sessionStore, this.identityStore);
  }

  /** Decrypts either message type; returns the plaintext as a string. */
  async decrypt(ciphertext, address, localAddress) {
    const bytes = ciphertext.serialize();
    const plaintext = ciphertext.type() === Signal.CiphertextMessageType.PreKey
      ? await Signal.signalDecryptPreKey(Signal.PreKeySignalMessage.deserialize(bytes), address, localAddress,
        this.sessionStore, this.identityStore, this.preKeyStore, this.signedPreKeyStore, this.kyberPreKeyStore)
      : await Signal.signalDecrypt(Signal.SignalMessage.deserialize(bytes), address, localAddress,
        this.sessionStore, this.identityStore);
    return Buffer.from(plaintext).toString();
  }
}

/** A libsignal PreKeyBundle for one device of a fetched `{identityKey, devices}` response. */
/** A new libsignal device with its own account on the server (`api` from lib/api.js): { device, account, address }. */
export async function signUpSignalDevice(api) {
  const device = new SignalDevice();
  const account = await api.signUp({ identityKey: device.identityKey, registrationId: device.registrationId });
  return { device, account, address: Signal.ProtocolAddress.new(account.userId, account.deviceId) };
}

/**
 * A libsignal device with an account (or a device linked to `account`, one of these), its keys uploaded:
 * `{ signal, tokens, address }`.
 */
export async function uploadedSignalDevice(api, account) {
  const signal = new SignalDevice(account ? { identity: account.signal.identity } : {});
  const tokens = account
    ? await api.linkDevice({ username: account.tokens.username, registrationId: signal.registrationId })
    : await api.signUp({ identityKey: signal.identityKey, registrationId: signal.registrationId });
  const keys = signal.generateKeys({ preKeyIds: [1, 2, 3], kyberPreKeyIds: [11, 12, 13] });
  const upload = await api.uploadKeys(tokens.accessToken, keys);
  if (upload.status !== 204) {
    throw new Error(`key upload answered ${upload.status}`);
  }
  return { signal, tokens, address: Signal.ProtocolAddress.new(tokens.userId, tokens.deviceId) };
}

export function preKeyBundle(response, device) {
  return Signal.PreKeyBundle.new(
    device.registrationId,
    device.deviceId,
    device.preKey ? device.preKey.keyId : null,
    device.preKey ? Signal.PublicKey.deserialize(fromBase64(device.preKey.publicKey)) : null,
    device.signedPreKey.keyId,
    Signal.PublicKey.deserialize(fromBase64(device.signedPreKey.publicKey)),
    fromBase64(device.signedPreKey.signature),
    Signal.PublicKey.deserialize(fromBase64(response.identityKey)),
    device.pqPreKey.keyId,
    Signal.KEMPublicKey.deserialize(fromBase64(device.pqPreKey.publicKey)),
    fromBase64(device.pqPreKey.signature),
  );
}
