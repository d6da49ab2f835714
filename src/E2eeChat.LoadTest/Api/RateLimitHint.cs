namespace E2eeChat.LoadTest.Api;

/// <summary>What to tell the operator when the server rate-limits the tool's set-up requests.</summary>
internal static class RateLimitHint
{
    /// <summary>
    /// The rate-limit buckets a load run draws on: it creates every account and device from one address, then sends,
    /// acks and reads far faster than people do.
    /// </summary>
    public static readonly IReadOnlyList<string> RaisedBuckets =
    [
        "SignupPerIp",
        "TokenPerIp",
        "TokenPerUsernameAndIp",
        "TokenPerUsername",
        "RefreshPerIp",
        "LinkPerIp",
        "LinkPerAccount",
        "HubConnectsPerDevice",
        "UserLookupsPerAccount",
        "ReadsPerAccount",
        "MessagesPerAccount",
        "MessagesPerPair",
        "AcksPerDevice",
        "ReadMarksPerDevice",
        "TypingPerDevice",
        "KeyUploadsPerDevice",
        "PrekeyFetchPerDevicePair",
        "RoomCreationsPerAccount",
        "RoomInvitationsPerAccount",
        "RoomChangesPerAccount",
    ];

    /// <summary>The server settings that let a load run set up and send at full speed from one address.</summary>
    public static readonly IReadOnlyList<string> ServerEnvironment =
        [.. RaisedBuckets.Select(bucket => $"RateLimits__{bucket}__PermitLimit=1000000")];

    public static string For(string what) =>
        $"The server rate-limited {what} (429). A load run creates all its accounts and devices from one address " +
        "and sends faster than people do, so start the server with raised limits, for example:" + Environment.NewLine + "  " +
        string.Join(' ', ServerEnvironment) + Environment.NewLine +
        "and, to make set-up fast, a cheaper password hash: PasswordHashing__MemoryKiB=8192 PasswordHashing__Iterations=1 " +
        "(README, Load testing).";
}
