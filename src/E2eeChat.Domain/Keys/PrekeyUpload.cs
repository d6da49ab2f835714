namespace E2eeChat.Domain.Keys;

/// <summary>
/// A checked upload, ready to store in one transaction. A null kind is left as it is;
/// a list (even an empty one) replaces every one-time key of its kind.
/// </summary>
public sealed record PrekeyUpload(
    Prekey? SignedPreKey,
    Prekey? PqLastResortPreKey,
    IReadOnlyList<Prekey>? PreKeys,
    IReadOnlyList<Prekey>? PqPreKeys)
{
    /// <summary>Whether any key needs the identity key's signature checked: all but one-time EC keys.</summary>
    public bool HasSignedKeys => SignedPreKey is not null || PqLastResortPreKey is not null || PqPreKeys is { Count: > 0 };
}
