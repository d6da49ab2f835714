namespace E2eeChat.Domain.Sessions;

public enum RefreshOutcomeKind
{
    Rotated,
    Reused,
    Unknown,
}

/// <summary>The store's answer to a refresh: rotated, a replay of a used token, or no such token.</summary>
public sealed record RefreshOutcome(RefreshOutcomeKind Kind, Session? Session);
