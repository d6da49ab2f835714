using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using Xunit;

namespace E2eeChat.Server.Tests.Keys;

public sealed class LowPrekeyLimitServerFactory : SqliteServerFactory
{
    public override Task InitializeAsync()
    {
        Settings["RateLimits:PrekeyFetchPerDevicePair:PermitLimit"] = "2";
        Settings["Keys:MaxStoredOneTimeKeys"] = "5";
        return base.InitializeAsync();
    }
}

public sealed class PrekeyLimitTests(LowPrekeyLimitServerFactory factory) : IClassFixture<LowPrekeyLimitServerFactory>
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task Fetches_beyond_the_per_device_pair_limit_get_429_and_claim_nothing()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var bobsTablet = await _api.LinkByPasswordAsync(bob, "tablet");
        var carol = await _api.SignUpAsync();
        await _api.UploadKeysAsync(alice, TestKeys.Upload(alice, ecCount: 5, kyberCount: 5));
        var path = $"/api/v1/keys/{alice.UserId}/1";
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync(path, bob.AccessToken)).Status);
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync($"/api/v1/keys/{alice.Username}/1", bob.AccessToken)).Status);

        var third = await _api.GetAsync(path, bob.AccessToken);

        Assert.Equal(HttpStatusCode.TooManyRequests, third.Status);
        Assert.Equal("rate_limited", third.Code);
        Assert.NotNull(third.RetryAfter);
        Assert.True(third.RetryAfter > TimeSpan.Zero);
        Assert.Equal((3, 3), await _api.KeyCountAsync(alice));
        // Other pairs have buckets of their own: another requesting device, another requester, another target.
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync(path, bobsTablet.AccessToken)).Status);
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync(path, carol.AccessToken)).Status);
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync($"/api/v1/keys/{alice.UserId}/*", bob.AccessToken)).Status);
        Assert.Equal((0, 0), await _api.KeyCountAsync(alice));
    }

    [Fact]
    public async Task Upload_of_more_one_time_keys_than_a_device_may_store_is_refused()
    {
        var alice = await _api.SignUpAsync();

        var tooMany = await _api.PutAsync("/api/v1/keys", TestKeys.Upload(alice, ecCount: 6, kyberCount: 1), alice.AccessToken);
        var tooManyPq = await _api.PutAsync("/api/v1/keys", TestKeys.Upload(alice, ecCount: 1, kyberCount: 6), alice.AccessToken);

        Assert.Equal(HttpStatusCode.BadRequest, tooMany.Status);
        Assert.Equal("too_many_prekeys", tooMany.Code);
        Assert.Contains("at most 5", tooMany.Text("detail"), StringComparison.Ordinal);
        Assert.Equal("too_many_prekeys", tooManyPq.Code);
        Assert.Equal((0, 0), await _api.KeyCountAsync(alice));
        await _api.UploadKeysAsync(alice, TestKeys.Upload(alice, ecCount: 5, kyberCount: 5));
        Assert.Equal((5, 5), await _api.KeyCountAsync(alice));
    }
}
