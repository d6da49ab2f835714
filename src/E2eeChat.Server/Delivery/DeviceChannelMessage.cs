using System.Buffers;
using System.Text;
using E2eeChat.Domain.Messages;

namespace E2eeChat.Server.Delivery;

/// <summary>What travels on a device's channel; the first byte says which.</summary>
internal enum DeviceChannelKind : byte
{
    /// <summary>An envelope for the device (see <see cref="EnvelopeCodec"/>).</summary>
    Envelope = 1,

    /// <summary>Close the device's connection; the rest is the reason, UTF-8.</summary>
    Revoke = 2,

    /// <summary>The device connected on the instance named in the rest; older connections close.</summary>
    Claim = 3,
}

internal static class DeviceChannelMessage
{
    public static byte[] Envelope(Envelope envelope)
    {
        var payload = new byte[1 + EnvelopeCodec.SizeOf(envelope)];
        payload[0] = (byte)DeviceChannelKind.Envelope;
        EnvelopeCodec.Write(envelope, payload.AsSpan(1));
        return payload;
    }

    public static byte[] Text(DeviceChannelKind kind, string text)
    {
        var payload = new byte[1 + Encoding.UTF8.GetByteCount(text)];
        payload[0] = (byte)kind;
        Encoding.UTF8.GetBytes(text, payload.AsSpan(1));
        return payload;
    }

    public static string ReadText(ReadOnlySpan<byte> payload) => Encoding.UTF8.GetString(payload[1..]);
}
