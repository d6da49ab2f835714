using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace E2eeChat.Server.Auth.Passwords;

/// <summary>
/// libsodium's own PHC-string verifier (<c>crypto_pwhash_str_verify</c>), from the libsodium that NSec
/// ships. NSec computes Argon2id with one lane and a 16-byte salt only; hashes stored before the switch
/// to libsodium may have more lanes or another salt length, and this checks those, so that their
/// owners can still log in (and get a hash in libsodium's form).
/// </summary>
internal static class LibsodiumPhcVerifier
{
    public static bool Verify(string phcString, string password)
    {
        // The string was parsed and bounded by Argon2idPhcString: ASCII, at most 256 characters.
        var encoded = Encoding.ASCII.GetBytes(phcString + "\0");
        var passwordBytes = Encoding.UTF8.GetBytes(password);
        try
        {
            return NativeMethods.crypto_pwhash_str_verify(encoded, passwordBytes, (ulong)passwordBytes.Length) == 0;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
        }
    }

    private static class NativeMethods
    {
        // The same library name NSec binds to, resolved to the native asset of the libsodium package.
        [DllImport("libsodium", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories)]
        public static extern int crypto_pwhash_str_verify(byte[] encoded, byte[] password, ulong passwordLength);
    }
}
