using System.Buffers;
using System.Text.Json;
using E2eeChat.Domain.Messages;
using MessagePack;

namespace E2eeChat.Benchmarks;

/// <summary>
/// Realistic inputs for the per-envelope benchmarks: a 1 → 2-device send of 1 KiB ciphertexts as a client puts it
/// on the wire (REST JSON body, JSON and MessagePack hub invocations of <c>Send</c>), and one stored envelope.
/// </summary>
internal static class EnvelopeSamples
{
    public const int ContentBytes = 1024;

    public static readonly Guid Sender = Guid.Parse("0193a5c2-7b1e-7c44-9f5e-1d2c3b4a5968");
    public static readonly Guid Destination = Guid.Parse("0193a5c2-8d07-7a31-8e2f-6a5b4c3d2e1f");
    public static readonly DeviceAddress[] DestinationDevices = [new(Destination, 1, 4242), new(Destination, 2, 9137)];
    public static readonly long Timestamp = 1_796_000_000_000;
    public const string MessageId = "0193a5c2-9e11-7f02-b3c4-d5e6f7a8b9c0";

    /// <summary>One ciphertext per destination device, as a client encrypts one per device.</summary>
    public static readonly byte[][] Contents = [Random(ContentBytes, seed: 1), Random(ContentBytes, seed: 2)];

    /// <summary>The body of <c>PUT /api/v1/messages/{userId}</c>, UTF-8.</summary>
    public static byte[] JsonBody() => Json(writer => WriteJsonSend(writer));

    /// <summary>A JSON hub protocol frame: <c>Send(destinationUserId, request)</c>, with its record separator.</summary>
    public static byte[] JsonHubInvocation()
    {
        var frame = Json(writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("type", 1);
            writer.WriteString("invocationId", "7");
            writer.WriteString("target", "Send");
            writer.WriteStartArray("arguments");
            writer.WriteStringValue(Destination);
            WriteJsonSend(writer);
            writer.WriteEndArray();
            writer.WriteEndObject();
        });
        return [.. frame, 0x1e];
    }

    /// <summary>A MessagePack hub protocol frame of the same invocation, content as bin, length-prefixed.</summary>
    public static byte[] MessagePackHubInvocation()
    {
        var body = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(body);
        writer.WriteArrayHeader(6);
        writer.Write(1);
        writer.WriteMapHeader(0);
        writer.Write("7");
        writer.Write("Send");
        writer.WriteArrayHeader(2);
        writer.Write(Destination.ToString());
        writer.WriteMapHeader(3);
        writer.Write("messages");
        writer.WriteArrayHeader(DestinationDevices.Length);
        for (var i = 0; i < DestinationDevices.Length; i++)
        {
            writer.WriteMapHeader(4);
            writer.Write("destinationDeviceId");
            writer.Write(DestinationDevices[i].DeviceId);
            writer.Write("destinationRegistrationId");
            writer.Write(DestinationDevices[i].RegistrationId);
            writer.Write("type");
            writer.Write(EnvelopeType.Whisper);
            writer.Write("content");
            writer.Write(Contents[i]);
        }
        writer.Write("timestamp");
        writer.Write(Timestamp);
        writer.Write("messageId");
        writer.Write(MessageId);
        writer.WriteArrayHeader(0);
        writer.Flush();

        // The frame's length as a varint, 7 bits at a time, low bits first.
        var prefix = new List<byte>();
        var length = body.WrittenCount;
        do
        {
            var low = (byte)(length & 0x7f);
            length >>= 7;
            prefix.Add(length > 0 ? (byte)(low | 0x80) : low);
        }
        while (length > 0);
        return [.. prefix, .. body.WrittenSpan];
    }

    /// <summary>The send as the domain is given it by either protocol's reader.</summary>
    public static SendMessages DomainSend()
    {
        var messages = new OutgoingMessage[DestinationDevices.Length];
        for (var i = 0; i < messages.Length; i++)
        {
            messages[i] = new OutgoingMessage(null, DestinationDevices[i].DeviceId, DestinationDevices[i].RegistrationId,
                EnvelopeType.Whisper, EnvelopeContent.FromBytes(Contents[i]));
        }
        return new SendMessages(messages, Timestamp, MessageId, Online: null, TtlSeconds: null);
    }

    /// <summary>An envelope as the store returns it and the pump delivers it to device 2.</summary>
    public static Envelope StoredEnvelope() => new(
        Guid.Parse("0193a5c2-9e12-7b55-a1b2-c3d4e5f60718"), Guid.Parse(MessageId), EnvelopeType.Whisper, Sender, 1, RoomId: null,
        Destination, 2, Sequence: 18_204, Timestamp, Timestamp + 37, Contents[1], ExpiresAt: null);

    private static void WriteJsonSend(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("messages");
        for (var i = 0; i < DestinationDevices.Length; i++)
        {
            writer.WriteStartObject();
            writer.WriteNumber("destinationDeviceId", DestinationDevices[i].DeviceId);
            writer.WriteNumber("destinationRegistrationId", DestinationDevices[i].RegistrationId);
            writer.WriteNumber("type", EnvelopeType.Whisper);
            writer.WriteBase64String("content", Contents[i]);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteNumber("timestamp", Timestamp);
        writer.WriteString("messageId", MessageId);
        writer.WriteEndObject();
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
