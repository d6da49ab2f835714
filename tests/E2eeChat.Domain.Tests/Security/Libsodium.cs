using System.Runtime.InteropServices;
using System.Text;
using Xunit;

namespace E2eeChat.Domain.Tests.Security;

/// <summary>
/// Debian's libsodium23, the independent Argon2id and BLAKE2b implementation we
/// check ours against. Its absence fails the tests rather than skipping them, so
/// the cross-check can never silently stop running.
/// </summary>
internal static class Libsodium
{
    public const int AlgArgon2id13 = 2;
    private const string Library = "libsodium.so.23";
    private const int StrBytes = 128;

    private static readonly Lazy<string?> LoadError = new(Load);

    /// <summary>Fails the calling test, with the fix, when libsodium23 is missing.</summary>
    public static void Require()
    {
        if (LoadError.Value is { } error)
        {
            Assert.Fail(error);
        }
    }

    public static string PwhashStr(string password, int iterations, int memoryKiB)
    {
        Require();
        byte[] output = new byte[StrBytes];
        byte[] passwordBytes = Encoding.UTF8.GetBytes(password);
        int result = NativeMethods.crypto_pwhash_str_alg(
            output, passwordBytes, (ulong)passwordBytes.Length, (ulong)iterations, (nuint)memoryKiB * 1024, AlgArgon2id13);
        Assert.True(result == 0, "crypto_pwhash_str_alg failed");
        return Encoding.ASCII.GetString(output, 0, Array.IndexOf(output, (byte)0));
    }

    public static bool PwhashStrVerify(string phcString, string password)
    {
        Require();
        byte[] passwordBytes = Encoding.UTF8.GetBytes(password);
        return NativeMethods.crypto_pwhash_str_verify(
            Encoding.ASCII.GetBytes(phcString + "\0"), passwordBytes, (ulong)passwordBytes.Length) == 0;
    }

    /// <summary>Raw Argon2id output; libsodium fixes the salt at 16 bytes and the lanes at 1.</summary>
    public static byte[] Pwhash(byte[] password, byte[] salt, int iterations, int memoryKiB, int outputLength)
    {
        Require();
        byte[] output = new byte[outputLength];
        int result = NativeMethods.crypto_pwhash(
            output, (ulong)outputLength, password, (ulong)password.Length, salt,
            (ulong)iterations, (nuint)memoryKiB * 1024, AlgArgon2id13);
        Assert.True(result == 0, "crypto_pwhash failed");
        return output;
    }

    public static byte[] GenericHash(byte[] input, int outputLength)
    {
        Require();
        byte[] output = new byte[outputLength];
        int result = NativeMethods.crypto_generichash(output, (nuint)outputLength, input, (ulong)input.Length, null, 0);
        Assert.True(result == 0, "crypto_generichash failed");
        return output;
    }

    private static string? Load()
    {
        if (!NativeLibrary.TryLoad(Library, out _))
        {
            return $"{Library} could not be loaded. The Argon2id and BLAKE2b cross-checks need Debian's libsodium23: " +
                "run `apt-get install -y libsodium23` (the README's test command does this).";
        }

        return NativeMethods.sodium_init() < 0 ? "sodium_init failed." : null;
    }

    private static class NativeMethods
    {
        [DllImport(Library)]
        public static extern int sodium_init();

        [DllImport(Library)]
        public static extern int crypto_pwhash_str_alg(
            byte[] output, byte[] password, ulong passwordLength, ulong opsLimit, nuint memLimit, int algorithm);

        [DllImport(Library)]
        public static extern int crypto_pwhash_str_verify(byte[] phcString, byte[] password, ulong passwordLength);

        [DllImport(Library)]
        public static extern int crypto_pwhash(
            byte[] output, ulong outputLength, byte[] password, ulong passwordLength, byte[] salt,
            ulong opsLimit, nuint memLimit, int algorithm);

        [DllImport(Library)]
        public static extern int crypto_generichash(
            byte[] output, nuint outputLength, byte[] input, ulong inputLength, byte[]? key, nuint keyLength);
    }
}
