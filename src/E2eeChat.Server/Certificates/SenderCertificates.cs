using E2eeChat.Signal.Certificates;
using E2eeChat.Signal.Curve;
using E2eeChat.Storage;

namespace E2eeChat.Server.Certificates;

/// <summary>
/// This server's sealed-sender material: the trust root clients pin and the issuer of sender
/// certificates. Configured in cluster mode; generated once into <c>./data/sealed-sender</c> otherwise.
/// </summary>
public sealed partial class SenderCertificates
{
    /// <summary>The key id of the server certificate the embedded default makes for itself.</summary>
    public const uint EmbeddedKeyId = 1;

    private const string EmbeddedDirectory = "sealed-sender";

    private readonly SenderCertificateIssuer _issuer;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _clock;

    private SenderCertificates(byte[] trustRoot, SenderCertificateIssuer issuer, string source, TimeSpan lifetime, TimeProvider clock)
    {
        TrustRoot = trustRoot;
        _issuer = issuer;
        Source = source;
        _lifetime = lifetime;
        _clock = clock;
    }

    /// <summary>The trust root's serialized public key (33 bytes).</summary>
    public byte[] TrustRoot { get; }

    /// <summary>Where the material came from: the configuration, or the directory it was generated in or read from.</summary>
    public string Source { get; }

    /// <summary>A serialized <c>SenderCertificate</c> for one device, expiring after the configured lifetime.</summary>
    public byte[] Issue(Guid userId, int deviceId, byte[] identityKey) =>
        _issuer.Issue(userId, deviceId, identityKey, _clock.GetUtcNow() + _lifetime);

    /// <summary>
    /// Reads the configured material, or in the embedded default the generated one (making it on first
    /// start). Fails start-up with a clear message when cluster mode has none or when the parts do not fit.
    /// </summary>
    public static SenderCertificates Resolve(CertificateOptions options, StorageOptions storage, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(storage);
        options.Validate();
        if (options.IsConfigured)
        {
            return Load(
                CertificateFiles.Decode(options.TrustRoot!, $"{CertificateOptions.SectionName}:TrustRoot"),
                CertificateFiles.Decode(options.ServerCertificate!, $"{CertificateOptions.SectionName}:ServerCertificate"),
                CertificateFiles.Decode(options.ServerPrivateKey!, $"{CertificateOptions.SectionName}:ServerPrivateKey"),
                "configuration", options.SenderCertificateLifetime, clock);
        }
        if (storage.Provider == StorageProvider.Postgres)
        {
            throw new InvalidOperationException(
                "Certificates:TrustRoot, Certificates:ServerCertificate and Certificates:ServerPrivateKey are required in " +
                "cluster mode (Storage:Provider=Postgres), the same on every instance. Make them once, offline: " +
                "`dotnet E2eeChat.Server.dll certificates create-trust-root --out DIR`, then " +
                "`dotnet E2eeChat.Server.dll certificates create-server-certificate --trust-root-key DIR/trust-root.key --key-id 1 --out DIR`, " +
                "and set Certificates__TrustRoot, Certificates__ServerCertificate and Certificates__ServerPrivateKey to the " +
                "contents of trust-root.pub, server-certificate and server-certificate.key.");
        }
        var directory = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(storage.SqlitePath))!, EmbeddedDirectory);
        var files = new[] { CertificateFiles.TrustRootPublicKey, CertificateFiles.ServerCertificate, CertificateFiles.ServerPrivateKey }
            .Select(name => Path.Combine(directory, name)).ToArray();
        if (!files.Any(File.Exists))
        {
            var trustRoot = CertificateFiles.CreateTrustRoot(directory);
            CertificateFiles.CreateServerCertificate(directory, trustRoot, EmbeddedKeyId);
        }
        else if (files.FirstOrDefault(file => !File.Exists(file)) is { } missing)
        {
            throw new InvalidOperationException(
                $"{missing} is missing while the rest of the sealed-sender material is in {directory}. Restore it, or remove " +
                "the directory to make a new trust root (clients that pinned the old one will refuse the new certificates).");
        }
        return Load(CertificateFiles.Read(files[0]), CertificateFiles.Read(files[1]), CertificateFiles.Read(files[2]),
            directory, options.SenderCertificateLifetime, clock);
    }

    private static SenderCertificates Load(byte[] trustRoot, byte[] serverCertificate, byte[] serverPrivateKey, string source,
        TimeSpan lifetime, TimeProvider clock)
    {
        if (!Curve25519PublicKey.IsWellFormed(trustRoot))
        {
            throw new InvalidOperationException($"The trust root from {source} is not a serialized Curve25519 public key (33 bytes, 0x05 first).");
        }
        ServerCertificate certificate;
        try
        {
            certificate = ServerCertificate.Parse(serverCertificate);
        }
        catch (FormatException exception)
        {
            throw new InvalidOperationException($"The server certificate from {source} is unreadable: {exception.Message}");
        }
        if (!certificate.IsSignedBy(trustRoot))
        {
            throw new InvalidOperationException(
                $"The server certificate from {source} (key id {certificate.KeyId}) is not signed by the trust root {Convert.ToBase64String(trustRoot)}.");
        }
        if (serverPrivateKey.Length != Curve25519KeyPair.PrivateKeyLength)
        {
            throw new InvalidOperationException($"The server private key from {source} must decode to {Curve25519KeyPair.PrivateKeyLength} bytes.");
        }
        SenderCertificateIssuer issuer;
        try
        {
            issuer = new SenderCertificateIssuer(certificate, Curve25519KeyPair.FromPrivateKey(serverPrivateKey));
        }
        catch (ArgumentException)
        {
            throw new InvalidOperationException(
                $"The server private key from {source} is not the key the server certificate (key id {certificate.KeyId}) certifies.");
        }
        return new SenderCertificates(trustRoot, issuer, source, lifetime, clock);
    }

    /// <summary>Logs the trust root's public key (never a private one), so operators can hand it to clients to pin.</summary>
    public void LogTrustRoot(ILogger logger) =>
        LogTrustRootKey(logger, Convert.ToBase64String(TrustRoot), _issuer.ServerCertificate.KeyId, Source);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Sealed sender: trust root public key {TrustRoot} (clients pin it), server certificate key id {KeyId}, from {Source}")]
    private static partial void LogTrustRootKey(ILogger logger, string trustRoot, uint keyId, string source);
}
