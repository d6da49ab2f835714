using System.Security.Claims;
using System.Threading.Channels;
using E2eeChat.Domain.Messages;
using E2eeChat.Server.Delivery;
using E2eeChat.Server.Hub;
using E2eeChat.Server.Metrics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace E2eeChat.Server.Tests.Delivery;

/// <summary>
/// The race behind a byte budget: envelopes announced while the pump reads a mailbox page are in that page or after it.
/// The pump may hold the page or the announcements, never both, however the read and the announcements interleave.
/// Here the mailbox read and the client's sends wait until the test lets them go, so the interleaving is fixed.
/// </summary>
public sealed class MailboxPumpBudgetTests
{
    private const int EnvelopeBytes = 1000;
    private const long Budget = 4 * EnvelopeBytes;
    private static readonly DeviceKey Device = new(Guid.NewGuid(), 1);

    [Fact]
    public async Task Announcements_made_during_a_mailbox_read_are_not_held_beside_the_page()
    {
        var mailbox = new GatedMailbox();
        var client = new GatedClient();
        var pump = new MailboxPump(Device, new StubContext(), client, Settings(mailbox));
        var stored = Enumerable.Range(1, 4).Select(Stored).ToArray();

        pump.Start();
        var firstRead = await mailbox.Reads.ReadAsync();
        // While the page is being read, the same four envelopes commit and are announced: they fill the budget.
        foreach (var envelope in stored)
        {
            pump.Announce(envelope);
        }
        Assert.Equal(Budget, pump.HeldBytes);
        firstRead.SetResult(stored);

        // The pump pushes the page; the first push waits on the client. The page fills the budget alone.
        var firstPush = await client.Sends.ReadAsync();
        Assert.InRange(pump.HeldBytes, 0, Budget);

        // Everything arrives once, in order: the dropped announcements were the page's own envelopes.
        firstPush.SetResult();
        var pushed = new List<Envelope> { firstPush.Envelope! };
        while (pushed.Count < stored.Length)
        {
            var push = await client.Sends.ReadAsync();
            pushed.Add(push.Envelope!);
            push.SetResult();
        }
        Assert.Equal(stored.Select(e => e.Id), pushed.Select(e => e.Id));
        // A full page means "maybe more": the pump reads on after it, from the last sequence it pushed.
        var nextRead = await mailbox.Reads.ReadAsync();
        Assert.Equal(4, nextRead.AfterSequence);
        nextRead.SetResult([]);
        await pump.DisposeAsync();
    }

    private static Envelope Stored(int sequence) =>
        new(Guid.NewGuid(), Guid.NewGuid(), 2, Guid.NewGuid(), 1, null, Device.UserId, Device.DeviceId, sequence, 1, 1,
            new byte[EnvelopeBytes], null);

    private static PumpSettings Settings(IMailboxStore mailbox)
    {
        var options = new MessagingOptions { MaxEnvelopeBytes = EnvelopeBytes, MaxQueuedBytesPerConnection = Budget };
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        return new PumpSettings(mailbox, options, TimeProvider.System, new E2eeChatMetrics(meters), NullLogger.Instance);
    }

    private sealed class PendingRead(long afterSequence)
    {
        private readonly TaskCompletionSource<IReadOnlyList<Envelope>> _page = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long AfterSequence { get; } = afterSequence;

        public Task<IReadOnlyList<Envelope>> Page => _page.Task;

        public void SetResult(IReadOnlyList<Envelope> page) => _page.SetResult(page);
    }

    /// <summary>A mailbox whose reads wait for the test; the pump calls nothing else.</summary>
    private sealed class GatedMailbox : IMailboxStore
    {
        private readonly Channel<PendingRead> _reads = Channel.CreateUnbounded<PendingRead>();

        public ChannelReader<PendingRead> Reads => _reads.Reader;

        public Task<IReadOnlyList<Envelope>> ReadAsync(Guid userId, int deviceId, long afterSequence, int limit, long now,
            CancellationToken cancellationToken)
        {
            var read = new PendingRead(afterSequence);
            _reads.Writer.TryWrite(read);
            return read.Page.WaitAsync(cancellationToken);
        }

        public Task<StoreOutcome> StoreAsync(MailboxBatch batch, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<DeviceAddress>> CurrentDevicesAsync(IReadOnlyList<Guid> users, Guid senderUserId, int senderDeviceId,
            CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<Envelope>> UnacknowledgedAsync(Guid messageId, Guid? senderUserId, IReadOnlyList<Guid> destinationUsers,
            CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<Receipt>> AckAsync(Guid userId, int deviceId, IReadOnlyList<Guid> envelopeIds, long now,
            CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<Receipt>> MarkReadAsync(Guid userId, int deviceId, IReadOnlyList<Guid> messageIds, long now,
            CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<RecipientStatus>?> StatusAsync(Guid messageId, Guid senderUserId, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<int> DeleteExpiredAsync(long now, long retainedSince, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<Guid>> MutualContactsAsync(Guid userId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> AreMutualContactsAsync(Guid userId, Guid peerId, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class PendingSend(Envelope? envelope)
    {
        private readonly TaskCompletionSource _sent = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Envelope? Envelope { get; } = envelope;

        public Task Sent => _sent.Task;

        public void SetResult() => _sent.SetResult();
    }

    /// <summary>A client whose envelope sends wait for the test (as SignalR's do while the transport is full).</summary>
    private sealed class GatedClient : ISingleClientProxy
    {
        private readonly Channel<PendingSend> _sends = Channel.CreateUnbounded<PendingSend>();

        public ChannelReader<PendingSend> Sends => _sends.Reader;

        public Task SendCoreAsync(string method, object?[] args, CancellationToken cancellationToken = default)
        {
            if (method != HubEvents.Envelope)
            {
                return Task.CompletedTask;
            }
            var send = new PendingSend(args[0] as Envelope);
            _sends.Writer.TryWrite(send);
            return send.Sent.WaitAsync(cancellationToken);
        }

        public Task<T> InvokeCoreAsync<T>(string method, object?[] args, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    private sealed class StubContext : HubCallerContext
    {
        public override string ConnectionId => "test";

        public override string? UserIdentifier => Device.UserId.ToString();

        public override ClaimsPrincipal? User => null;

        public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();

        public override IFeatureCollection Features { get; } = new FeatureCollection();

        public override CancellationToken ConnectionAborted => CancellationToken.None;

        public override void Abort()
        {
        }
    }
}
