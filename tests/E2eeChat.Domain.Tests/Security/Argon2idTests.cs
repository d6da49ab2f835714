using System.Runtime.Intrinsics.X86;
using E2eeChat.Domain.Security;
using Xunit;

namespace E2eeChat.Domain.Tests.Security;

public class Argon2idTests
{
    [Fact]
    public void Argon2id_matches_rfc9106_test_vector()
    {
        byte[] tag = new byte[32];

        Argon2id.DeriveBytes(
            password: Filled(32, 0x01),
            salt: Filled(16, 0x02),
            secret: Filled(8, 0x03),
            associatedData: Filled(12, 0x04),
            memoryKiB: 32,
            iterations: 3,
            parallelism: 4,
            tag);

        Assert.Equal(
            Convert.FromHexString("0D640DF58D78766C08C037A34A8B53C9D01EF0452D75B65EB52520E96B01E659"),
            tag);
    }

    // Memory 10 KiB is not a multiple of 4 blocks, 256 KiB with 3 passes wraps the
    // reference window, and tags over 64 bytes take H's chained form.
    [Theory]
    [InlineData(8, 1, 32)]
    [InlineData(10, 1, 32)]
    [InlineData(64, 2, 16)]
    [InlineData(64, 2, 64)]
    [InlineData(64, 2, 65)]
    [InlineData(64, 2, 100)]
    [InlineData(64, 2, 128)]
    [InlineData(256, 3, 32)]
    [InlineData(1024, 4, 1000)]
    public void Argon2id_matches_libsodium(int memoryKiB, int iterations, int tagLength)
    {
        byte[] password = "correct horse battery staple"u8.ToArray();
        byte[] salt = Convert.FromHexString("00112233445566778899AABBCCDDEEFF");
        byte[] tag = new byte[tagLength];

        Argon2id.DeriveBytes(password, salt, [], [], memoryKiB, iterations, 1, tag);

        Assert.Equal(Libsodium.Pwhash(password, salt, iterations, memoryKiB, tagLength), tag);
    }

    [Fact]
    public void Argon2id_vector_and_scalar_permutations_agree()
    {
        if (!Avx2.IsSupported)
        {
            // Only the scalar path exists here, and the vector tests above exercise it.
            return;
        }

        ulong[] scalar = new ulong[Argon2Compression.BlockWords];
        var random = new Random(9106);
        for (int i = 0; i < scalar.Length; i++)
        {
            scalar[i] = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 63);
        }

        ulong[] vector = (ulong[])scalar.Clone();

        Argon2Compression.PermuteScalar(scalar);
        Argon2Compression.PermuteVector(vector);

        Assert.Equal(scalar, vector);
    }

    [Fact]
    public void Argon2id_with_secret_or_associated_data_gives_a_different_tag()
    {
        byte[] salt = Filled(16, 0x02);
        byte[] plain = new byte[32];
        byte[] withSecret = new byte[32];
        byte[] withData = new byte[32];

        Argon2id.DeriveBytes("pw"u8, salt, [], [], 32, 1, 1, plain);
        Argon2id.DeriveBytes("pw"u8, salt, [1], [], 32, 1, 1, withSecret);
        Argon2id.DeriveBytes("pw"u8, salt, [], [1], 32, 1, 1, withData);

        Assert.NotEqual(plain, withSecret);
        Assert.NotEqual(plain, withData);
        Assert.NotEqual(withSecret, withData);
    }

    [Theory]
    [InlineData(16, 1, 1, 7, 32)]
    [InlineData(31, 1, 4, 16, 32)]
    [InlineData(32, 0, 1, 16, 32)]
    [InlineData(32, 1, 0, 16, 32)]
    [InlineData(32, 1, 1, 16, 3)]
    public void Argon2id_rejects_parameters_outside_rfc9106(
        int memoryKiB, int iterations, int parallelism, int saltLength, int tagLength)
    {
        byte[] salt = new byte[saltLength];
        byte[] tag = new byte[tagLength];

        Assert.ThrowsAny<ArgumentException>(
            () => Argon2id.DeriveBytes("pw"u8, salt, [], [], memoryKiB, iterations, parallelism, tag));
    }

    private static byte[] Filled(int length, byte value)
    {
        byte[] bytes = new byte[length];
        Array.Fill(bytes, value);
        return bytes;
    }
}
