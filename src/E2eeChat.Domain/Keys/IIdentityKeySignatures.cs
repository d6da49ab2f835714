namespace E2eeChat.Domain.Keys;

/// <summary>
/// Checks signatures by an account's identity key (XEdDSA, as libsignal signs prekeys). The key
/// rules ask; the host answers with the crypto, so the domain references no crypto package.
/// </summary>
public interface IIdentityKeySignatures
{
    /// <summary>A check of signatures by <paramref name="identityKey"/>, prepared once for every key of an upload.</summary>
    IIdentityKeyVerifier For(byte[] identityKey);
}

/// <summary>Signatures by one identity key; a key that cannot sign verifies nothing.</summary>
public interface IIdentityKeyVerifier
{
    /// <summary>True when <paramref name="signature"/> is the identity key's signature of <paramref name="message"/>.</summary>
    bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature);
}
