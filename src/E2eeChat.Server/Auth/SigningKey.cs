using System.Security.Cryptography;
using System.Text;
using E2eeChat.Domain.Sessions;
using E2eeChat.Storage;
using Microsoft.IdentityModel.Tokens;

namespace E2eeChat.Server.Auth;

/// <summary>The HMAC key that signs access tokens: configured, or generated once and kept beside the SQLite file.</summary>
public sealed class SigningKey
{
    public const int MinimumBytes = 32;
    private const string FileName = "jwt-signing.key";

    private SigningKey(byte[] bytes) => Key = new SymmetricSecurityKey(bytes) { KeyId = "e2eechat-1" };

    public SymmetricSecurityKey Key { get; }

    /// <summary>A key of its own for another purpose (HKDF-SHA256 with the purpose as info), so no key serves two uses.</summary>
    public byte[] DeriveKey(string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Key.Key, RefreshTokenSuccessor.KeyBytes, salt: null, info: Encoding.UTF8.GetBytes(purpose));

    public static SigningKey Resolve(AuthOptions auth, StorageOptions storage)
    {
        ArgumentNullException.ThrowIfNull(auth);
        ArgumentNullException.ThrowIfNull(storage);
        if (!string.IsNullOrWhiteSpace(auth.SigningKey))
        {
            return new SigningKey(Decode(auth.SigningKey, "Auth:SigningKey"));
        }
        if (storage.Provider == StorageProvider.Postgres)
        {
            throw new InvalidOperationException(
                "Auth:SigningKey is required in cluster mode (Storage:Provider=Postgres). Set Auth__SigningKey to the " +
                "base64 of at least 32 random bytes (e.g. `openssl rand -base64 32`), the same on every instance.");
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(storage.SqlitePath))!;
        PrivateFiles.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        var fresh = Convert.ToBase64String(RandomNumberGenerator.GetBytes(MinimumBytes));
        if (!PrivateFiles.TryCreate(path, Encoding.ASCII.GetBytes(fresh)))
        {
            PrivateFiles.Restrict(path);
        }
        return new SigningKey(Decode(File.ReadAllText(path).Trim(), path));
    }

    private static byte[] Decode(string base64, string source)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{source} is not valid base64.");
        }
        if (bytes.Length < MinimumBytes)
        {
            throw new InvalidOperationException($"{source} must decode to at least {MinimumBytes} bytes.");
        }
        return bytes;
    }
}
