namespace E2eeChat.Domain.Sessions;

public enum RefreshOutcomeKind
{
    /// <summary>The token was current: it is used now and its successor stored.</summary>
    Rotated,

    /// <summary>The token was rotated within the grace window to the same successor: a client's retry.</summary>
    Retried,

    /// <summary>The token was used before, outside the grace window (or to another successor): a replay.</summary>
    Reused,

    /// <summary>No such token, or its session ended.</summary>
    Unknown,
}

/// <summary>The store's answer to a refresh: rotated, retried, a replay of a used token, or no such token.</summary>
public sealed record RefreshOutcome(RefreshOutcomeKind Kind, Session? Session);
