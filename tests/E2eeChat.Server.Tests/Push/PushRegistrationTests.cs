using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using E2eeChat.Domain.Push;
using E2eeChat.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace E2eeChat.Server.Tests.Push;

/// <summary>A server with the production default: push endpoints must be https.</summary>
public sealed class PushRegistrationServerFactory : SqliteServerFactory
{
    public override Task InitializeAsync()
    {
        Settings["RateLimits:PushRegistrationsPerAccount:PermitLimit"] = "6";
        return base.InitializeAsync();
    }
}

public sealed class PushRegistrationTests(PushRegistrationServerFactory factory) : IClassFixture<PushRegistrationServerFactory>
{
    private const string Path = "/api/v1/devices/me/push";
    private static readonly string Auth = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
    private readonly ApiClient _api = factory.Api();

    public static TheoryData<string, object> Refused()
    {
        using var subscriber = new WebPushSubscriber();
        var p256dh = Base64Url.EncodeToString(subscriber.PublicKey);
        var offCurve = subscriber.PublicKey.ToArray();
        offCurve[64] ^= 1;
        object WebPush(string endpoint, string? key, string? auth) => new { webPush = new { endpoint, keys = new { p256dh = key, auth } } };
        return new TheoryData<string, object>
        {
            { "neither", new { } },
            { "both", new { webPush = new { endpoint = "https://push.example/a", keys = new { p256dh, auth = Auth } },
                gateway = new { url = "https://gw.example/_matrix/push/v1/notify", appId = "a", pushKey = "k" } } },
            { "http endpoint", WebPush("http://push.example/a", p256dh, Auth) },
            { "relative endpoint", WebPush("/push/a", p256dh, Auth) },
            { "ftp endpoint", WebPush("ftp://push.example/a", p256dh, Auth) },
            { "user info in the endpoint", WebPush("https://user:pass@push.example/a", p256dh, Auth) },
            { "p256dh of 64 bytes", WebPush("https://push.example/a", Base64Url.EncodeToString(subscriber.PublicKey[1..]), Auth) },
            { "p256dh off the curve", WebPush("https://push.example/a", Base64Url.EncodeToString(offCurve), Auth) },
            { "compressed p256dh", WebPush("https://push.example/a", Base64Url.EncodeToString([0x02, .. subscriber.PublicKey[1..33], .. new byte[32]]), Auth) },
            { "missing p256dh", WebPush("https://push.example/a", null, Auth) },
            { "auth of 15 bytes", WebPush("https://push.example/a", p256dh, Base64Url.EncodeToString(new byte[15])) },
            { "auth not base64url", WebPush("https://push.example/a", p256dh, "!!!!!!!!!!!!!!!!!!!!!!") },
            { "gateway without push key", new { gateway = new { url = "https://gw.example/notify", appId = "a" } } },
            { "gateway over http", new { gateway = new { url = "http://gw.example/notify", appId = "a", pushKey = "k" } } },
            { "gateway app id with a control character", new { gateway = new { url = "https://gw.example/notify", appId = "a\u0001", pushKey = "k" } } },
        };
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Bad_registration_is_refused_with_invalid_push_registration_and_stores_nothing(string what, object body)
    {
        var bob = await _api.SignUpAsync();

        var response = await _api.PutAsync(Path, body, bob.AccessToken);

        Assert.True(response.Status == HttpStatusCode.BadRequest, $"{what}: {response}");
        Assert.Equal("invalid_push_registration", response.Code);
        Assert.Equal("push_not_registered", (await _api.GetAsync(Path, bob.AccessToken)).Code);
    }

    [Fact]
    public async Task Registration_is_shown_without_its_keys_replaced_by_a_second_one_and_removed()
    {
        var bob = await _api.SignUpAsync();
        using var subscriber = new WebPushSubscriber();

        var put = await _api.PutAsync(Path, subscriber.Registration(new Uri("https://push.example/wpush/v2/abc")), bob.AccessToken);
        var shown = await _api.GetAsync(Path, bob.AccessToken);
        var replaced = await _api.PutAsync(Path,
            new { gateway = new { url = "https://gw.example/_matrix/push/v1/notify", appId = "chat.e2ee.ios", pushKey = "apns" } }, bob.AccessToken);
        var shownAfter = await _api.GetAsync(Path, bob.AccessToken);
        var deleted = await _api.DeleteAsync(Path, bob.AccessToken);
        var deletedAgain = await _api.DeleteAsync(Path, bob.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, put.Status);
        Assert.Equal("""{"webPush":{"endpoint":"https://push.example/wpush/v2/abc"}}""", shown.Body!.ToJsonString());
        Assert.Equal(HttpStatusCode.NoContent, replaced.Status);
        Assert.Equal("""{"gateway":{"url":"https://gw.example/_matrix/push/v1/notify","appId":"chat.e2ee.ios"}}""", shownAfter.Body!.ToJsonString());
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal(HttpStatusCode.NoContent, deletedAgain.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.GetAsync(Path, bob.AccessToken)).Status);
    }

    [Fact]
    public async Task Each_device_has_its_own_registration_and_removing_a_device_removes_it()
    {
        var bob = await _api.SignUpAsync();
        var tablet = await _api.LinkByPasswordAsync(bob);
        using var subscriber = new WebPushSubscriber();
        await _api.PutAsync(Path, subscriber.Registration(new Uri("https://push.example/tablet")), tablet.AccessToken);
        var store = factory.Services.GetRequiredService<IPushRegistrationStore>();

        Assert.Equal(HttpStatusCode.NotFound, (await _api.GetAsync(Path, bob.AccessToken)).Status);
        Assert.NotNull(await store.FindAsync(bob.UserId, tablet.DeviceId, CancellationToken.None));
        Assert.Equal(HttpStatusCode.NoContent, (await _api.DeleteAsync($"/api/v1/devices/{tablet.DeviceId}", bob.AccessToken)).Status);
        Assert.Null(await store.FindAsync(bob.UserId, tablet.DeviceId, CancellationToken.None));
    }

    [Fact]
    public async Task Registrations_are_rate_limited_per_account()
    {
        var bob = await _api.SignUpAsync();
        var tablet = await _api.LinkByPasswordAsync(bob);
        using var subscriber = new WebPushSubscriber();
        var body = subscriber.Registration(new Uri("https://push.example/a"));

        var answers = new List<ApiResponse>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await _api.PutAsync(Path, body, bob.AccessToken));
            answers.Add(await _api.DeleteAsync(Path, tablet.AccessToken));
        }

        Assert.Equal(6, answers.Count(a => a.Status == HttpStatusCode.NoContent));
        Assert.All(answers.Skip(6), a => Assert.Equal("rate_limited", a.Code));
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync(Path, bob.AccessToken)).Status);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Vapid_key_is_the_one_generated_into_the_data_directory_and_needs_a_token()
    {
        var bob = await _api.SignUpAsync();

        var response = await _api.GetAsync("/api/v1/push/vapid", bob.AccessToken);
        var anonymous = await _api.GetAsync("/api/v1/push/vapid");
        var anonymousPut = await _api.PutAsync(Path, new { });

        using var key = ECDsa.Create();
        var pem = System.IO.Path.Combine(factory.DataDirectory, "vapid.pem");
        key.ImportFromPem(await File.ReadAllTextAsync(pem));
        var q = key.ExportParameters(false).Q;
        Assert.Equal(Base64Url.EncodeToString([0x04, .. q.X!, .. q.Y!]), response.Text("publicKey"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(pem));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousPut.Status);
    }
}
