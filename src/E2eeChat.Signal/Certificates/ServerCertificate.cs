using E2eeChat.Signal.Curve;
using Google.Protobuf;
using Proto = E2eeChat.Signal.Certificates.Protos;

namespace E2eeChat.Signal.Certificates;

/// <summary>
/// A server's sealed-sender signing key with its id, signed by the operator's trust root: libsignal's
/// <c>ServerCertificate</c>. Clients pin the trust root; every sender certificate carries this.
/// </summary>
public sealed class ServerCertificate
{
    /// <summary>Key ids libsignal reserves: 0xDEADC357 is treated as revoked, 0x7357C357 is its test certificate's.</summary>
    public static readonly IReadOnlySet<uint> ReservedKeyIds = new HashSet<uint> { 0xDEADC357, 0x7357C357 };

    private readonly byte[] _certificate;
    private readonly byte[] _signature;

    private ServerCertificate(byte[] serialized, byte[] certificate, byte[] signature, uint keyId, byte[] publicKey)
    {
        Serialized = serialized;
        _certificate = certificate;
        _signature = signature;
        KeyId = keyId;
        PublicKey = publicKey;
    }

    public uint KeyId { get; }

    /// <summary>The server's serialized public key (<c>0x05 ‖ u</c>).</summary>
    public byte[] PublicKey { get; }

    /// <summary>The protobuf bytes, as they are configured, stored and embedded in sender certificates.</summary>
    public byte[] Serialized { get; }

    /// <summary>Certifies <paramref name="serverPublicKey"/> under <paramref name="keyId"/> with the trust root's signature.</summary>
    public static ServerCertificate Create(Curve25519KeyPair trustRoot, uint keyId, byte[] serverPublicKey)
    {
        ArgumentNullException.ThrowIfNull(trustRoot);
        ArgumentNullException.ThrowIfNull(serverPublicKey);
        if (ReservedKeyIds.Contains(keyId))
        {
            throw new ArgumentException($"Key id {keyId} (0x{keyId:X8}) is reserved by libsignal for its tests.", nameof(keyId));
        }
        if (!Curve25519PublicKey.IsWellFormed(serverPublicKey))
        {
            throw new ArgumentException("The server key must be a serialized Curve25519 public key.", nameof(serverPublicKey));
        }
        var certificate = new Proto.ServerCertificate.Types.Certificate
        {
            Id = keyId,
            Key = ByteString.CopyFrom(serverPublicKey),
        }.ToByteArray();
        var signature = trustRoot.Sign(certificate);
        var serialized = new Proto.ServerCertificate
        {
            Certificate = ByteString.CopyFrom(certificate),
            Signature = ByteString.CopyFrom(signature),
        }.ToByteArray();
        return new ServerCertificate(serialized, certificate, signature, keyId, (byte[])serverPublicKey.Clone());
    }

    /// <summary>Reads a serialized certificate; <see cref="FormatException"/> says what is missing or malformed.</summary>
    public static ServerCertificate Parse(byte[] serialized)
    {
        ArgumentNullException.ThrowIfNull(serialized);
        try
        {
            var outer = Proto.ServerCertificate.Parser.ParseFrom(serialized);
            if (!outer.HasCertificate || !outer.HasSignature)
            {
                throw new FormatException("The server certificate lacks its certificate or its signature.");
            }
            var inner = Proto.ServerCertificate.Types.Certificate.Parser.ParseFrom(outer.Certificate);
            if (!inner.HasId || !inner.HasKey || !Curve25519PublicKey.IsWellFormed(inner.Key.Span))
            {
                throw new FormatException("The server certificate lacks its key id or a Curve25519 public key.");
            }
            return new ServerCertificate((byte[])serialized.Clone(), outer.Certificate.ToByteArray(),
                outer.Signature.ToByteArray(), inner.Id, inner.Key.ToByteArray());
        }
        catch (InvalidProtocolBufferException exception)
        {
            throw new FormatException("The server certificate is not a ServerCertificate protobuf.", exception);
        }
    }

    /// <summary>Whether the trust root with this serialized public key signed the certificate, as libsignal checks it.</summary>
    public bool IsSignedBy(ReadOnlySpan<byte> trustRootPublicKey) =>
        !ReservedKeyIds.Contains(KeyId) && XEdDsa.Verify(trustRootPublicKey, _certificate, _signature);
}
