// The v1 REST API as a client speaks it: JSON in, status and JSON out.
import { randomUUID } from 'node:crypto';

export const password = 'correct horse battery';

export const toBase64 = (bytes) => Buffer.from(bytes).toString('base64');

export const fromBase64 = (text) => new Uint8Array(Buffer.from(text, 'base64'));

export const uniqueUsername = (prefix = 'js') => `${prefix}_${randomUUID().replaceAll('-', '')}`.slice(0, 20);

export class Api {
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
  }

  /**
   * Returns { status, body, headers }; body is the parsed JSON, or null when there is none. `raw` sends bytes as they
   * are (with `headers` naming their type) instead of JSON.
   */
  async request(method, path, { body, token, raw, headers: extra = {} } = {}) {
    const headers = { ...extra };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
    }
    if (token) {
      headers.authorization = `Bearer ${token}`;
    }
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
  }

  /**
   * Creates an account with its primary device. `identityKey` is the serialized identity public key.
   * Returns { username, userId, deviceId, accessToken, refreshToken }.
   */
  async signUp({ identityKey, registrationId, username = uniqueUsername(), deviceName = 'phone' }) {
    const response = await this.request('POST', '/api/v1/accounts', {
      body: { username, password, identityKey: toBase64(identityKey), registrationId, deviceName },
    });
    return { username, ...expect(response, 201) };
  }

  /** Adds a device to an account by username and password. */
  async linkDevice({ username, registrationId, name = 'tablet' }) {
    const response = await this.request('POST', '/api/v1/devices', {
      body: { username, password, name, registrationId },
    });
    return { username, ...expect(response, 201) };
  }

  uploadKeys(token, upload) {
    return this.request('PUT', '/api/v1/keys', { body: upload, token });
  }

  /** Signal-Server's key check: 204 when the server holds the keys `digest` was made of, 409 otherwise. */
  checkKeys(token, digest) {
    return this.request('POST', '/api/v1/keys/check', { body: { digest: toBase64(digest) }, token });
  }

  /** A serialized libsignal SenderCertificate for the caller's device. */
  async deliveryCertificate(token) {
    return fromBase64(expect(await this.request('GET', '/api/v1/certificate/delivery', { token }), 200).certificate);
  }

  /** The trust root's serialized public key, the one clients pin. */
  async trustRoot(token) {
    return fromBase64(expect(await this.request('GET', '/api/v1/certificate/trust-root', { token }), 200).publicKey);
  }

  /** Sets the account's unidentified access key (16 bytes, or null) and its unrestricted flag. */
  setAccessKey(token, accessKey, unrestricted = false) {
    return this.request('PUT', '/api/v1/accounts/me/attributes', {
      body: { unidentifiedAccessKey: accessKey ? toBase64(accessKey) : null, unrestrictedUnidentifiedAccess: unrestricted },
      token,
    });
  }

  /** A sealed-sender send without logging in: no Authorization, the recipient's access key instead. */
  sendUnidentified(userId, accessKey, send) {
    return this.request('PUT', `/api/v1/messages/${userId}`, {
      body: send,
      headers: { 'unidentified-access-key': toBase64(accessKey) },
    });
  }

  /** libsignal's multi-recipient message, as Signal-Server takes it; `accessKey` is the XOR of the recipients' keys. */
  sendMultiRecipient(message, accessKey, timestamp = Date.now()) {
    return this.request('PUT', `/api/v1/messages/multi_recipient?ts=${timestamp}`, {
      raw: message,
      headers: { 'content-type': 'application/vnd.signal-messenger.mrm', 'unidentified-access-key': toBase64(accessKey) },
    });
  }

  /** The device's mailbox (`GET /api/v1/messages`): its envelopes in order. */
  async mailbox(token) {
    return expect(await this.request('GET', '/api/v1/messages', { token }), 200).envelopes;
  }

  async keyCount(token) {
    return expect(await this.request('GET', '/api/v1/keys/count', { token }), 200);
  }

  /** Claims the prekey bundle of one device, or of every device with `*`. */
  fetchBundle(token, userIdOrUsername, deviceId = '*') {
    return this.request('GET', `/api/v1/keys/${encodeURIComponent(userIdOrUsername)}/${deviceId}`, { token });
  }
}

function expect(response, status) {
  if (response.status !== status) {
    throw new Error(`Expected ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body;
}
