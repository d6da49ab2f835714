using System.Runtime.InteropServices;
using System.Security.Cryptography;
using E2eeChat.Signal.Curve;
using Xunit;

namespace E2eeChat.Signal.Tests.Curve;

/// <summary>Our map from Montgomery to Edwards undoes libsodium's map the other way.</summary>
public partial class MontgomeryToEdwardsTests
{
    [Fact]
    public void Converting_libsodiums_montgomery_form_back_gives_the_edwards_y_of_the_point()
    {
        var signs = new HashSet<int>();
        for (var i = 0; i < 200; i++)
        {
            var edwards = RandomEdwardsPoint();
            var u = new byte[32];
            Assert.Equal(0, crypto_sign_ed25519_pk_to_curve25519(u, edwards));
            var y = new byte[32];

            Assert.True(MontgomeryToEdwards.TryConvert(u, y));

            Assert.Equal(0, y[31] >> 7);
            y[31] |= (byte)(edwards[31] & 0x80);
            Assert.Equal(Convert.ToHexString(edwards), Convert.ToHexString(y));
            signs.Add(edwards[31] >> 7);
        }
        Assert.Equal(2, signs.Count);
    }

    [Fact]
    public void U_of_minus_one_has_no_edwards_point()
    {
        var minusOne = Convert.FromHexString("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");

        Assert.False(MontgomeryToEdwards.TryConvert(minusOne, new byte[32]));
    }

    private static byte[] RandomEdwardsPoint()
    {
        var wide = RandomNumberGenerator.GetBytes(64);
        var scalar = new byte[32];
        Libsodium.crypto_core_ed25519_scalar_reduce(scalar, wide);
        var point = new byte[32];
        Assert.Equal(0, Libsodium.crypto_scalarmult_ed25519_base_noclamp(point, scalar));
        return point;
    }

    // The map the other way (Edwards → Montgomery) exists in libsodium; only the tests need it.
    [LibraryImport("libsodium")]
    private static partial int crypto_sign_ed25519_pk_to_curve25519(Span<byte> montgomery, ReadOnlySpan<byte> edwards);
}
