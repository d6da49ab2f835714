using E2eeChat.Signal.Curve;
using E2eeChat.Testing.Libsignal;
using Xunit;

namespace E2eeChat.Signal.Tests.Curve;

/// <summary>XEdDSA here against real libsignal, both ways.</summary>
public class XEdDsaLibsignalTests
{
    private const int Keys = 64;

    [Fact]
    public async Task Signatures_libsignal_makes_verify_here()
    {
        var signatures = await LibsignalOracle.SignAsync(Keys);

        Assert.All(signatures, s => Assert.True(XEdDsa.Verify(s.PublicKey, s.Message, s.Signature)));
        // Both values of the Edwards sign bit occur among 64 keys (all alike by chance: 2⁻⁶³).
        Assert.Equal(2, signatures.Select(s => s.Signature[^1] >> 7).Distinct().Count());
    }

    [Fact]
    public async Task Signatures_made_here_verify_in_libsignal()
    {
        var signed = Enumerable.Range(0, Keys).Select(i =>
        {
            var key = Curve25519KeyPair.Generate();
            var message = System.Security.Cryptography.RandomNumberGenerator.GetBytes(i * 31);
            return (key.PublicKey, Message: message, Signature: key.Sign(message));
        }).ToArray();

        var verdicts = await LibsignalOracle.VerifyAsync(signed);

        Assert.All(verdicts, Assert.True);
        Assert.Equal(2, signed.Select(s => s.Signature[^1] >> 7).Distinct().Count());
    }

    [Fact]
    public async Task A_flipped_bit_in_the_signature_message_or_key_fails_here_and_in_libsignal()
    {
        var key = Curve25519KeyPair.Generate();
        var message = "05 || u of a signed prekey"u8.ToArray();
        var signature = key.Sign(message);
        var tampered = new List<(byte[] PublicKey, byte[] Message, byte[] Signature)>();
        for (var bit = 0; bit < signature.Length * 8; bit++)
        {
            tampered.Add((key.PublicKey, message, Flip(signature, bit)));
        }
        for (var bit = 0; bit < message.Length * 8; bit += 7)
        {
            tampered.Add((key.PublicKey, Flip(message, bit), signature));
        }
        // Bits of u; the top bit of u is ignored by both sides, so it is left out.
        for (var bit = 8; bit < (key.PublicKey.Length * 8) - 1; bit += 5)
        {
            tampered.Add((Flip(key.PublicKey, bit), message, signature));
        }

        var libsignal = await LibsignalOracle.VerifyAsync(tampered);

        Assert.True(XEdDsa.Verify(key.PublicKey, message, signature));
        Assert.All(tampered, t => Assert.False(XEdDsa.Verify(t.PublicKey, t.Message, t.Signature)));
        Assert.All(libsignal, Assert.False);
    }

    [Fact]
    public async Task Key_pairs_agree_with_libsignal_on_the_public_key_of_a_private_key()
    {
        var fromLibsignal = await LibsignalOracle.SignAsync(8);
        var ours = Enumerable.Range(0, 8).Select(_ => Curve25519KeyPair.Generate()).ToArray();

        var libsignalPublicKeys = await LibsignalOracle.PublicKeysAsync(ours.Select(k => k.ExportPrivateKey()));

        Assert.All(fromLibsignal, s => Assert.Equal(s.PublicKey, Curve25519KeyPair.FromPrivateKey(s.PrivateKey).PublicKey));
        Assert.Equal(ours.Select(k => k.PublicKey), libsignalPublicKeys);
    }

    private static byte[] Flip(byte[] bytes, int bit)
    {
        var copy = (byte[])bytes.Clone();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }
}
