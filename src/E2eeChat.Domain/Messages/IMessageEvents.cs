namespace E2eeChat.Domain.Messages;

/// <summary>
/// What the domain tells the real-time layer, always after the fact: envelopes are already
/// committed (or, when ephemeral, never will be), receipts already recorded.
/// </summary>
public interface IMessageEvents
{
    /// <summary>
    /// Envelopes for devices that may be online; <paramref name="durable"/> is false for <c>online</c> sends. Durable
    /// and <paramref name="urgent"/> envelopes may wake their offline devices with a push.
    /// </summary>
    ValueTask EnvelopesAsync(IReadOnlyList<Envelope> envelopes, bool durable, bool urgent, CancellationToken cancellationToken);

    /// <summary>
    /// Envelopes committed earlier and announced again for a retried send (its first announcement may never have gone
    /// out); nothing new was stored. A connection that has pushed them already ignores them.
    /// </summary>
    ValueTask EnvelopesAgainAsync(IReadOnlyList<Envelope> envelopes, bool urgent, CancellationToken cancellationToken);

    ValueTask ReceiptsAsync(IReadOnlyList<Receipt> receipts, CancellationToken cancellationToken);
}
