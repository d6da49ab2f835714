using System.Text;
using E2eeChat.Storage;

namespace E2eeChat.Server.Push;

/// <summary>
/// <c>push create-vapid-keys [--out DIR]</c>: the VAPID key pair cluster mode needs. Prints only the public key; the
/// private key goes to a file created with mode 0600. Existing files are never overwritten.
/// </summary>
public static class PushCommands
{
    public const string Name = "push";
    public const string PublicKeyFile = "vapid-public-key";
    public const string PrivateKeyFile = "vapid-private-key";

    private const string Usage = """
        Usage:
          push create-vapid-keys [--out DIR]
              A new VAPID key pair (ECDSA P-256, RFC 8292), each file one base64url line:
              DIR/vapid-public-key (Push__VapidPublicKey; browsers subscribe with it) and
              DIR/vapid-private-key (mode 0600; Push__VapidPrivateKey, a secret).
        DIR defaults to the current directory. Existing files are never overwritten.
        """;

    /// <summary>Runs a command; 0 when done, 1 when it failed, 2 for a usage error.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var valid = args.Count switch
        {
            1 => args[0] == "create-vapid-keys",
            3 => args[0] == "create-vapid-keys" && args[1] == "--out",
            _ => false,
        };
        if (!valid)
        {
            error.WriteLine($"Unknown command or options: {string.Join(' ', args)}");
            error.WriteLine(Usage);
            return 2;
        }
        var directory = Path.GetFullPath(args.Count == 3 ? args[2] : ".");
        try
        {
            var publicPath = Path.Combine(directory, PublicKeyFile);
            var privatePath = Path.Combine(directory, PrivateKeyFile);
            if (File.Exists(publicPath) || File.Exists(privatePath))
            {
                throw new IOException($"{directory} holds VAPID keys already; nothing was overwritten.");
            }
            Directory.CreateDirectory(directory);
            var (publicKey, privateKey) = VapidKeys.Generate();
            if (!PrivateFiles.TryCreate(privatePath, Encoding.ASCII.GetBytes(privateKey + "\n")))
            {
                throw new IOException($"{privatePath} exists; nothing was overwritten.");
            }
            using (var file = new FileStream(publicPath, FileMode.CreateNew, FileAccess.Write))
            {
                file.Write(Encoding.ASCII.GetBytes(publicKey + "\n"));
            }
            output.WriteLine($"VAPID public key: {publicKey}");
            output.WriteLine($"  {publicPath}: Push__VapidPublicKey, and the browsers' applicationServerKey.");
            output.WriteLine($"  {privatePath} (mode 0600): Push__VapidPrivateKey, a secret.");
            return 0;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            error.WriteLine(exception.Message);
            return 1;
        }
    }
}
