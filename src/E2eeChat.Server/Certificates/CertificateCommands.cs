using System.Globalization;
using E2eeChat.Signal.Certificates;
using E2eeChat.Signal.Curve;

namespace E2eeChat.Server.Certificates;

/// <summary>
/// <c>certificates create-trust-root</c> and <c>certificates create-server-certificate</c>: the operator's
/// offline steps for sealed sender, writing the files of <see cref="CertificateFiles"/>. Only public keys
/// are printed; private keys go to files created with mode 0600.
/// </summary>
public static class CertificateCommands
{
    public const string Name = "certificates";

    private const string Usage = """
        Usage:
          certificates create-trust-root [--out DIR]
              A new trust root: DIR/trust-root.key (the private key, mode 0600: keep it offline) and
              DIR/trust-root.pub (the public key clients pin; the Certificates__TrustRoot setting).
          certificates create-server-certificate --trust-root-key FILE --key-id N [--out DIR]
              A new server key certified by the trust root in FILE under key id N (1..4294967295):
              DIR/server-certificate (Certificates__ServerCertificate) and DIR/server-certificate.key
              (mode 0600; Certificates__ServerPrivateKey).
        DIR defaults to the current directory. Existing files are never overwritten.
        """;

    /// <summary>Runs a command; 0 when done, 1 when it failed, 2 for a usage error.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var problem = "Name a command.";
        if (args.Count == 0 || !TryParseOptions(args, out var options, out problem))
        {
            error.WriteLine(problem);
            error.WriteLine(Usage);
            return 2;
        }
        var directory = Path.GetFullPath(options.GetValueOrDefault("--out") ?? ".");
        try
        {
            switch (args[0])
            {
                case "create-trust-root" when options.Count <= 1 && (options.Count == 0 || options.ContainsKey("--out")):
                    CreateTrustRoot(directory, output);
                    return 0;
                case "create-server-certificate" when options.ContainsKey("--trust-root-key") && options.ContainsKey("--key-id"):
                    if (!uint.TryParse(options["--key-id"], NumberStyles.None, CultureInfo.InvariantCulture, out var keyId) || keyId == 0)
                    {
                        error.WriteLine("--key-id must be a whole number from 1 to 4294967295.");
                        return 2;
                    }
                    if (ServerCertificate.ReservedKeyIds.Contains(keyId))
                    {
                        error.WriteLine($"--key-id {keyId} (0x{keyId:X8}) is reserved by libsignal for its tests; choose another.");
                        return 2;
                    }
                    CreateServerCertificate(directory, options["--trust-root-key"], keyId, output);
                    return 0;
                default:
                    error.WriteLine($"Unknown command or options: {string.Join(' ', args)}");
                    error.WriteLine(Usage);
                    return 2;
            }
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException or IOException
                                              or UnauthorizedAccessException)
        {
            error.WriteLine(exception.Message);
            return 1;
        }
    }

    private static void CreateTrustRoot(string directory, TextWriter output)
    {
        var trustRoot = CertificateFiles.CreateTrustRoot(directory);
        output.WriteLine($"Trust root public key: {Convert.ToBase64String(trustRoot.PublicKey)}");
        output.WriteLine($"  {Path.Combine(directory, CertificateFiles.TrustRootPublicKey)}: clients pin it; servers take it as Certificates__TrustRoot.");
        output.WriteLine($"  {Path.Combine(directory, CertificateFiles.TrustRootKey)} (mode 0600): the private key that signs server certificates. Keep it offline.");
    }

    private static void CreateServerCertificate(string directory, string trustRootKeyFile, uint keyId, TextWriter output)
    {
        var privateKey = CertificateFiles.Read(trustRootKeyFile);
        if (privateKey.Length != Curve25519KeyPair.PrivateKeyLength)
        {
            throw new InvalidOperationException($"{trustRootKeyFile} must hold the base64 of a {Curve25519KeyPair.PrivateKeyLength}-byte private key.");
        }
        var trustRoot = Curve25519KeyPair.FromPrivateKey(privateKey);
        var certificate = CertificateFiles.CreateServerCertificate(directory, trustRoot, keyId);
        output.WriteLine($"Server certificate {keyId} for key {Convert.ToBase64String(certificate.PublicKey)}, " +
                         $"signed by trust root {Convert.ToBase64String(trustRoot.PublicKey)} (Certificates__TrustRoot).");
        output.WriteLine($"  {Path.Combine(directory, CertificateFiles.ServerCertificate)}: Certificates__ServerCertificate.");
        output.WriteLine($"  {Path.Combine(directory, CertificateFiles.ServerPrivateKey)} (mode 0600): Certificates__ServerPrivateKey, a secret.");
    }

    /// <summary>Reads <c>--name value</c> pairs after the command name.</summary>
    private static bool TryParseOptions(IReadOnlyList<string> args, out Dictionary<string, string> options, out string problem)
    {
        options = new Dictionary<string, string>(StringComparer.Ordinal);
        problem = string.Empty;
        for (var i = 1; i < args.Count; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count || !options.TryAdd(args[i], args[i + 1]))
            {
                problem = $"Options are --name value pairs, each once: {string.Join(' ', args.Skip(1))}";
                return false;
            }
        }
        return true;
    }
}
