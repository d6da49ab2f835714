using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using Xunit;

namespace E2eeChat.Server.Tests.Limits;

/// <summary>Three sign-ups per client address: enough to see whose bucket a request is charged to.</summary>
public class SignupLimitServerFactory : SqliteServerFactory
{
    public override Task InitializeAsync()
    {
        Settings["RateLimits:SignupPerIp:PermitLimit"] = "3";
        return base.InitializeAsync();
    }
}

/// <summary>nginx stands in at 127.0.0.2, the one configured proxy.</summary>
public sealed class TrustedProxyServerFactory : SignupLimitServerFactory
{
    public static readonly IPAddress Proxy = IPAddress.Parse("127.0.0.2");

    public override Task InitializeAsync()
    {
        Settings["ForwardedHeaders:KnownProxies:0"] = Proxy.ToString();
        return base.InitializeAsync();
    }
}

/// <summary>Per-address limits see the client's address: the proxy's X-Forwarded-For, and nobody else's.</summary>
public sealed class TrustedProxyTests(TrustedProxyServerFactory factory) : IClassFixture<TrustedProxyServerFactory>
{
    [Fact]
    public async Task Forwarded_for_from_the_configured_proxy_gives_each_client_its_own_bucket()
    {
        using var proxy = factory.ApiFrom(TrustedProxyServerFactory.Proxy);

        var first = await SignUpsAsync(proxy, "203.0.113.10", 4);
        var second = await SignUpsAsync(proxy, "203.0.113.11", 1);

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests], first);
        Assert.Equal([HttpStatusCode.Created], second);
    }

    [Fact]
    public async Task Forwarded_for_from_an_address_that_is_not_a_configured_proxy_is_ignored()
    {
        // 127.0.0.1 is loopback but not the configured proxy: a client there cannot pick its own bucket.
        using var direct = factory.ApiFrom(IPAddress.Loopback);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.AddRange(await SignUpsAsync(direct, $"198.51.100.{i + 1}", 1));
        }

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests], statuses);
    }

    internal static async Task<List<HttpStatusCode>> SignUpsAsync(ApiClient api, string forwardedFor, int count)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/accounts")
            {
                Content = System.Net.Http.Json.JsonContent.Create(TestAccounts.SignUpBody(TestAccounts.UniqueUsername())),
            };
            request.Headers.Add("X-Forwarded-For", forwardedFor);
            using var response = await api.Http.SendAsync(request);
            statuses.Add(response.StatusCode);
        }
        return statuses;
    }
}

/// <summary>With no proxy configured, X-Forwarded-For is ignored, from loopback too.</summary>
public sealed class UnconfiguredProxyTests(SignupLimitServerFactory factory) : IClassFixture<SignupLimitServerFactory>
{
    [Fact]
    public async Task With_no_proxy_configured_forwarded_for_is_ignored_even_from_loopback()
    {
        using var api = factory.Api();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.AddRange(await TrustedProxyTests.SignUpsAsync(api, $"192.0.2.{i + 1}", 1));
        }

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests], statuses);
    }
}
