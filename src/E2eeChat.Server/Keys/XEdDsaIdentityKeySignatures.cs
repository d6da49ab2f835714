using E2eeChat.Domain.Keys;
using E2eeChat.Signal.Curve;

namespace E2eeChat.Server.Keys;

/// <summary>The key rules' signature checks, answered with libsignal's XEdDSA.</summary>
internal sealed class XEdDsaIdentityKeySignatures : IIdentityKeySignatures
{
    public IIdentityKeyVerifier For(byte[] identityKey) =>
        XEdDsaPublicKey.TryCreate(identityKey) is { } key ? new Verifier(key) : Unusable.Instance;

    private sealed class Verifier(XEdDsaPublicKey key) : IIdentityKeyVerifier
    {
        public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) => key.Verify(message, signature);
    }

    /// <summary>An identity key that is no Curve25519 key (an account made with random bytes) signs nothing.</summary>
    private sealed class Unusable : IIdentityKeyVerifier
    {
        public static readonly Unusable Instance = new();

        public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) => false;
    }
}
