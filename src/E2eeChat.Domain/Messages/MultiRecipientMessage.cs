using System.Buffers.Binary;
using E2eeChat.Domain.Errors;

namespace E2eeChat.Domain.Messages;

/// <summary>One device a multi-recipient message addresses, with the registration id the sender's session holds.</summary>
public readonly record struct MultiRecipientDevice(int DeviceId, int RegistrationId);

/// <summary>One recipient of a multi-recipient message: its devices, and where its 48 bytes of key material lie.</summary>
public sealed record MultiRecipient(Guid UserId, IReadOnlyList<MultiRecipientDevice> Devices, int KeyMaterialOffset);

/// <summary>
/// libsignal's sealed-sender v2 "sent message" (what <c>sealedSenderMultiRecipientEncrypt</c> returns), parsed as far as
/// the server needs to route it: the recipients and their devices, each recipient's key material and the shared payload.
/// The layout (libsignal <c>rust/protocol/src/sealed_sender.rs</c>): a version byte (0x22: recipients as 16-byte UUIDs;
/// 0x23: as 17-byte service ids), a varint count, per recipient its id, its devices (device id byte, then a big-endian
/// u16 whose top bit says another device follows and whose low 14 bits are the registration id) and 32 + 16 bytes of
/// key material; then the shared ephemeral public key (32 bytes) and ciphertext. Each device receives the v2 "received
/// message": 0x22, its recipient's key material, the shared bytes.
/// </summary>
public sealed class MultiRecipientMessage
{
    public const byte UuidVersion = 0x22;
    public const byte ServiceIdVersion = 0x23;

    /// <summary>At most this many recipients, as Signal-Server; a send is also capped by its envelopes and bytes.</summary>
    public const int MaxRecipients = 5000;

    private const int KeyMaterialLength = 32 + 16;
    private const int PublicKeyLength = 32;
    private const byte AciKind = 0x00;
    private const int MaxDeviceId = 127;
    private const int RegistrationIdMask = 0x3FFF;
    private const int HasMoreDevices = 0x8000;

    private readonly byte[] _bytes;

    private MultiRecipientMessage(byte[] bytes, IReadOnlyList<MultiRecipient> recipients, int sharedOffset)
    {
        _bytes = bytes;
        Recipients = recipients;
        SharedOffset = sharedOffset;
    }

    /// <summary>In the order of the message; each user once.</summary>
    public IReadOnlyList<MultiRecipient> Recipients { get; }

    /// <summary>Where the shared bytes (ephemeral public key and ciphertext) start; they run to the end.</summary>
    public int SharedOffset { get; }

    /// <summary>The length of every device's received message: version byte, key material, shared bytes.</summary>
    public int ReceivedMessageLength => 1 + KeyMaterialLength + (_bytes.Length - SharedOffset);

    /// <summary>The bytes libsignal's <c>sealedSenderDecryptMessage</c> opens on every device of <paramref name="recipient"/>.</summary>
    public byte[] ReceivedMessageFor(MultiRecipient recipient)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        var received = new byte[ReceivedMessageLength];
        // The received format has not changed since 0x22, whichever version the sent message has (as libsignal writes it).
        received[0] = UuidVersion;
        _bytes.AsSpan(recipient.KeyMaterialOffset, KeyMaterialLength).CopyTo(received.AsSpan(1));
        _bytes.AsSpan(SharedOffset).CopyTo(received.AsSpan(1 + KeyMaterialLength));
        return received;
    }

    /// <summary>Parses <paramref name="bytes"/>; anything malformed is a 400 <c>invalid_multi_recipient_message</c>.</summary>
    public static MultiRecipientMessage Parse(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length == 0)
        {
            throw Invalid("The body is empty.");
        }
        var version = bytes[0];
        if (version is not (UuidVersion or ServiceIdVersion))
        {
            throw Invalid($"Version byte 0x{version:x2} is not a sealed-sender v2 sent message (0x22 or 0x23).");
        }
        var idLength = version == UuidVersion ? 16 : 17;
        var at = 1;
        var count = ReadCount(bytes, ref at);
        if (count == 0)
        {
            throw Invalid("The message has no recipients.");
        }
        // Each recipient takes at least its id and one device byte: a count beyond that is a lie, refused before allocating.
        if (count > MaxRecipients || count > (bytes.Length - at) / (idLength + 1))
        {
            throw Invalid($"The recipient count {count} is larger than the message holds (or than {MaxRecipients}).");
        }

        var recipients = new List<MultiRecipient>((int)count);
        var seen = new HashSet<Guid>((int)count);
        for (var r = 0; r < count; r++)
        {
            var user = ReadRecipient(bytes, ref at, version, r);
            if (!seen.Add(user))
            {
                throw Invalid($"Recipient {user} appears more than once.");
            }
            var devices = new List<MultiRecipientDevice>(2);
            while (true)
            {
                var deviceId = Take(bytes, ref at, 1, r)[0];
                if (deviceId == 0)
                {
                    throw Invalid(devices.Count == 0
                        ? $"Recipient {user} is excluded (no devices); this server delivers only to addressed devices."
                        : $"Recipient {user} has a device id 0.");
                }
                if (deviceId > MaxDeviceId)
                {
                    throw Invalid($"Recipient {user} has device id {deviceId}, above {MaxDeviceId}.");
                }
                var registration = BinaryPrimitives.ReadUInt16BigEndian(Take(bytes, ref at, 2, r));
                foreach (var device in devices)
                {
                    if (device.DeviceId == deviceId)
                    {
                        throw Invalid($"Recipient {user} names device {deviceId} more than once.");
                    }
                }
                devices.Add(new MultiRecipientDevice(deviceId, registration & RegistrationIdMask));
                if ((registration & HasMoreDevices) == 0)
                {
                    break;
                }
            }
            var keyMaterial = at;
            Take(bytes, ref at, KeyMaterialLength, r);
            recipients.Add(new MultiRecipient(user, devices, keyMaterial));
        }
        if (bytes.Length - at < PublicKeyLength)
        {
            throw Invalid("The shared payload is shorter than its ephemeral public key.");
        }
        return new MultiRecipientMessage(bytes, recipients, at);
    }

    private static uint ReadCount(byte[] bytes, ref int at)
    {
        // A protobuf varint, as libsignal writes the count; five bytes hold any 32-bit value.
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (at >= bytes.Length)
            {
                throw Invalid("The message ends inside its recipient count.");
            }
            var b = bytes[at++];
            if (shift == 28 && b > 0x0F)
            {
                throw Invalid("The recipient count does not fit in 32 bits.");
            }
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
        throw Invalid("The recipient count does not fit in 32 bits.");
    }

    private static Guid ReadRecipient(byte[] bytes, ref int at, byte version, int index)
    {
        if (version == ServiceIdVersion)
        {
            var kind = Take(bytes, ref at, 1, index)[0];
            if (kind != AciKind)
            {
                throw Invalid($"Recipient {index} is not an ACI (service id kind {kind}); accounts here have only ACIs.");
            }
        }
        return new Guid(Take(bytes, ref at, 16, index), bigEndian: true);
    }

    private static ReadOnlySpan<byte> Take(byte[] bytes, ref int at, int length, int recipient)
    {
        if (bytes.Length - at < length)
        {
            throw Invalid($"The message ends inside recipient {recipient}.");
        }
        var span = bytes.AsSpan(at, length);
        at += length;
        return span;
    }

    private static DomainException Invalid(string detail) =>
        DomainException.BadRequest(ErrorCodes.InvalidMultiRecipientMessage, detail);
}
