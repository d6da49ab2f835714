using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using Xunit;

namespace E2eeChat.Server.Tests.Devices;

/// <summary>Linking, listing and removing devices, on each store.</summary>
public abstract class DeviceTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : TestServerFactory
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task Link_code_adds_a_device_once()
    {
        var alice = await _api.SignUpAsync();
        var code = await _api.PostAsync("/api/v1/devices/link-codes", token: alice.AccessToken);
        Assert.Equal(HttpStatusCode.Created, code.Status);

        var linked = await _api.PostAsync("/api/v1/devices", new { linkCode = code.Text("code"), name = "laptop", registrationId = 99 });
        var again = await _api.PostAsync("/api/v1/devices", new { linkCode = code.Text("code"), name = "laptop", registrationId = 99 });

        Assert.Equal(HttpStatusCode.Created, linked.Status);
        Assert.Equal(alice.UserId.ToString(), linked.Text("userId"));
        Assert.Equal(2, linked.Int("deviceId"));
        var me = await _api.GetAsync("/api/v1/auth/me", linked.Text("accessToken"));
        Assert.Equal(2, me.Int("deviceId"));
        Assert.Equal(HttpStatusCode.BadRequest, again.Status);
        Assert.Equal("invalid_link_code", again.Code);
    }

    [Fact]
    public async Task Only_the_primary_creates_link_codes()
    {
        var alice = await _api.SignUpAsync();
        var tablet = await _api.LinkByPasswordAsync(alice, "tablet");

        var byTablet = await _api.PostAsync("/api/v1/devices/link-codes", token: tablet.AccessToken);
        var byPrimary = await _api.PostAsync("/api/v1/devices/link-codes", token: alice.AccessToken);

        Assert.Equal(HttpStatusCode.Forbidden, byTablet.Status);
        Assert.Equal("not_primary_device", byTablet.Code);
        Assert.Equal(HttpStatusCode.Created, byPrimary.Status);
    }

    [Fact]
    public async Task Device_list_shows_every_device_with_its_registration_id()
    {
        var alice = await _api.SignUpAsync();
        await _api.LinkByPasswordAsync(alice, "tablet");

        var list = await _api.GetAsync("/api/v1/devices", alice.AccessToken);

        Assert.Equal(HttpStatusCode.OK, list.Status);
        var devices = list.Body!.AsArray();
        Assert.Equal(2, devices.Count);
        Assert.Equal("tablet", devices[1]!["name"]!.GetValue<string>());
        Assert.Equal(4321, devices[1]!["registrationId"]!.GetValue<int>());
        Assert.NotNull(devices[0]!["lastSeenAt"]);
    }

    [Fact]
    public async Task Seventh_device_is_refused()
    {
        var alice = await _api.SignUpAsync();
        for (var i = 2; i <= 6; i++)
        {
            Assert.Equal(i, (await _api.LinkByPasswordAsync(alice, $"d{i}")).DeviceId);
        }

        var seventh = await _api.PostAsync("/api/v1/devices",
            new { username = alice.Username, password = TestAccounts.Password, name = "d7", registrationId = 7 });

        Assert.Equal(HttpStatusCode.Conflict, seventh.Status);
        Assert.Equal("too_many_devices", seventh.Code);
        Assert.Equal(6, (await _api.GetAsync("/api/v1/devices", alice.AccessToken)).Body!.AsArray().Count);
    }

    [Fact]
    public async Task Link_with_wrong_password_is_refused()
    {
        var alice = await _api.SignUpAsync();
        var response = await _api.PostAsync("/api/v1/devices", new { username = alice.Username, password = "wrong password", name = "x", registrationId = 7 });
        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal("invalid_credentials", response.Code);
    }

    [Fact]
    public async Task Only_the_primary_removes_other_devices()
    {
        var alice = await _api.SignUpAsync();
        var tablet = await _api.LinkByPasswordAsync(alice, "tablet");
        var laptop = await _api.LinkByPasswordAsync(alice, "laptop");

        var byTablet = await _api.DeleteAsync($"/api/v1/devices/{laptop.DeviceId}", tablet.AccessToken);
        var primaryByTablet = await _api.DeleteAsync("/api/v1/devices/1", tablet.AccessToken);
        var byPrimary = await _api.DeleteAsync($"/api/v1/devices/{laptop.DeviceId}", alice.AccessToken);

        Assert.Equal(HttpStatusCode.Forbidden, byTablet.Status);
        Assert.Equal("not_primary_device", byTablet.Code);
        Assert.Equal(HttpStatusCode.Forbidden, primaryByTablet.Status);
        Assert.Equal(HttpStatusCode.NoContent, byPrimary.Status);
        var remaining = (await _api.GetAsync("/api/v1/devices", alice.AccessToken)).Body!.AsArray()
            .Select(d => d!["deviceId"]!.GetValue<int>()).ToArray();
        Assert.Equal([1, tablet.DeviceId], remaining);
    }

    [Fact]
    public async Task A_device_may_remove_itself()
    {
        var alice = await _api.SignUpAsync();
        var tablet = await _api.LinkByPasswordAsync(alice, "tablet");

        Assert.Equal(HttpStatusCode.NoContent, (await _api.DeleteAsync($"/api/v1/devices/{tablet.DeviceId}", tablet.AccessToken)).Status);
        Assert.Single((await _api.GetAsync("/api/v1/devices", alice.AccessToken)).Body!.AsArray());
    }

    [Fact]
    public async Task Removed_devices_token_returns_401_on_the_next_request()
    {
        var alice = await _api.SignUpAsync();
        var tablet = await _api.LinkByPasswordAsync(alice, "tablet");
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync("/api/v1/auth/me", tablet.AccessToken)).Status);

        var removal = await _api.DeleteAsync($"/api/v1/devices/{tablet.DeviceId}", alice.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, removal.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.GetAsync("/api/v1/auth/me", tablet.AccessToken)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.PostAsync("/api/v1/auth/refresh", new { refreshToken = tablet.RefreshToken })).Status);
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync("/api/v1/auth/me", alice.AccessToken)).Status);
    }

    [Fact]
    public async Task Removing_a_missing_device_returns_404_and_the_primary_cannot_be_removed()
    {
        var alice = await _api.SignUpAsync();
        var missing = await _api.DeleteAsync("/api/v1/devices/5", alice.AccessToken);
        var primary = await _api.DeleteAsync("/api/v1/devices/1", alice.AccessToken);
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("device_not_found", missing.Code);
        Assert.Equal(HttpStatusCode.Conflict, primary.Status);
    }

    [Fact]
    public async Task Freed_device_id_is_given_to_the_next_device()
    {
        var alice = await _api.SignUpAsync();
        var tablet = await _api.LinkByPasswordAsync(alice, "tablet");
        await _api.LinkByPasswordAsync(alice, "laptop");
        await _api.DeleteAsync($"/api/v1/devices/{tablet.DeviceId}", alice.AccessToken);

        var watch = await _api.LinkByPasswordAsync(alice, "watch");

        Assert.Equal(tablet.DeviceId, watch.DeviceId);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.GetAsync("/api/v1/auth/me", tablet.AccessToken)).Status);
    }
}

public sealed class SqliteDeviceTests(SqliteServerFactory factory) : DeviceTests<SqliteServerFactory>(factory);

public sealed class PostgresDeviceTests(PostgresServerFactory factory) : DeviceTests<PostgresServerFactory>(factory);
