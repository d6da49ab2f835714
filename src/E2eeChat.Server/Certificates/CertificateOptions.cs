using E2eeChat.Domain.Common;

namespace E2eeChat.Server.Certificates;

/// <summary>
/// Bound from the <c>Certificates</c> section: the sealed-sender trust root and server certificate.
/// All three keys are required in cluster mode and come from the <c>certificates</c> commands;
/// the embedded default generates its own into <c>./data/sealed-sender</c>.
/// </summary>
public sealed class CertificateOptions : IValidatedOptions
{
    public const string SectionName = "Certificates";

    /// <summary>Base64 of the trust root's serialized public key (33 bytes), the key clients pin.</summary>
    public string? TrustRoot { get; set; }

    /// <summary>Base64 of a serialized libsignal <c>ServerCertificate</c> signed by <see cref="TrustRoot"/>.</summary>
    public string? ServerCertificate { get; set; }

    /// <summary>Base64 of the 32-byte private key the server certificate certifies. A secret.</summary>
    public string? ServerPrivateKey { get; set; }

    /// <summary>How long a sender certificate from <c>GET /api/v1/certificate/delivery</c> is valid.</summary>
    public TimeSpan SenderCertificateLifetime { get; set; } = TimeSpan.FromDays(1);

    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(TrustRoot) || !string.IsNullOrWhiteSpace(ServerCertificate)
        || !string.IsNullOrWhiteSpace(ServerPrivateKey);

    public void Validate()
    {
        if (SenderCertificateLifetime <= TimeSpan.Zero || SenderCertificateLifetime > TimeSpan.FromDays(30))
        {
            throw new InvalidOperationException($"{SectionName}:SenderCertificateLifetime must be more than zero and at most 30 days.");
        }
        if (IsConfigured && (string.IsNullOrWhiteSpace(TrustRoot) || string.IsNullOrWhiteSpace(ServerCertificate)
                             || string.IsNullOrWhiteSpace(ServerPrivateKey)))
        {
            throw new InvalidOperationException(
                $"Set all three of {SectionName}:TrustRoot, {SectionName}:ServerCertificate and {SectionName}:ServerPrivateKey, or none.");
        }
    }
}
