// In-memory libsignal stores: everything one device keeps, as a real client would on disk.
import * as Signal from '@signalapp/libsignal-client';

const key = (address) => `${address.name()}.${address.deviceId()}`;

export class MemorySessionStore extends Signal.SessionStore {
  #sessions = new Map();

  async saveSession(address, record) {
    this.#sessions.set(key(address), record.serialize());
  }

  async getSession(address) {
    const serialized = this.#sessions.get(key(address));
    return serialized ? Signal.SessionRecord.deserialize(serialized) : null;
  }

  async getExistingSessions(addresses) {
    return Promise.all(addresses.map(async (address) => {
      const session = await this.getSession(address);
      if (!session) {
        throw new Error(`No session for ${key(address)}.`);
      }
      return session;
    }));
  }
}

/** Trusts an identity on first use and refuses a changed one, as Signal clients do until the user accepts it. */
export class MemoryIdentityStore extends Signal.IdentityKeyStore {
  #known = new Map();

  constructor(identity, registrationId) {
    super();
    this.identity = identity;
    this.registrationId = registrationId;
  }

  async getIdentityKey() {
    return this.identity.privateKey;
  }

  async getLocalRegistrationId() {
    return this.registrationId;
  }

  async saveIdentity(address, publicKey) {
    const previous = this.#known.get(key(address));
    this.#known.set(key(address), publicKey);
    return previous && !previous.equals(publicKey)
      ? Signal.IdentityChange.ReplacedExisting
      : Signal.IdentityChange.NewOrUnchanged;
  }

  async isTrustedIdentity(address, publicKey) {
    const known = this.#known.get(key(address));
    return !known || known.equals(publicKey);
  }

  async getIdentity(address) {
    return this.#known.get(key(address)) ?? null;
  }
}

export class MemoryPreKeyStore extends Signal.PreKeyStore {
  records = new Map();

  async savePreKey(id, record) {
    this.records.set(id, record);
  }

  async getPreKey(id) {
    return found(this.records, id, 'prekey');
  }

  async removePreKey(id) {
    this.records.delete(id);
  }
}

export class MemorySignedPreKeyStore extends Signal.SignedPreKeyStore {
  records = new Map();

  async saveSignedPreKey(id, record) {
    this.records.set(id, record);
  }

  async getSignedPreKey(id) {
    return found(this.records, id, 'signed prekey');
  }
}

/** One-time Kyber prekeys are deleted once used; last-resort ones stay. */
export class MemoryKyberPreKeyStore extends Signal.KyberPreKeyStore {
  records = new Map();
  lastResortIds = new Set();

  async saveKyberPreKey(id, record) {
    this.records.set(id, record);
  }

  async getKyberPreKey(id) {
    return found(this.records, id, 'Kyber prekey');
  }

  async markKyberPreKeyUsed(id) {
    if (!this.lastResortIds.has(id)) {
      this.records.delete(id);
    }
  }
}

function found(records, id, what) {
  const record = records.get(id);
  if (!record) {
    throw new Error(`No ${what} with id ${id}.`);
  }
  return record;
}

/** Sender keys (group messages) by sender device and distribution id. */
export class MemorySenderKeyStore extends Signal.SenderKeyStore {
  #keys = new Map();

  async saveSenderKey(sender, distributionId, record) {
    this.#keys.set(`${key(sender)}/${distributionId}`, record.serialize());
  }

  async getSenderKey(sender, distributionId) {
    const serialized = this.#keys.get(`${key(sender)}/${distributionId}`);
    return serialized ? Signal.SenderKeyRecord.deserialize(serialized) : null;
  }
}
