namespace E2eeChat.LoadTest.Api;

/// <summary>What to tell the operator when the server rate-limits the tool's set-up requests.</summary>
internal static class RateLimitHint
{
    /// <summary>The server settings that let one address create many accounts and devices quickly.</summary>
    public static readonly IReadOnlyList<string> ServerEnvironment =
    [
        "RateLimits__SignupPerIp__PermitLimit=1000000",
        "RateLimits__TokenPerIp__PermitLimit=1000000",
        "RateLimits__TokenPerUsernameAndIp__PermitLimit=1000000",
        "RateLimits__TokenPerUsername__PermitLimit=1000000",
        "RateLimits__LinkPerIp__PermitLimit=1000000",
        "RateLimits__LinkPerAccount__PermitLimit=1000000",
    ];

    public static string For(string what) =>
        $"The server rate-limited {what} (429). A load run creates all its accounts and devices from one address, " +
        "so start the server with raised limits, for example:" + Environment.NewLine + "  " +
        string.Join(' ', ServerEnvironment) + Environment.NewLine +
        "and, to make set-up fast, a cheaper password hash: PasswordHashing__MemoryKiB=8192 PasswordHashing__Iterations=1 " +
        "(README, Load testing).";
}
