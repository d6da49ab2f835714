namespace E2eeChat.Domain.Keys;

/// <summary>One key as a client sends it: base64 fields, not yet checked.</summary>
public sealed record PrekeyInput(long? KeyId, string? PublicKey, string? Signature);

/// <summary>A device's key upload as a client sends it. Each kind it names replaces that kind.</summary>
public sealed record UploadPrekeys(
    PrekeyInput? SignedPreKey,
    PrekeyInput? PqLastResortPreKey,
    IReadOnlyList<PrekeyInput?>? PreKeys,
    IReadOnlyList<PrekeyInput?>? PqPreKeys);
