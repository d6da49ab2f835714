using E2eeChat.Domain.Accounts;
using E2eeChat.Domain.Errors;
using E2eeChat.Domain.Rooms;

namespace E2eeChat.Domain.Messages;

/// <summary>
/// Sends, mailbox reads, acknowledgements and receipts (DESIGN §5). Every send is validated
/// against the destination's devices and committed before anyone is told about it.
/// </summary>
public sealed class MessageService(
    IMailboxStore mailbox,
    IAccountStore accounts,
    IMessageEvents events,
    MessagingOptions options,
    TimeProvider clock)
{
    public const int MaxListLimit = 1000;
    public const int MaxIdsPerCall = 1000;

    /// <summary>Sends to one user's devices; to your own account it covers your other devices.</summary>
    public async Task<SendResult> SendAsync(Guid senderUserId, int senderDeviceId, Guid destinationUserId, SendMessages request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var envelopes = DirectEnvelopes(request, destinationUserId);
        var idempotencyKey = SendParser.IdempotencyKey(request.MessageId);
        if (request.Online == true)
        {
            // A stored send learns this from the devices its transaction locks.
            _ = await accounts.FindByIdAsync(destinationUserId, cancellationToken).ConfigureAwait(false) ?? throw NoSuchUser();
        }

        return await DeliverAsync(senderUserId, senderDeviceId, roomId: null, [destinationUserId], envelopes, request,
            idempotencyKey, DeviceSetValidator.ForDirectSend, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A sealed-sender send without authentication: only type-6 envelopes, admitted by the destination's unidentified
    /// access key (<see cref="UnidentifiedAccess"/>); stored and delivered without a source.
    /// </summary>
    public async Task<SendResult> SendUnidentifiedAsync(Guid destinationUserId, string? accessKey, SendMessages request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var envelopes = DirectEnvelopes(request, destinationUserId);
        SendParser.RequireSealed(envelopes);
        var idempotencyKey = SendParser.IdempotencyKey(request.MessageId);
        var account = await accounts.FindByIdAsync(destinationUserId, cancellationToken).ConfigureAwait(false);
        UnidentifiedAccess.Check(account, accessKey);
        return await DeliverAsync(null, null, roomId: null, [destinationUserId], envelopes, request, idempotencyKey,
            DeviceSetValidator.ForDirectSend, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// libsignal's multi-recipient sealed-sender message, without authentication: admitted by the XOR of the recipients'
    /// access keys, stored as one type-6 envelope per addressed device (that device's received message), all or nothing.
    /// <paramref name="request"/> carries the timestamp, idempotency key and flags; its messages are ignored.
    /// </summary>
    public async Task<SendResult> SendMultiRecipientAsync(MultiRecipientMessage message, string? accessKey, SendMessages request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(request);
        if (request.Timestamp is not > 0)
        {
            throw DomainException.BadRequest(ErrorCodes.InvalidRequest, "ts (Unix milliseconds, from the sender's clock) is required.");
        }
        var idempotencyKey = SendParser.IdempotencyKey(request.MessageId);
        var recipients = message.Recipients;
        var deviceCount = 0;
        foreach (var recipient in recipients)
        {
            deviceCount += recipient.Devices.Count;
        }
        if (deviceCount > SendParser.MaxEnvelopesPerSend)
        {
            throw DomainException.BadRequest(ErrorCodes.InvalidMultiRecipientMessage,
                $"A send may address at most {SendParser.MaxEnvelopesPerSend} devices.");
        }
        // Each device stores its own received message: the same limits as the envelopes of a room send.
        if (message.ReceivedMessageLength > options.MaxEnvelopeBytes)
        {
            throw new DomainException(ErrorKind.PayloadTooLarge, ErrorCodes.PayloadTooLarge,
                $"Each device's part is {message.ReceivedMessageLength} bytes, more than {options.MaxEnvelopeBytes}.");
        }
        if ((long)message.ReceivedMessageLength * deviceCount > options.MaxRequestBytes)
        {
            throw new DomainException(ErrorKind.PayloadTooLarge, ErrorCodes.PayloadTooLarge,
                $"The devices' parts of one send may hold at most {options.MaxRequestBytes} bytes together.");
        }

        var accountsOf = new Account?[recipients.Count];
        var users = new Guid[recipients.Count];
        for (var i = 0; i < recipients.Count; i++)
        {
            users[i] = recipients[i].UserId;
            accountsOf[i] = await accounts.FindByIdAsync(users[i], cancellationToken).ConfigureAwait(false);
        }
        UnidentifiedAccess.CheckCombined(accountsOf, accessKey);

        var envelopes = new List<PendingEnvelope>(deviceCount);
        foreach (var recipient in recipients)
        {
            var content = message.ReceivedMessageFor(recipient);
            foreach (var device in recipient.Devices)
            {
                envelopes.Add(new PendingEnvelope(new DeviceAddress(recipient.UserId, device.DeviceId, device.RegistrationId),
                    EnvelopeType.UnidentifiedSender, content));
            }
        }
        return await DeliverAsync(null, null, roomId: null, users, envelopes, request, idempotencyKey,
            DeviceSetValidator.ForMultiRecipientSend, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Validates, stores (unless ephemeral) and announces one send to a set of users; without a sender (null) for an
    /// unidentified send.
    /// </summary>
    public async Task<SendResult> DeliverAsync(Guid? senderUserId, int? senderDeviceId, Guid? roomId,
        IReadOnlyList<Guid> destinationUsers, IReadOnlyList<PendingEnvelope> envelopes, SendMessages request,
        string? idempotencyKey, Func<IReadOnlyList<DeviceMismatch>, DomainException> mismatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(mismatch);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var messageId = Guid.CreateVersion7(clock.GetUtcNow());
        var expiresAt = SendParser.ExpiresAt(request.TtlSeconds, now, options);

        if (request.Online == true)
        {
            // Ephemeral: checked like any send, handed to connected devices, never stored.
            var current = await mailbox.CurrentDevicesAsync(destinationUsers, senderUserId ?? Guid.Empty, senderDeviceId ?? 0,
                cancellationToken).ConfigureAwait(false);
            if (DeviceSetValidator.Compare(current, Addresses(envelopes)) is { } mismatches)
            {
                throw mismatch(mismatches);
            }
            var ephemeral = new Envelope[envelopes.Count];
            for (var i = 0; i < envelopes.Count; i++)
            {
                ephemeral[i] = ToEnvelope(envelopes[i], Guid.CreateVersion7(), messageId, senderUserId, senderDeviceId, roomId,
                    request.Timestamp!.Value, now, expiresAt, sequence: 0);
            }
            await events.EnvelopesAsync(ephemeral, durable: false, urgent: false, cancellationToken).ConfigureAwait(false);
            return new SendResult(messageId, now, senderUserId is { } sender
                && await HasOtherDevicesAsync(sender, senderDeviceId!.Value, cancellationToken).ConfigureAwait(false));
        }

        var batch = new MailboxBatch(messageId, senderUserId, senderDeviceId, idempotencyKey, roomId,
            request.Timestamp!.Value, now, expiresAt, destinationUsers, envelopes);
        var outcome = await mailbox.StoreAsync(batch, cancellationToken).ConfigureAwait(false);
        switch (outcome.Kind)
        {
            case StoreOutcomeKind.Stored:
                await events.EnvelopesAsync(outcome.Envelopes, durable: true, urgent: request.Urgent != false, cancellationToken).ConfigureAwait(false);
                return outcome.Result!;
            case StoreOutcomeKind.Duplicate:
                // The first attempt may have committed and lost its answer before announcing: announce what is still there.
                var unacknowledged = await mailbox.UnacknowledgedAsync(outcome.Result!.MessageId, senderUserId, destinationUsers,
                    cancellationToken)
                    .ConfigureAwait(false);
                if (unacknowledged.Count > 0)
                {
                    await events.EnvelopesAgainAsync(unacknowledged, urgent: request.Urgent != false, cancellationToken).ConfigureAwait(false);
                }
                return outcome.Result!;
            case StoreOutcomeKind.NotRoomMember:
                throw RoomRules.NotFound();
            case StoreOutcomeKind.UserNotFound:
                throw NoSuchUser();
            case StoreOutcomeKind.MailboxFull:
                throw new DomainException(ErrorKind.TooManyRequests, ErrorCodes.MailboxFull,
                    "A destination device's mailbox is full: it holds as many envelopes or bytes as it may until it acknowledges some.");
            default:
                throw mismatch(DeviceSetValidator.Compare(outcome.CurrentDevices, Addresses(envelopes))
                    ?? throw new InvalidOperationException("The store refused a send whose devices match."));
        }
    }

    public async Task<(IReadOnlyList<Envelope> Envelopes, bool More)> ListAsync(Guid userId, int deviceId, int? limit,
        CancellationToken cancellationToken)
    {
        var take = limit ?? 100;
        if (take is < 1 or > MaxListLimit)
        {
            throw DomainException.BadRequest(ErrorCodes.InvalidRequest, $"limit must be from 1 to {MaxListLimit}.");
        }
        var envelopes = await mailbox.ReadAsync(userId, deviceId, 0, take + 1, Now(), cancellationToken).ConfigureAwait(false);
        // The page also ends at a byte budget, after at least one envelope.
        var bytes = 0L;
        for (var i = 0; i < envelopes.Count; i++)
        {
            bytes += envelopes[i].Content.Length;
            if (i == take || (i > 0 && bytes > options.MaxPageBytes))
            {
                return (envelopes.Take(i).ToArray(), true);
            }
        }
        return (envelopes, false);
    }

    /// <summary>Deletes the acknowledged envelopes and tells their senders they were delivered.</summary>
    public async Task AckAsync(Guid userId, int deviceId, IReadOnlyList<Guid>? envelopeIds, CancellationToken cancellationToken)
    {
        var ids = CheckIds(envelopeIds, "ids");
        var receipts = await mailbox.AckAsync(userId, deviceId, ids, Now(), cancellationToken).ConfigureAwait(false);
        if (receipts.Count > 0)
        {
            await events.ReceiptsAsync(receipts, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task MarkReadAsync(Guid userId, int deviceId, IReadOnlyList<Guid>? messageIds, CancellationToken cancellationToken)
    {
        var ids = CheckIds(messageIds, "messageIds");
        var receipts = await mailbox.MarkReadAsync(userId, deviceId, ids, Now(), cancellationToken).ConfigureAwait(false);
        if (receipts.Count > 0)
        {
            await events.ReceiptsAsync(receipts, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<RecipientStatus>> StatusAsync(Guid senderUserId, Guid messageId, CancellationToken cancellationToken) =>
        await mailbox.StatusAsync(messageId, senderUserId, cancellationToken).ConfigureAwait(false)
        ?? throw DomainException.NotFound(ErrorCodes.MessageNotFound, "No message of yours has this id.");

    private async Task<bool> HasOtherDevicesAsync(Guid userId, int deviceId, CancellationToken cancellationToken) =>
        (await mailbox.CurrentDevicesAsync([userId], userId, deviceId, cancellationToken).ConfigureAwait(false)).Count > 0;

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>A direct send's envelopes, every one for the user in the path.</summary>
    private IReadOnlyList<PendingEnvelope> DirectEnvelopes(SendMessages request, Guid destinationUserId)
    {
        var envelopes = SendParser.Envelopes(request, destinationUserId, options);
        foreach (var envelope in envelopes)
        {
            if (envelope.Destination.UserId != destinationUserId)
            {
                throw DomainException.BadRequest(ErrorCodes.InvalidEnvelope,
                    "Every envelope of a direct send goes to the user in the path.");
            }
        }
        return envelopes;
    }

    private static DomainException NoSuchUser() => DomainException.NotFound(ErrorCodes.UserNotFound, "No such user.");

    private static IReadOnlyList<Guid> CheckIds(IReadOnlyList<Guid>? ids, string field)
    {
        if (ids is null || ids.Count == 0 || ids.Count > MaxIdsPerCall)
        {
            throw DomainException.BadRequest(ErrorCodes.InvalidRequest, $"{field} must hold 1 to {MaxIdsPerCall} ids.");
        }
        return ids;
    }

    private static DeviceAddress[] Addresses(IReadOnlyList<PendingEnvelope> envelopes)
    {
        var addresses = new DeviceAddress[envelopes.Count];
        for (var i = 0; i < envelopes.Count; i++)
        {
            addresses[i] = envelopes[i].Destination;
        }
        return addresses;
    }

    private static Envelope ToEnvelope(PendingEnvelope pending, Guid id, Guid messageId, Guid? senderUserId, int? senderDeviceId,
        Guid? roomId, long timestamp, long serverTimestamp, long? expiresAt, long sequence) =>
        new(id, messageId, pending.Type, senderUserId, senderDeviceId, roomId, pending.Destination.UserId,
            pending.Destination.DeviceId, sequence, timestamp, serverTimestamp, pending.Content, expiresAt);
}
