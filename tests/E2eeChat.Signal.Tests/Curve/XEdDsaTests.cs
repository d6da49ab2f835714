using E2eeChat.Signal.Curve;
using Xunit;

namespace E2eeChat.Signal.Tests.Curve;

public class XEdDsaTests
{
    // libsignal's own known-answer vector (rust/core/src/curve/curve25519.rs, test_signature):
    // Alice's identity key signs her serialized ephemeral key.
    private static readonly byte[] AlicePrivate = Convert.FromHexString(
        "c097248412e58bf05df487968205132794178e367637f5818f81e0e6ce73e865");
    private static readonly byte[] AlicePublic = Convert.FromHexString(
        "05ab7e717d4a163b7d9a1d8071dfe9dcf8cdcd1cea3339b6356be84d887e322c64");
    private static readonly byte[] AliceEphemeral = Convert.FromHexString(
        "05edce9d9c415ca78cb7252e72c2c4a554d3eb29485a0e1d503118d1a82d99fb4a");
    private static readonly byte[] AliceSignature = Convert.FromHexString(
        "5de88ca9a89b4a115da79109c67c9c7464a3e4180274f1cb8c63c2984e286dfb" +
        "ede82deb9dcd9fae0bfbb821569b3d9001bd8130cd11d486cef047bd60b86e88");

    [Fact]
    public void Libsignal_test_vector_verifies_and_each_flipped_byte_fails()
    {
        Assert.Equal(AlicePublic, Curve25519KeyPair.FromPrivateKey(AlicePrivate).PublicKey);
        Assert.True(XEdDsa.Verify(AlicePublic, AliceEphemeral, AliceSignature));
        for (var i = 0; i < AliceSignature.Length; i++)
        {
            var copy = (byte[])AliceSignature.Clone();
            copy[i] ^= 0x01;
            Assert.False(XEdDsa.Verify(AlicePublic, AliceEphemeral, copy), $"byte {i} flipped");
        }
    }

    [Fact]
    public void A_key_signs_what_it_verifies_and_two_signatures_of_one_message_differ()
    {
        var key = Curve25519KeyPair.FromPrivateKey(AlicePrivate);

        var first = key.Sign(AliceEphemeral);
        var second = key.Sign(AliceEphemeral);

        Assert.True(XEdDsa.Verify(AlicePublic, AliceEphemeral, first));
        Assert.True(XEdDsa.Verify(AlicePublic, AliceEphemeral, second));
        Assert.NotEqual(first, second);
        // The sign bit is the Edwards key's, the same in every signature by one key.
        Assert.Equal(AliceSignature[^1] >> 7, first[^1] >> 7);
    }

    [Fact]
    public void Malformed_input_is_false_not_an_exception()
    {
        var wrongType = (byte[])AlicePublic.Clone();
        wrongType[0] = 0x08;
        var minusOne = new byte[33];
        minusOne[0] = 0x05;
        Convert.FromHexString("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f").CopyTo(minusOne, 1);

        Assert.False(XEdDsa.Verify(wrongType, AliceEphemeral, AliceSignature));
        Assert.False(XEdDsa.Verify(AlicePublic[1..], AliceEphemeral, AliceSignature));
        Assert.False(XEdDsa.Verify(AlicePublic, AliceEphemeral, AliceSignature[..63]));
        Assert.False(XEdDsa.Verify(AlicePublic, AliceEphemeral, new byte[64]));
        Assert.False(XEdDsa.Verify(minusOne, AliceEphemeral, AliceSignature));
        Assert.False(XEdDsa.Verify(new byte[33] { 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, AliceEphemeral, AliceSignature));
    }

    [Fact]
    public void Private_keys_are_clamped_as_libsignal_serializes_them()
    {
        var unclamped = Enumerable.Repeat((byte)0xFF, 32).ToArray();

        var key = Curve25519KeyPair.FromPrivateKey(unclamped);
        var exported = key.ExportPrivateKey();

        Assert.Equal(0xF8, exported[0]);
        Assert.Equal(0x7F, exported[31]);
        Assert.Equal(key.PublicKey, Curve25519KeyPair.FromPrivateKey(exported).PublicKey);
    }
}
