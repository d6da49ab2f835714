using System.Runtime.InteropServices;

namespace E2eeChat.Signal.Curve;

/// <summary>
/// The libsodium primitives XEdDSA is built from, from the native library NSec.Cryptography ships
/// (<c>libsodium</c> resolves to it through the application's dependency manifest).
/// </summary>
internal static partial class Libsodium
{
    public const int ScalarLength = 32;
    public const int PointLength = 32;
    public const int NonReducedScalarLength = 64;

    private const string Library = "libsodium";

    private static readonly bool Initialized = sodium_init() >= 0;

    /// <summary>Fails loudly when libsodium cannot start (it then has no safe random source).</summary>
    public static void EnsureInitialized()
    {
        if (!Initialized)
        {
            throw new InvalidOperationException("libsodium failed to initialise (sodium_init).");
        }
    }

    /// <summary>Ed25519 verification: 0 when <paramref name="signature"/> is valid for the message under <paramref name="publicKey"/>.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_sign_ed25519_verify_detached(
        ReadOnlySpan<byte> signature, ReadOnlySpan<byte> message, ulong messageLength, ReadOnlySpan<byte> publicKey);

    /// <summary>scalar × the Ed25519 base point, without clamping the scalar; -1 for the identity.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_scalarmult_ed25519_base_noclamp(Span<byte> point, ReadOnlySpan<byte> scalar);

    /// <summary>Reduces a 64-byte little-endian number modulo the group order L.</summary>
    [LibraryImport(Library)]
    public static partial void crypto_core_ed25519_scalar_reduce(Span<byte> result, ReadOnlySpan<byte> wide);

    /// <summary>x × y mod L.</summary>
    [LibraryImport(Library)]
    public static partial void crypto_core_ed25519_scalar_mul(Span<byte> result, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y);

    /// <summary>x + y mod L.</summary>
    [LibraryImport(Library)]
    public static partial void crypto_core_ed25519_scalar_add(Span<byte> result, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y);

    /// <summary>X25519 public key of a private key (clamped inside); -1 for a degenerate result.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_scalarmult_curve25519_base(Span<byte> publicKey, ReadOnlySpan<byte> privateKey);

    [LibraryImport(Library)]
    private static partial int sodium_init();
}
