using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace E2eeChat.Testing.Libsignal;

/// <summary>A signature libsignal made: the signer's keys, the message and the signature.</summary>
public sealed record LibsignalSignature(byte[] PrivateKey, byte[] PublicKey, byte[] Message, byte[] Signature);

/// <summary>
/// Real <c>@signalapp/libsignal-client</c>, asked through <c>clients/js/tools/libsignal-oracle.js</c> in a
/// <c>node</c> process per question. Its absence fails the calling test with the fix, never skips it.
/// </summary>
public static class LibsignalOracle
{
    private const string Script = "tools/libsignal-oracle.js";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly Lazy<string> ClientDirectory = new(FindClientDirectory);

    public static async Task<IReadOnlyList<LibsignalSignature>> SignAsync(int count)
    {
        var answer = await AskAsync(new JsonObject { ["op"] = "sign", ["count"] = count });
        return answer.AsArray().Select(item => new LibsignalSignature(
            Bytes(item!["privateKey"]), Bytes(item["publicKey"]), Bytes(item["message"]), Bytes(item["signature"]))).ToArray();
    }

    /// <summary>The serialized public key libsignal derives from each private key.</summary>
    public static async Task<IReadOnlyList<byte[]>> PublicKeysAsync(IEnumerable<byte[]> privateKeys)
    {
        var answer = await AskAsync(new JsonObject
        {
            ["op"] = "publicKeys",
            ["privateKeys"] = new JsonArray(privateKeys.Select(key => (JsonNode)Convert.ToBase64String(key)).ToArray()),
        });
        return answer.AsArray().Select(Bytes).ToArray();
    }

    /// <summary><c>PublicKey.verify</c> for each (public key, message, signature).</summary>
    public static async Task<IReadOnlyList<bool>> VerifyAsync(IEnumerable<(byte[] PublicKey, byte[] Message, byte[] Signature)> items)
    {
        var answer = await AskAsync(new JsonObject
        {
            ["op"] = "verify",
            ["items"] = new JsonArray(items.Select(item => (JsonNode)new JsonObject
            {
                ["publicKey"] = Convert.ToBase64String(item.PublicKey),
                ["message"] = Convert.ToBase64String(item.Message),
                ["signature"] = Convert.ToBase64String(item.Signature),
            }).ToArray()),
        });
        return answer.AsArray().Select(item => item!.GetValue<bool>()).ToArray();
    }

    /// <summary><c>ServerCertificate.deserialize</c>: <c>{keyId, key, signedByTrustRoot}</c>.</summary>
    public static async Task<JsonObject> ServerCertificateAsync(byte[] certificate, byte[] trustRoot) =>
        (await AskAsync(new JsonObject
        {
            ["op"] = "serverCertificate",
            ["certificate"] = Convert.ToBase64String(certificate),
            ["trustRoot"] = Convert.ToBase64String(trustRoot),
        })).AsObject();

    /// <summary>
    /// <c>SenderCertificate.deserialize</c> and <c>validate(trustRoot, now)</c>:
    /// <c>{senderUuid, senderAci, senderDeviceId, expiration, identityKey, serverKeyId, valid}</c>.
    /// </summary>
    public static async Task<JsonObject> SenderCertificateAsync(byte[] certificate, byte[] trustRoot, DateTimeOffset now) =>
        (await AskAsync(new JsonObject
        {
            ["op"] = "senderCertificate",
            ["certificate"] = Convert.ToBase64String(certificate),
            ["trustRoot"] = Convert.ToBase64String(trustRoot),
            ["now"] = now.ToUnixTimeMilliseconds(),
        })).AsObject();

    /// <summary>
    /// libsignal's own <c>SenderCertificate.new</c> with this server certificate and private key, then
    /// <c>validate(trustRoot, now)</c>: whether the three fit together as a Signal server's would.
    /// </summary>
    public static async Task<bool> IssuesValidSenderCertificateAsync(byte[] serverCertificate, byte[] serverPrivateKey,
        byte[] trustRoot, byte[] identityKey, DateTimeOffset now)
    {
        var answer = await AskAsync(new JsonObject
        {
            ["op"] = "issueSenderCertificate",
            ["serverCertificate"] = Convert.ToBase64String(serverCertificate),
            ["serverPrivateKey"] = Convert.ToBase64String(serverPrivateKey),
            ["trustRoot"] = Convert.ToBase64String(trustRoot),
            ["senderUuid"] = Guid.NewGuid().ToString(),
            ["deviceId"] = 1,
            ["identityKey"] = Convert.ToBase64String(identityKey),
            ["expiration"] = now.AddDays(1).ToUnixTimeMilliseconds(),
            ["now"] = now.ToUnixTimeMilliseconds(),
        });
        return answer["valid"]!.GetValue<bool>();
    }

    private static async Task<JsonNode> AskAsync(JsonObject request)
    {
        var info = new ProcessStartInfo("node")
        {
            ArgumentList = { Script },
            WorkingDirectory = ClientDirectory.Value,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("node did not start.");
        using var timeout = new CancellationTokenSource(Timeout);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.StandardInput.WriteAsync(request.ToJsonString().AsMemory(), timeout.Token);
        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"libsignal ({Script}) did not answer within {Timeout}.");
        }
        var text = await output;
        Assert.True(process.ExitCode == 0, $"libsignal ({Script} {request["op"]}) failed: {await errors}");
        return JsonNode.Parse(text) ?? throw new JsonException("libsignal answered null.");
    }

    private static byte[] Bytes(JsonNode? node) => Convert.FromBase64String(node!.GetValue<string>());

    private static string FindClientDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "clients", "js");
            if (File.Exists(Path.Combine(candidate, Script)))
            {
                Assert.True(Directory.Exists(Path.Combine(candidate, "node_modules", "@signalapp", "libsignal-client")),
                    $"libsignal is not installed in {candidate}: run `npm ci` there (./test.sh does it before the .NET tests).");
                return candidate;
            }
        }
        throw new InvalidOperationException($"clients/js/{Script} not found above {AppContext.BaseDirectory}.");
    }
}
