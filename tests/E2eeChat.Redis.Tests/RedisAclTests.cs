using E2eeChat.Testing.Redis;
using Xunit;

namespace E2eeChat.Redis.Tests;

/// <summary>
/// Named users need Redis ACLs. Garnet in password mode accepts <c>AUTH anyone password</c>,
/// so this runs against redis-server only.
/// </summary>
public sealed class RedisAclTests : IAsyncLifetime
{
    private RedisServer? _server;

    public async Task InitializeAsync() => _server = await RedisServer.StartNewAsync(password: "admin-secret");

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Named_user_authenticates_with_its_own_password_only()
    {
        var admin = RedisOptions.Parse(_server!.ConfigurationString);
        await using (var setup = await RedisConnection.ConnectAsync(admin))
        {
            await setup.ExecuteAsync("ACL", "SETUSER", "hub", "on", ">hub-secret", "~hub:*", "+@all");
        }
        var hub = admin with { User = "hub", Password = "hub-secret" };

        await using var redis = await RedisConnection.ConnectAsync(hub);
        var wrongUser = await Assert.ThrowsAsync<RedisConnectionException>(() =>
            RedisConnection.ConnectAsync(hub with { User = "nobody" }));

        Assert.Equal("hub", (await redis.ExecuteAsync("ACL", "WHOAMI")).AsString());
        Assert.True(await redis.SetAsync("hub:key", "allowed"));
        var denied = await Assert.ThrowsAsync<RedisServerException>(async () => await redis.SetAsync("other:key", "denied"));
        Assert.Equal("NOPERM", denied.ErrorCode);
        Assert.Equal("WRONGPASS", ((RedisServerException)wrongUser.InnerException!).ErrorCode);
    }
}
