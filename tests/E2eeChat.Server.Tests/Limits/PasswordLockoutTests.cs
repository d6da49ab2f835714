using System.Net;
using System.Net.Http.Json;
using E2eeChat.Server.Tests.Infrastructure;
using Xunit;

namespace E2eeChat.Server.Tests.Limits;

/// <summary>Behind the proxy at 127.0.0.2: three password attempts per username per address, five per username in all.</summary>
public sealed class PasswordLimitServerFactory : SqliteServerFactory
{
    public override Task InitializeAsync()
    {
        Settings["ForwardedHeaders:KnownProxies:0"] = TrustedProxyServerFactory.Proxy.ToString();
        Settings["RateLimits:TokenPerUsernameAndIp:PermitLimit"] = "3";
        Settings["RateLimits:TokenPerUsername:PermitLimit"] = "5";
        Settings["RateLimits:TokenPerUsernameAndIp:Window"] = "00:10:00";
        Settings["RateLimits:TokenPerUsername:Window"] = "00:10:00";
        return base.InitializeAsync();
    }
}

/// <summary>
/// An attacker guessing a password from one address cannot lock the owner out at another; only many addresses
/// together reach the per-username ceiling. Signing in (token) and linking a device by password share the buckets.
/// </summary>
public sealed class PasswordLockoutTests(PasswordLimitServerFactory factory) : IClassFixture<PasswordLimitServerFactory>
{
    private const string Attacker = "203.0.113.66";
    private const string Owner = "198.51.100.7";
    private readonly ApiClient _api = factory.Api();
    private readonly ApiClient _proxy = factory.ApiFrom(TrustedProxyServerFactory.Proxy);

    [Fact]
    public async Task Failures_from_one_address_do_not_stop_the_owners_login_from_another()
    {
        var alice = await _api.SignUpAsync();

        var attack = await GuessUntilLimitedAsync("/api/v1/auth/token", alice, Attacker);
        var owner = await PostAsync("/api/v1/auth/token", new { username = alice.Username, password = TestAccounts.Password, deviceId = 1 }, Owner);

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], attack);
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
    }

    [Fact]
    public async Task Failures_from_one_address_do_not_stop_the_owner_linking_a_device_from_another()
    {
        var alice = await _api.SignUpAsync();

        var attack = await GuessUntilLimitedAsync("/api/v1/devices", alice, Attacker);
        var owner = await PostAsync("/api/v1/devices",
            new { username = alice.Username, password = TestAccounts.Password, name = "tablet", registrationId = 5 }, Owner);

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], attack);
        Assert.Equal(HttpStatusCode.Created, owner.StatusCode);
    }

    [Fact]
    public async Task The_per_username_ceiling_still_bites_when_many_addresses_guess()
    {
        var alice = await _api.SignUpAsync();

        var first = await GuessUntilLimitedAsync("/api/v1/auth/token", alice, "203.0.113.1");
        var second = await GuessUntilLimitedAsync("/api/v1/devices", alice, "203.0.113.2");
        var owner = await PostAsync("/api/v1/auth/token", new { username = alice.Username, password = TestAccounts.Password, deviceId = 1 }, Owner);

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], first);
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], second);
        Assert.Equal(HttpStatusCode.TooManyRequests, owner.StatusCode);
        Assert.Equal("rate_limited", (await owner.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["code"]!.GetValue<string>());
    }

    /// <summary>Wrong passwords from <paramref name="address"/> until the first 429 (at most 10).</summary>
    private async Task<List<HttpStatusCode>> GuessUntilLimitedAsync(string path, TestDevice account, string address)
    {
        var statuses = new List<HttpStatusCode>();
        while (statuses.Count < 10 && !statuses.Contains(HttpStatusCode.TooManyRequests))
        {
            using var response = await PostAsync(path,
                new { username = account.Username, password = "not the password", deviceId = 1, name = "x", registrationId = 5 }, address);
            statuses.Add(response.StatusCode);
        }
        return statuses;
    }

    private async Task<HttpResponseMessage> PostAsync(string path, object body, string address)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Forwarded-For", address);
        return await _proxy.Http.SendAsync(request);
    }
}
