using System.Globalization;
using E2eeChat.Domain.Devices;
using E2eeChat.Domain.Errors;

namespace E2eeChat.Domain.Messages;

/// <summary>Checks a send's shape and its envelopes: 400 for what is malformed, 413 for what is too big.</summary>
internal static class SendParser
{
    public const int MaxEnvelopesPerSend = 1000;
    public const int MaxMessageIdLength = 64;

    /// <summary>Up to this many envelopes (nearly every send) a linear search finds a repeated device, allocating no set.</summary>
    private const int SmallSend = 16;

    public static List<PendingEnvelope> Envelopes(SendMessages request, Guid? defaultUser, MessagingOptions options)
    {
        var messages = request.Messages;
        if (messages is null || messages.Count == 0)
        {
            throw Invalid("messages must hold one envelope per destination device.");
        }
        if (messages.Count > MaxEnvelopesPerSend)
        {
            throw Invalid($"messages may hold at most {MaxEnvelopesPerSend} envelopes.");
        }
        if (request.Timestamp is not > 0)
        {
            throw Invalid("timestamp (Unix milliseconds, from the sender's clock) is required.");
        }

        var envelopes = new List<PendingEnvelope>(messages.Count);
        var seen = messages.Count > SmallSend ? new HashSet<(Guid, int)>(messages.Count) : null;
        long total = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i] ?? throw Invalid($"messages[{i}] is null.");
            var user = message.DestinationUserId ?? defaultUser
                ?? throw Invalid($"messages[{i}].destinationUserId is required.");
            if (message.DestinationDeviceId is not >= DeviceRules.PrimaryDeviceId)
            {
                throw Invalid($"messages[{i}].destinationDeviceId must be a device id (1 or more).");
            }
            if (message.DestinationRegistrationId is not (>= DeviceRules.MinRegistrationId and <= DeviceRules.MaxRegistrationId))
            {
                throw Invalid($"messages[{i}].destinationRegistrationId must be from {DeviceRules.MinRegistrationId} to {DeviceRules.MaxRegistrationId}.");
            }
            if (message.Type is not { } type || !EnvelopeType.IsClientType(type))
            {
                throw Invalid($"messages[{i}].type must be one of 2 (whisper), 3 (prekey), 6 (sealed sender), 7 (sender key) or 8 (plaintext).");
            }
            var content = ContentOf(message.Content, i, options);
            total += content.Length;
            if (total > options.MaxRequestBytes)
            {
                throw TooLarge($"The envelopes of one send may hold at most {options.MaxRequestBytes} bytes of content.");
            }
            var device = message.DestinationDeviceId.Value;
            if (seen is null ? AddressedBefore(envelopes, user, device) : !seen.Add((user, device)))
            {
                throw Invalid($"messages[{i}] addresses device {device} of {user} a second time.");
            }
            envelopes.Add(new PendingEnvelope(new DeviceAddress(user, device, message.DestinationRegistrationId.Value), type, content));
        }
        return envelopes;
    }

    /// <summary>A send without authentication carries only sealed-sender envelopes: anything else would need a sender.</summary>
    public static void RequireSealed(IReadOnlyList<PendingEnvelope> envelopes)
    {
        for (var i = 0; i < envelopes.Count; i++)
        {
            if (envelopes[i].Type != EnvelopeType.UnidentifiedSender)
            {
                throw Invalid($"messages[{i}].type must be {EnvelopeType.UnidentifiedSender} (sealed sender) in a send with Unidentified-Access-Key: "
                    + "any other type needs an authenticated sender.");
            }
        }
    }

    public static string? IdempotencyKey(string? messageId)
    {
        if (messageId is null)
        {
            return null;
        }
        if (messageId.Length is 0 or > MaxMessageIdLength)
        {
            throw DomainException.BadRequest(ErrorCodes.InvalidMessageId, $"messageId must be 1–{MaxMessageIdLength} characters.");
        }
        foreach (var c in messageId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                throw DomainException.BadRequest(ErrorCodes.InvalidMessageId,
                    "messageId may hold only letters, digits, '-' and '_' (a UUID or ULID fits).");
            }
        }
        return messageId;
    }

    public static long? ExpiresAt(int? ttlSeconds, long serverTimestamp, MessagingOptions options)
    {
        if (ttlSeconds is null)
        {
            return null;
        }
        if (ttlSeconds is < 1 || ttlSeconds > options.MaxTtlSeconds)
        {
            throw Invalid($"ttlSeconds must be from 1 to {options.MaxTtlSeconds.ToString(CultureInfo.InvariantCulture)}.");
        }
        return serverTimestamp + (ttlSeconds.Value * 1000L);
    }

    private static bool AddressedBefore(List<PendingEnvelope> envelopes, Guid user, int deviceId)
    {
        foreach (var envelope in envelopes)
        {
            if (envelope.Destination.DeviceId == deviceId && envelope.Destination.UserId == user)
            {
                return true;
            }
        }
        return false;
    }

    private static byte[] ContentOf(EnvelopeContent? content, int index, MessagingOptions options)
    {
        if (content is null || content.Bytes is [])
        {
            throw Invalid($"messages[{index}].content is required (the ciphertext: base64 in JSON, binary in MessagePack).");
        }
        if (content.Problem is { } problem)
        {
            throw Invalid($"messages[{index}].content {problem}.");
        }
        var bytes = content.Bytes!;
        return bytes.Length <= options.MaxEnvelopeBytes
            ? bytes
            : throw TooLarge($"messages[{index}].content is larger than {options.MaxEnvelopeBytes} bytes.");
    }

    private static DomainException Invalid(string detail) => DomainException.BadRequest(ErrorCodes.InvalidEnvelope, detail);

    private static DomainException TooLarge(string detail) =>
        new(ErrorKind.PayloadTooLarge, ErrorCodes.PayloadTooLarge, detail);
}
