namespace E2eeChat.Scaleout;

/// <summary>
/// Names one lifetime manager instance: 16 random bytes on the wire, 32 hex digits in channel names.
/// Every message it publishes carries it, so the instance can recognise its own echo.
/// </summary>
internal readonly record struct ServerId(Guid Value)
{
    public const int Size = 16;

    public string Name => Value.ToString("N");

    public static ServerId New() => new(Guid.NewGuid());

    public static ServerId Read(ReadOnlySpan<byte> bytes) => new(new Guid(bytes[..Size]));

    public void Write(Span<byte> destination)
    {
        if (!Value.TryWriteBytes(destination))
        {
            throw new ArgumentException("The destination is too small for a server id.", nameof(destination));
        }
    }

    public bool Matches(ReadOnlySpan<byte> bytes) => bytes.Length >= Size && new Guid(bytes[..Size]) == Value;
}
