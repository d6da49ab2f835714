using System.Security.Cryptography;
using E2eeChat.Signal.Certificates;
using E2eeChat.Signal.Curve;

namespace E2eeChat.Server.Certificates;

/// <summary>
/// The files the <c>certificates</c> commands write and the embedded default keeps in
/// <c>./data/sealed-sender</c>: base64 text, private keys created with mode 0600, nothing overwritten.
/// </summary>
internal static class CertificateFiles
{
    public const string TrustRootKey = "trust-root.key";
    public const string TrustRootPublicKey = "trust-root.pub";
    public const string ServerCertificate = "server-certificate";
    public const string ServerPrivateKey = "server-certificate.key";

    /// <summary>A new trust root: <c>trust-root.key</c> (0600) and <c>trust-root.pub</c> in <paramref name="directory"/>.</summary>
    public static Curve25519KeyPair CreateTrustRoot(string directory)
    {
        EnsureAbsent(directory, TrustRootKey, TrustRootPublicKey);
        var trustRoot = Curve25519KeyPair.Generate();
        Directory.CreateDirectory(directory);
        WriteSecret(Path.Combine(directory, TrustRootKey), trustRoot.ExportPrivateKey());
        WritePublic(Path.Combine(directory, TrustRootPublicKey), trustRoot.PublicKey);
        return trustRoot;
    }

    /// <summary>
    /// A new server key certified by <paramref name="trustRoot"/> under <paramref name="keyId"/>:
    /// <c>server-certificate</c> and <c>server-certificate.key</c> (0600) in <paramref name="directory"/>.
    /// </summary>
    public static ServerCertificate CreateServerCertificate(string directory, Curve25519KeyPair trustRoot, uint keyId)
    {
        EnsureAbsent(directory, ServerCertificate, ServerPrivateKey);
        var serverKey = Curve25519KeyPair.Generate();
        var certificate = Signal.Certificates.ServerCertificate.Create(trustRoot, keyId, serverKey.PublicKey);
        Directory.CreateDirectory(directory);
        WriteSecret(Path.Combine(directory, ServerPrivateKey), serverKey.ExportPrivateKey());
        WritePublic(Path.Combine(directory, ServerCertificate), certificate.Serialized);
        return certificate;
    }

    public static byte[] Read(string path) => Decode(File.ReadAllText(path), path);

    /// <summary>Base64 from a file or a setting; <paramref name="source"/> names it in the error.</summary>
    public static byte[] Decode(string base64, string source)
    {
        try
        {
            return Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{source} is not valid base64.");
        }
    }

    private static void EnsureAbsent(string directory, params string[] names)
    {
        foreach (var name in names)
        {
            var path = Path.Combine(directory, name);
            if (File.Exists(path))
            {
                throw new InvalidOperationException($"{path} already exists; a key is never overwritten. Choose another directory.");
            }
        }
    }

    private static void WritePublic(string path, byte[] content)
    {
        using var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write });
        Write(file, content);
    }

    /// <summary>Created 0600 before a byte is written, so no other user can ever read it.</summary>
    private static void WriteSecret(string path, byte[] content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        try
        {
            using var file = new FileStream(path, options);
            Write(file, content);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(content);
        }
    }

    private static void Write(FileStream file, byte[] content)
    {
        using var writer = new StreamWriter(file);
        writer.WriteLine(Convert.ToBase64String(content));
    }
}
