namespace E2eeChat.Server.Certificates;

/// <summary>A serialized libsignal <c>SenderCertificate</c> for the caller's device.</summary>
public sealed record DeliveryCertificateResponse(byte[] Certificate);

/// <summary>The trust root's serialized public key (33 bytes), for clients to pin.</summary>
public sealed record TrustRootResponse(byte[] PublicKey);
