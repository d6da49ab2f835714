// Real libsignal as a judge for the .NET tests: one JSON request on stdin, one JSON answer on stdout.
// Binary fields are base64. Every answer comes from @signalapp/libsignal-client itself.
//
//   {op: 'sign', count}                        → [{privateKey, publicKey, message, signature}] made by libsignal
//   {op: 'publicKeys', privateKeys: [..]}      → [publicKey] libsignal derives from each private key
//   {op: 'verify', items: [{publicKey, message, signature}]} → [true|false] from PublicKey.verify
//   {op: 'serverCertificate', certificate, trustRoot}
//       → {keyId, key, signedByTrustRoot} from ServerCertificate.deserialize and PublicKey.verify
//   {op: 'senderCertificate', certificate, trustRoot, now}
//       → {senderUuid, senderAci, senderDeviceId, expiration, identityKey, serverKeyId, valid} (SenderCertificate.validate)
//   {op: 'issueSenderCertificate', serverCertificate, serverPrivateKey, trustRoot, senderUuid, deviceId, identityKey, expiration, now}
//       → {valid}: libsignal issues a sender certificate with the given server certificate and key, then validates it
import { randomBytes, randomInt } from 'node:crypto';
import * as Signal from '@signalapp/libsignal-client';

const b64 = (bytes) => Buffer.from(bytes).toString('base64');
const bytes = (text) => new Uint8Array(Buffer.from(text, 'base64'));

const ops = {
  sign({ count }) {
    return Array.from({ length: count }, () => {
      const privateKey = Signal.PrivateKey.generate();
      const message = randomBytes(randomInt(0, 2000));
      return {
        privateKey: b64(privateKey.serialize()),
        publicKey: b64(privateKey.getPublicKey().serialize()),
        message: b64(message),
        signature: b64(privateKey.sign(message)),
      };
    });
  },

  publicKeys({ privateKeys }) {
    return privateKeys.map((key) => b64(Signal.PrivateKey.deserialize(bytes(key)).getPublicKey().serialize()));
  },

  verify({ items }) {
    return items.map(({ publicKey, message, signature }) =>
      Signal.PublicKey.deserialize(bytes(publicKey)).verify(bytes(message), bytes(signature)));
  },

  serverCertificate({ certificate, trustRoot }) {
    const parsed = Signal.ServerCertificate.deserialize(bytes(certificate));
    return {
      keyId: parsed.keyId(),
      key: b64(parsed.key().serialize()),
      signedByTrustRoot: Signal.PublicKey.deserialize(bytes(trustRoot)).verify(parsed.certificateData(), parsed.signature()),
    };
  },

  senderCertificate({ certificate, trustRoot, now }) {
    const parsed = Signal.SenderCertificate.deserialize(bytes(certificate));
    return {
      senderUuid: parsed.senderUuid(),
      senderAci: parsed.senderAci()?.getServiceIdString() ?? null,
      senderDeviceId: parsed.senderDeviceId(),
      expiration: parsed.expiration(),
      identityKey: b64(parsed.key().serialize()),
      serverKeyId: parsed.serverCertificate().keyId(),
      valid: parsed.validate(Signal.PublicKey.deserialize(bytes(trustRoot)), now),
    };
  },

  issueSenderCertificate({ serverCertificate, serverPrivateKey, trustRoot, senderUuid, deviceId, identityKey, expiration, now }) {
    const issued = Signal.SenderCertificate.new(senderUuid, null, deviceId,
      Signal.PublicKey.deserialize(bytes(identityKey)), expiration,
      Signal.ServerCertificate.deserialize(bytes(serverCertificate)), Signal.PrivateKey.deserialize(bytes(serverPrivateKey)));
    return { valid: issued.validate(Signal.PublicKey.deserialize(bytes(trustRoot)), now) };
  },
};

let input = '';
for await (const chunk of process.stdin) {
  input += chunk;
}
const request = JSON.parse(input);
const op = ops[request.op];
if (!op) {
  throw new Error(`Unknown op ${request.op}`);
}
process.stdout.write(JSON.stringify(op(request)));
