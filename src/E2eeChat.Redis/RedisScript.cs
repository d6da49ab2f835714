using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace E2eeChat.Redis;

/// <summary>
/// A Lua script and its SHA1, computed once here, so it is sent by hash (EVALSHA) and its body
/// only when the server has not cached it yet (after a restart or SCRIPT FLUSH). Keep one
/// instance per script, in a static field.
/// </summary>
public sealed class RedisScript
{
    [SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms",
        Justification = "Redis names cached scripts by SHA1; it is an identifier here, not a security measure.")]
    public RedisScript(string source)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        Source = source;
        Sha1 = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(source)));
    }

    public string Source { get; }

    /// <summary>Lower-case hex, as Redis prints it.</summary>
    public string Sha1 { get; }

    public override string ToString() => $"RedisScript({Sha1})";
}
