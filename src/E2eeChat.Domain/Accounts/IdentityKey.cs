using E2eeChat.Domain.Common;
using E2eeChat.Domain.Errors;

namespace E2eeChat.Domain.Accounts;

/// <summary>A libsignal identity public key: 33 bytes (type byte 0x05 + Curve25519 point).</summary>
public static class IdentityKey
{
    public const int Length = 33;

    public static byte[] Decode(string? base64) =>
        Base64Field.Decode(base64, "identityKey", Length, ErrorCodes.InvalidIdentityKey);
}
