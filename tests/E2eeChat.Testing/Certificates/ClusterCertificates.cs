using E2eeChat.Signal.Certificates;
using E2eeChat.Signal.Curve;

namespace E2eeChat.Testing.Certificates;

/// <summary>
/// The sealed-sender settings cluster mode requires (<c>Certificates:TrustRoot</c>, <c>:ServerCertificate</c>,
/// <c>:ServerPrivateKey</c>), made fresh: what an operator makes with the <c>certificates</c> commands.
/// </summary>
public sealed record ClusterCertificates(byte[] TrustRoot, byte[] ServerCertificate, byte[] ServerPrivateKey)
{
    public static ClusterCertificates Create(uint keyId = 1)
    {
        var trustRoot = Curve25519KeyPair.Generate();
        var serverKey = Curve25519KeyPair.Generate();
        var certificate = Signal.Certificates.ServerCertificate.Create(trustRoot, keyId, serverKey.PublicKey);
        return new ClusterCertificates(trustRoot.PublicKey, certificate.Serialized, serverKey.ExportPrivateKey());
    }

    /// <summary>The settings by name: <c>Certificates__TrustRoot</c> for environment variables, <c>Certificates:TrustRoot</c> with ":".</summary>
    public Dictionary<string, string> Settings(string separator = "__") => new()
    {
        [$"Certificates{separator}TrustRoot"] = Convert.ToBase64String(TrustRoot),
        [$"Certificates{separator}ServerCertificate"] = Convert.ToBase64String(ServerCertificate),
        [$"Certificates{separator}ServerPrivateKey"] = Convert.ToBase64String(ServerPrivateKey),
    };
}
