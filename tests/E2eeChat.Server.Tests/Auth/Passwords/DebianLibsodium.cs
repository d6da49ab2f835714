using System.Runtime.InteropServices;
using System.Text;
using Xunit;

namespace E2eeChat.Server.Tests.Auth.Passwords;

/// <summary>
/// Debian's libsodium23 (a separate build and release of libsodium from the one NSec ships), the
/// implementation our stored hashes are checked against in both directions. Its absence fails the
/// tests rather than skipping them, so the cross-check can never silently stop running.
/// </summary>
internal static class DebianLibsodium
{
    private const int AlgArgon2id13 = 2;
    private const string Library = "libsodium.so.23";
    private const int StrBytes = 128;

    private static readonly Lazy<string?> LoadError = new(Load);

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

    /// <summary>Fails the calling test, with the fix, when libsodium23 is missing.</summary>
    private static void Require()
    {
        if (LoadError.Value is { } error)
        {
            Assert.Fail(error);
        }
    }

    private static string? Load()
    {
        // By its versioned file name, so that it can never resolve to the libsodium NSec ships.
        if (!NativeLibrary.TryLoad(Library, out _))
        {
            return $"{Library} could not be loaded. The Argon2id cross-checks need Debian's libsodium23: " +
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
    }
}
