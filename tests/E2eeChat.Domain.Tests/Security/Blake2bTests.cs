using System.Text;
using E2eeChat.Domain.Security;
using Xunit;

namespace E2eeChat.Domain.Tests.Security;

public class Blake2bTests
{
    [Fact]
    public void Blake2b_512_of_abc_matches_rfc7693_appendix_a()
    {
        byte[] digest = new byte[64];

        Blake2b.Hash("abc"u8, digest);

        Assert.Equal(
            Convert.FromHexString(
                "BA80A53F981C4D0D6A2797B69F12F6E94C212F14685AC4B74B12BB6FDBFFA2D1" +
                "7D87C5392AAB792DC252D5DE4533CC9518D38AA8DBF1925AB92386EDD4009923"),
            digest);
    }

    [Fact]
    public void Blake2b_512_of_empty_input_matches_known_digest()
    {
        byte[] digest = new byte[64];

        Blake2b.Hash([], digest);

        Assert.Equal(
            Convert.FromHexString(
                "786A02F742015903C6C6FD852552D272912F4740E15847618A86E217F71F5419" +
                "D25E1031AFEE585313896444934EB04B903A685B1448B755D56F701AFE9BE2CE"),
            digest);
    }

    [Theory]
    [InlineData(0, 16)]
    [InlineData(1, 64)]
    [InlineData(127, 32)]
    [InlineData(128, 64)]
    [InlineData(129, 48)]
    [InlineData(256, 20)]
    [InlineData(257, 64)]
    [InlineData(1000, 33)]
    public void Blake2b_matches_libsodium_around_block_boundaries(int inputLength, int digestLength)
    {
        byte[] input = Pattern(inputLength);
        byte[] digest = new byte[digestLength];

        Blake2b.Hash(input, digest);

        Assert.Equal(Libsodium.GenericHash(input, digestLength), digest);
    }

    [Fact]
    public void Blake2b_fed_in_pieces_equals_one_shot()
    {
        byte[] input = Pattern(300);
        byte[] oneShot = new byte[64];
        Blake2b.Hash(input, oneShot);

        var hasher = new Blake2b(64);
        hasher.Update(input.AsSpan(0, 1));
        hasher.Update(input.AsSpan(1, 127));
        hasher.Update(input.AsSpan(128, 128));
        hasher.Update(input.AsSpan(256));
        byte[] pieces = new byte[64];
        hasher.Finish(pieces);

        Assert.Equal(oneShot, pieces);
    }

    [Fact]
    public void Variable_length_hash_up_to_64_bytes_is_blake2b_of_length_prefixed_input()
    {
        byte[] input = Encoding.ASCII.GetBytes("argon2");
        byte[] expected = new byte[40];
        Blake2b.Hash([40, 0, 0, 0, .. input], expected);
        byte[] actual = new byte[40];

        Blake2b.HashVariableLength(input, actual);

        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void Blake2b_rejects_digest_lengths_outside_1_to_64(int digestLength)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Blake2b(digestLength));
    }

    private static byte[] Pattern(int length)
    {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)((i * 31) + 7);
        }

        return bytes;
    }
}
