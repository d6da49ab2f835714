using E2eeChat.Domain.Common;

namespace E2eeChat.Server.Calling;

/// <summary>Bound from the <c>Calling</c> section: coturn's <c>use-auth-secret</c> shared secret and where its relays are.</summary>
public sealed class CallingOptions : IValidatedOptions
{
    public const string SectionName = "Calling";

    /// <summary>coturn's <c>static-auth-secret</c>; without it <c>/calling/relays</c> answers <c>turn_not_configured</c>.</summary>
    public string? TurnSecret { get; set; }

    /// <summary>Comma-separated TURN (and STUN) URLs handed to clients, e.g. <c>turn:turn.example:3478?transport=udp</c>.</summary>
    public string? TurnUrls { get; set; }

    /// <summary>How long a credential stays valid; coturn refuses it afterwards.</summary>
    public TimeSpan CredentialTtl { get; set; } = TimeSpan.FromDays(1);

    public bool IsConfigured => !string.IsNullOrEmpty(TurnSecret);

    public IReadOnlyList<string> Urls =>
        (TurnUrls ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public void Validate()
    {
        if (!IsConfigured)
        {
            if (Urls.Count > 0)
            {
                throw new InvalidOperationException($"{SectionName}:TurnUrls is set but {SectionName}:TurnSecret is not.");
            }
            return;
        }
        if (TurnSecret!.Length < 16)
        {
            throw new InvalidOperationException($"{SectionName}:TurnSecret must have at least 16 characters.");
        }
        if (Urls.Count == 0)
        {
            throw new InvalidOperationException($"{SectionName}:TurnUrls must list at least one turn: or turns: URL.");
        }
        foreach (var url in Urls)
        {
            if (!url.StartsWith("turn:", StringComparison.Ordinal) && !url.StartsWith("turns:", StringComparison.Ordinal)
                && !url.StartsWith("stun:", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{SectionName}:TurnUrls: '{url}' is not a turn:, turns: or stun: URL.");
            }
        }
        if (CredentialTtl < TimeSpan.FromMinutes(1) || CredentialTtl > TimeSpan.FromDays(7))
        {
            throw new InvalidOperationException($"{SectionName}:CredentialTtl must be between one minute and seven days.");
        }
    }
}
