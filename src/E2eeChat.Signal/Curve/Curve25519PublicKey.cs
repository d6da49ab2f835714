namespace E2eeChat.Signal.Curve;

/// <summary>libsignal's serialized Curve25519 public key: the type byte 0x05 and the 32-byte u-coordinate.</summary>
public static class Curve25519PublicKey
{
    public const int Length = 33;
    public const byte TypeByte = 0x05;

    public static bool IsWellFormed(ReadOnlySpan<byte> serialized) =>
        serialized.Length == Length && serialized[0] == TypeByte;
}
