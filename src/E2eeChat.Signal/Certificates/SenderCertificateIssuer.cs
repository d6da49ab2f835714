using System.Globalization;
using E2eeChat.Signal.Curve;
using Google.Protobuf;
using Proto = E2eeChat.Signal.Certificates.Protos;

namespace E2eeChat.Signal.Certificates;

/// <summary>
/// Issues libsignal <c>SenderCertificate</c>s: sender (service id and device), identity key and
/// expiry, signed by the server certificate's key, with the server certificate embedded so that
/// <c>SenderCertificate.validate(trustRoot, now)</c> needs nothing but the pinned trust root.
/// </summary>
public sealed class SenderCertificateIssuer
{
    /// <summary>libsignal's device ids run 1..127.</summary>
    public const int MaxDeviceId = 127;

    private readonly ServerCertificate _serverCertificate;
    private readonly Curve25519KeyPair _serverKey;

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="serverKey"/> is not the certificate's key.</summary>
    public SenderCertificateIssuer(ServerCertificate serverCertificate, Curve25519KeyPair serverKey)
    {
        ArgumentNullException.ThrowIfNull(serverCertificate);
        ArgumentNullException.ThrowIfNull(serverKey);
        if (!serverCertificate.PublicKey.AsSpan().SequenceEqual(serverKey.PublicKey))
        {
            throw new ArgumentException("The private key is not the one the server certificate certifies.", nameof(serverKey));
        }
        _serverCertificate = serverCertificate;
        _serverKey = serverKey;
    }

    public ServerCertificate ServerCertificate => _serverCertificate;

    /// <summary>
    /// A serialized certificate saying that device <paramref name="deviceId"/> of account <paramref name="sender"/>
    /// (an ACI: the UUID in lower case, as libsignal's <c>Aci.getServiceIdString()</c> writes it) holds
    /// <paramref name="identityKey"/>, valid until <paramref name="expires"/>.
    /// </summary>
    public byte[] Issue(Guid sender, int deviceId, byte[] identityKey, DateTimeOffset expires)
    {
        ArgumentNullException.ThrowIfNull(identityKey);
        ArgumentOutOfRangeException.ThrowIfLessThan(deviceId, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(deviceId, MaxDeviceId);
        if (!Curve25519PublicKey.IsWellFormed(identityKey))
        {
            throw new ArgumentException("The identity key must be a serialized Curve25519 public key.", nameof(identityKey));
        }
        var certificate = new Proto.SenderCertificate.Types.Certificate
        {
            UuidString = sender.ToString("D", CultureInfo.InvariantCulture),
            SenderDevice = (uint)deviceId,
            Expires = (ulong)expires.ToUnixTimeMilliseconds(),
            IdentityKey = ByteString.CopyFrom(identityKey),
            Certificate_ = ByteString.CopyFrom(_serverCertificate.Serialized),
        }.ToByteArray();
        return new Proto.SenderCertificate
        {
            Certificate = ByteString.CopyFrom(certificate),
            Signature = ByteString.CopyFrom(_serverKey.Sign(certificate)),
        }.ToByteArray();
    }
}
