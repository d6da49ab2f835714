using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.Server.Tests.Attachments;

public sealed class SmallAttachmentsServerFactory : SqliteServerFactory
{
    public override Task InitializeAsync()
    {
        Settings["Attachments:MaxBytes"] = "1000";
        Settings["Attachments:DailyBytesPerAccount"] = "2500";
        Settings["RateLimits:AttachmentUploadsPerAccount:PermitLimit"] = "5";
        Settings["RateLimits:AttachmentUploadsPerAccount:Window"] = "01:00:00";
        return base.InitializeAsync();
    }
}

public sealed class AttachmentLimitTests(SmallAttachmentsServerFactory factory) : IClassFixture<SmallAttachmentsServerFactory>
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task Uploads_over_the_size_the_daily_bytes_or_the_rate_are_refused_with_stable_codes()
    {
        var alice = await _api.SignUpAsync();
        var http = _api.Http;

        using var tooLarge = await http.CreateAsync(alice.AccessToken, 1001);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal("attachment_too_large", await tooLarge.CodeAsync());

        await http.CreateUploadAsync(alice.AccessToken, 1000);
        await http.CreateUploadAsync(alice.AccessToken, 1000);
        using var overQuota = await http.CreateAsync(alice.AccessToken, 501);
        Assert.Equal(HttpStatusCode.TooManyRequests, overQuota.StatusCode);
        Assert.Equal("attachment_quota_exceeded", await overQuota.CodeAsync());
        Assert.True(overQuota.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        await http.CreateUploadAsync(alice.AccessToken, 500);

        using var overRate = await http.CreateAsync(alice.AccessToken, 0);
        Assert.Equal(HttpStatusCode.TooManyRequests, overRate.StatusCode);
        Assert.Equal("rate_limited", await overRate.CodeAsync());

        // Another account has its own quota and bucket.
        var bob = await _api.SignUpAsync();
        await http.CreateUploadAsync(bob.AccessToken, 1000);
    }
}

public sealed class ShortLivedAttachmentsServerFactory : SqliteServerFactory
{
    public override Task InitializeAsync()
    {
        Settings["Attachments:UnfinishedRetention"] = "00:00:01";
        Settings["Attachments:Retention"] = "00:00:02";
        Settings["Attachments:ReaperInterval"] = "00:00:00.200";
        return base.InitializeAsync();
    }
}

public sealed class AttachmentExpiryTests(ShortLivedAttachmentsServerFactory factory) : IClassFixture<ShortLivedAttachmentsServerFactory>
{
    private readonly ApiClient _api = factory.Api();

    private string Files => Path.Combine(factory.DataDirectory, "attachments");

    [Fact]
    public async Task The_reaper_deletes_finished_attachments_after_their_retention_and_unfinished_uploads_after_theirs()
    {
        var alice = await _api.SignUpAsync();
        var http = _api.Http;
        var finished = await http.UploadAsync(alice.AccessToken, new byte[100]);
        var unfinished = await http.CreateUploadAsync(alice.AccessToken, 100);
        using (await http.PatchAsync(unfinished, alice.AccessToken, 0, new byte[50]))
        {
        }
        using (var fresh = await http.DownloadAsync(finished, alice.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }
        Assert.Equal(2, Directory.GetFiles(Files).Length);

        await Wait.UntilAsync(async () =>
        {
            using var gone = await http.DownloadAsync(finished, alice.AccessToken);
            return gone.StatusCode == HttpStatusCode.NotFound;
        }, TimeSpan.FromSeconds(30), "the finished attachment to be reaped");
        await Wait.UntilAsync(() => Directory.GetFiles(Files).Length == 0, TimeSpan.FromSeconds(30), "the files to be deleted");

        using var patch = await http.PatchAsync(unfinished, alice.AccessToken, 50, new byte[50]);
        Assert.Equal(HttpStatusCode.NotFound, patch.StatusCode);
        Assert.Equal("attachment_not_found", await patch.CodeAsync());
    }
}

public sealed class UnreapedAttachmentsServerFactory : SqliteServerFactory
{
    public override Task InitializeAsync()
    {
        Settings["Attachments:UnfinishedRetention"] = "00:00:01";
        Settings["Attachments:ReaperInterval"] = "01:00:00";
        return base.InitializeAsync();
    }
}

public sealed class AttachmentExpiredUploadTests(UnreapedAttachmentsServerFactory factory) : IClassFixture<UnreapedAttachmentsServerFactory>
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task An_expired_upload_not_yet_reaped_is_410_attachment_expired()
    {
        var alice = await _api.SignUpAsync();
        var http = _api.Http;
        var upload = await http.CreateUploadAsync(alice.AccessToken, 10);

        await Wait.UntilAsync(async () =>
        {
            using var head = await http.HeadAsync(upload, alice.AccessToken);
            return head.StatusCode == HttpStatusCode.Gone;
        }, TimeSpan.FromSeconds(30), "the upload to expire");

        using var patch = await http.PatchAsync(upload, alice.AccessToken, 0, new byte[10]);
        Assert.Equal(HttpStatusCode.Gone, patch.StatusCode);
        Assert.Equal("attachment_expired", await patch.CodeAsync());
    }
}
