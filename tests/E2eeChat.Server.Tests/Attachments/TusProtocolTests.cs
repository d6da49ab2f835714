using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.Server.Tests.Attachments;

/// <summary>The tus 1.0 upload protocol and Range downloads, on each engine, through a real Kestrel.</summary>
public abstract class TusProtocolTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : TestServerFactory
{
    private readonly ApiClient _api = factory.Api();

    private HttpClient Http => _api.Http;

    [Fact]
    public async Task Options_advertises_the_version_the_extensions_and_the_largest_upload()
    {
        var alice = await _api.SignUpAsync();

        using var response = await Http.SendAsync(TusCalls.Request(HttpMethod.Options, TusCalls.AttachmentsPath, alice.AccessToken, tus: false));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("1.0.0", response.Headers.GetValues("Tus-Version").Single());
        Assert.Equal("creation,expiration", response.Headers.GetValues("Tus-Extension").Single());
        Assert.Equal((100 * 1024 * 1024).ToString(CultureInfo.InvariantCulture), response.Headers.GetValues("Tus-Max-Size").Single());
    }

    [Fact]
    public async Task An_upload_in_two_patches_downloads_byte_for_byte_and_by_ranges()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var content = RandomNumberGenerator.GetBytes(1_500_000);

        using var created = await Http.CreateAsync(alice.AccessToken, content.Length);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!.OriginalString;
        Assert.Matches("^/api/v1/attachments/[A-Za-z0-9_-]{22}$", location);
        Assert.Equal("1.0.0", created.Headers.GetValues("Tus-Resumable").Single());
        var expires = DateTimeOffset.Parse(created.Headers.GetValues("Upload-Expires").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromHours(23), TimeSpan.FromHours(25));

        using var first = await Http.PatchAsync(location, alice.AccessToken, 0, content[..600_000]);
        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Equal(600_000, first.Offset());
        Assert.True(first.Headers.Contains("Upload-Expires"));
        using var head = await Http.HeadAsync(location, alice.AccessToken);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(600_000, head.Offset());
        Assert.Equal(content.Length.ToString(CultureInfo.InvariantCulture), head.Headers.GetValues("Upload-Length").Single());
        Assert.Equal("no-store", head.Headers.CacheControl!.ToString());
        using var last = await Http.PatchAsync(location, alice.AccessToken, 600_000, content[600_000..]);
        Assert.Equal(content.Length, last.Offset());

        // Any authenticated device that knows the id downloads it (the key travels in the encrypted message).
        using var whole = await Http.DownloadAsync(location, bob.AccessToken);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal("bytes", whole.Headers.AcceptRanges.Single());
        Assert.Equal(content, await whole.Content.ReadAsByteArrayAsync());
        using var middle = await Http.DownloadAsync(location, bob.AccessToken, "bytes=1048570-1048599");
        Assert.Equal(HttpStatusCode.PartialContent, middle.StatusCode);
        Assert.Equal($"bytes 1048570-1048599/{content.Length}", middle.Content.Headers.ContentRange!.ToString());
        Assert.Equal(content[1_048_570..1_048_600], await middle.Content.ReadAsByteArrayAsync());
        using var tail = await Http.DownloadAsync(location, bob.AccessToken, "bytes=-10");
        Assert.Equal(content[^10..], await tail.Content.ReadAsByteArrayAsync());
        using var beyond = await Http.DownloadAsync(location, bob.AccessToken, $"bytes={content.Length}-");
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond.StatusCode);
        Assert.Equal($"bytes */{content.Length}", beyond.Content.Headers.ContentRange!.ToString());
        Assert.Equal("range_not_satisfiable", await beyond.CodeAsync());
    }

    [Fact]
    public async Task Requests_without_our_tus_version_get_412_with_Tus_Version_and_change_nothing()
    {
        var alice = await _api.SignUpAsync();
        var location = await Http.CreateUploadAsync(alice.AccessToken, 10);

        var create = TusCalls.Request(HttpMethod.Post, TusCalls.AttachmentsPath, alice.AccessToken, tus: false);
        create.Headers.Add("Upload-Length", "10");
        using var noVersion = await Http.SendAsync(create);
        var patch = TusCalls.Request(HttpMethod.Patch, location, alice.AccessToken, tus: false);
        patch.Headers.Add("Tus-Resumable", "0.2.2");
        patch.Headers.Add("Upload-Offset", "0");
        patch.Content = new ByteArrayContent(new byte[10]);
        patch.Content.Headers.ContentType = new("application/offset+octet-stream");
        using var oldVersion = await Http.SendAsync(patch);

        foreach (var response in new[] { noVersion, oldVersion })
        {
            Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
            Assert.Equal("1.0.0", response.Headers.GetValues("Tus-Version").Single());
            Assert.Equal("unsupported_tus_version", await response.CodeAsync());
        }
        using var head = await Http.HeadAsync(location, alice.AccessToken);
        Assert.Equal(0, head.Offset());
    }

    [Theory]
    [InlineData(null, "invalid_upload_length")]
    [InlineData("-1", "invalid_upload_length")]
    [InlineData("12abc", "invalid_upload_length")]
    public async Task Creation_without_a_valid_Upload_Length_is_400(string? length, string code)
    {
        var alice = await _api.SignUpAsync();
        var request = TusCalls.Request(HttpMethod.Post, TusCalls.AttachmentsPath, alice.AccessToken);
        if (length is not null)
        {
            request.Headers.Add("Upload-Length", length);
        }

        using var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, await response.CodeAsync());
    }

    [Fact]
    public async Task Creation_beyond_the_largest_upload_is_413_and_metadata_or_deferred_length_is_400()
    {
        var alice = await _api.SignUpAsync();

        using var tooLarge = await Http.CreateAsync(alice.AccessToken, 100L * 1024 * 1024 + 1);
        var withMetadata = TusCalls.Request(HttpMethod.Post, TusCalls.AttachmentsPath, alice.AccessToken);
        withMetadata.Headers.Add("Upload-Length", "10");
        withMetadata.Headers.Add("Upload-Metadata", "filename " + Convert.ToBase64String(Encoding.UTF8.GetBytes("holiday.jpg")));
        using var metadata = await Http.SendAsync(withMetadata);
        var deferred = TusCalls.Request(HttpMethod.Post, TusCalls.AttachmentsPath, alice.AccessToken);
        deferred.Headers.Add("Upload-Defer-Length", "1");
        using var defer = await Http.SendAsync(deferred);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal("attachment_too_large", await tooLarge.CodeAsync());
        Assert.Equal(HttpStatusCode.BadRequest, metadata.StatusCode);
        Assert.Equal("upload_metadata_not_supported", await metadata.CodeAsync());
        Assert.Equal(HttpStatusCode.BadRequest, defer.StatusCode);
        Assert.Equal("invalid_upload_length", await defer.CodeAsync());
    }

    [Fact]
    public async Task Patch_errors_have_stable_codes_and_store_nothing()
    {
        var alice = await _api.SignUpAsync();
        var location = await Http.CreateUploadAsync(alice.AccessToken, 100);
        using (var start = await Http.PatchAsync(location, alice.AccessToken, 0, new byte[40]))
        {
            Assert.Equal(40, start.Offset());
        }

        using var wrongType = await Http.PatchAsync(location, alice.AccessToken, 40, new byte[10], "application/octet-stream");
        using var wrongOffset = await Http.PatchAsync(location, alice.AccessToken, 30, new byte[10]);
        using var tooLong = await Http.PatchAsync(location, alice.AccessToken, 40, new byte[61]);
        var noOffset = TusCalls.Request(HttpMethod.Patch, location, alice.AccessToken);
        noOffset.Content = new ByteArrayContent(new byte[10]);
        noOffset.Content.Headers.ContentType = new("application/offset+octet-stream");
        using var missingOffset = await Http.SendAsync(noOffset);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
        Assert.Equal("unsupported_media_type", await wrongType.CodeAsync());
        Assert.Equal(HttpStatusCode.Conflict, wrongOffset.StatusCode);
        Assert.Equal("upload_offset_mismatch", await wrongOffset.CodeAsync());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLong.StatusCode);
        Assert.Equal("attachment_too_large", await tooLong.CodeAsync());
        Assert.Equal(HttpStatusCode.BadRequest, missingOffset.StatusCode);
        Assert.Equal("invalid_upload_offset", await missingOffset.CodeAsync());
        using var head = await Http.HeadAsync(location, alice.AccessToken);
        Assert.Equal(40, head.Offset());
    }

    [Fact]
    public async Task Only_the_uploader_writes_or_inspects_an_unfinished_upload_and_nobody_downloads_it()
    {
        var alice = await _api.SignUpAsync();
        var mallory = await _api.SignUpAsync();
        var location = await Http.CreateUploadAsync(alice.AccessToken, 20);
        using (await Http.PatchAsync(location, alice.AccessToken, 0, new byte[10]))
        {
        }

        using var foreignPatch = await Http.PatchAsync(location, mallory.AccessToken, 10, new byte[10]);
        using var foreignHead = await Http.HeadAsync(location, mallory.AccessToken);
        using var early = await Http.DownloadAsync(location, alice.AccessToken);

        Assert.Equal(HttpStatusCode.NotFound, foreignPatch.StatusCode);
        Assert.Equal("attachment_not_found", await foreignPatch.CodeAsync());
        Assert.Equal(HttpStatusCode.NotFound, foreignHead.StatusCode);
        Assert.False(foreignHead.Headers.Contains("Upload-Offset"));
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal("upload_incomplete", await early.CodeAsync());
        using var own = await Http.HeadAsync(location, alice.AccessToken);
        Assert.Equal(10, own.Offset());

        using (await Http.PatchAsync(location, alice.AccessToken, 10, new byte[10]))
        {
        }
        using var finishedHead = await Http.HeadAsync(location, mallory.AccessToken);
        Assert.Equal(20, finishedHead.Offset());
        using var finishedPatch = await Http.PatchAsync(location, mallory.AccessToken, 20, []);
        Assert.Equal(HttpStatusCode.NotFound, finishedPatch.StatusCode);
    }

    [Theory]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("not-an-id")]
    [InlineData("..%2F..%2Fe2eechat.db")]
    public async Task Unknown_or_malformed_ids_are_404_attachment_not_found(string id)
    {
        var alice = await _api.SignUpAsync();
        var location = $"{TusCalls.AttachmentsPath}/{id}";

        using var download = await Http.DownloadAsync(location, alice.AccessToken);
        using var patch = await Http.PatchAsync(location, alice.AccessToken, 0, new byte[1]);

        Assert.Equal(HttpStatusCode.NotFound, download.StatusCode);
        Assert.Equal("attachment_not_found", await download.CodeAsync());
        Assert.Equal(HttpStatusCode.NotFound, patch.StatusCode);
        Assert.Equal("attachment_not_found", await patch.CodeAsync());
    }

    [Fact]
    public async Task Without_a_token_every_method_is_401()
    {
        var alice = await _api.SignUpAsync();
        var location = await Http.UploadAsync(alice.AccessToken, new byte[10]);

        foreach (var (method, path) in new[]
                 {
                     (HttpMethod.Options, TusCalls.AttachmentsPath), (HttpMethod.Post, TusCalls.AttachmentsPath),
                     (HttpMethod.Head, location), (HttpMethod.Patch, location), (HttpMethod.Get, location),
                 })
        {
            using var response = await Http.SendAsync(TusCalls.Request(method, path, token: null));
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path}: {(int)response.StatusCode}");
        }
        using var garbage = await Http.DownloadAsync(location, "not.a.token");
        Assert.Equal(HttpStatusCode.Unauthorized, garbage.StatusCode);
    }

    [Fact]
    public async Task A_client_that_stalls_mid_patch_keeps_every_byte_that_arrived_and_resumes_after_them()
    {
        var alice = await _api.SignUpAsync();
        var content = RandomNumberGenerator.GetBytes(1_000_000);
        var location = await Http.CreateUploadAsync(alice.AccessToken, content.Length);

        // 300,000 of 1,000,000 announced bytes, then silence: the server ends the request after its body idle
        // timeout (2 s in tests), and commits what arrived.
        using (var socket = await StartPatchAsync(location, alice.AccessToken, content.Length))
        {
            await socket.GetStream().WriteAsync(content.AsMemory(0, 300_000));
            await WaitForOffsetAsync(location, alice.AccessToken, offset => offset == 300_000);
        }

        await ResumeAndVerifyAsync(location, alice.AccessToken, content, 300_000);
    }

    [Fact]
    public async Task A_client_that_hangs_up_mid_patch_leaves_a_consistent_offset_and_resumes_after_it()
    {
        var alice = await _api.SignUpAsync();
        var content = RandomNumberGenerator.GetBytes(3_000_000);
        var location = await Http.CreateUploadAsync(alice.AccessToken, content.Length);

        using (var socket = await StartPatchAsync(location, alice.AccessToken, content.Length))
        {
            await socket.GetStream().WriteAsync(content.AsMemory(0, 2_000_000));
        }
        // Whatever the server committed before it saw the connection close is a prefix of the content.
        await ResumeAndVerifyAsync(location, alice.AccessToken, content, 0);
    }

    /// <summary>A PATCH announcing <paramref name="length"/> bytes, once the server reads its body (Kestrel answers 100 Continue then).</summary>
    private async Task<TcpClient> StartPatchAsync(string location, string token, int length)
    {
        var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, factory.BaseAddress.Port);
        var stream = socket.GetStream();
        var head = $"PATCH {location} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n" +
                   $"Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n" +
                   $"Content-Length: {length}\r\nExpect: 100-continue\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        var answer = new byte[64];
        var read = await stream.ReadAsync(answer).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.StartsWith("HTTP/1.1 100 Continue", Encoding.ASCII.GetString(answer, 0, read), StringComparison.Ordinal);
        return socket;
    }

    private async Task WaitForOffsetAsync(string location, string token, Func<long, bool> condition)
    {
        await Wait.UntilAsync(async () =>
        {
            using var probe = await Http.HeadAsync(location, token);
            return condition(probe.Offset());
        }, TimeSpan.FromSeconds(30), "the upload's offset");
    }

    /// <summary>
    /// Resumes as a tus client does: HEAD, then PATCH from the offset; a 409 or 423 (the interrupted request was still
    /// committing) means ask again.
    /// </summary>
    private async Task ResumeAndVerifyAsync(string location, string token, byte[] content, long atLeast)
    {
        await Wait.UntilAsync(async () =>
        {
            using var head = await Http.HeadAsync(location, token);
            var offset = head.Offset();
            Assert.InRange(offset, atLeast, content.Length);
            using var resumed = await Http.PatchAsync(location, token, offset, content[(int)offset..]);
            Assert.True(resumed.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.Conflict or HttpStatusCode.Locked,
                $"PATCH answered {(int)resumed.StatusCode}");
            return resumed.StatusCode == HttpStatusCode.NoContent;
        }, TimeSpan.FromSeconds(30), "the resumed upload to finish");
        using var download = await Http.DownloadAsync(location, token);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(await download.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task X_HTTP_Method_Override_turns_a_POST_into_a_PATCH()
    {
        var alice = await _api.SignUpAsync();
        var location = await Http.CreateUploadAsync(alice.AccessToken, 5);
        var request = TusCalls.Request(HttpMethod.Post, location, alice.AccessToken);
        request.Headers.Add("X-HTTP-Method-Override", "PATCH");
        request.Headers.Add("Upload-Offset", "0");
        request.Content = new ByteArrayContent("hello"u8.ToArray());
        request.Content.Headers.ContentType = new("application/offset+octet-stream");

        using var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(5, response.Offset());
    }

    [Fact]
    public async Task An_empty_upload_is_complete_at_creation()
    {
        var alice = await _api.SignUpAsync();
        using var created = await Http.CreateAsync(alice.AccessToken, 0);
        Assert.False(created.Headers.Contains("Upload-Expires"));

        using var download = await Http.DownloadAsync(created.Headers.Location!.OriginalString, alice.AccessToken);

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Empty(await download.Content.ReadAsByteArrayAsync());
    }
}

public sealed class SqliteTusProtocolTests(SqliteServerFactory factory) : TusProtocolTests<SqliteServerFactory>(factory);

public sealed class PostgresTusProtocolTests(PostgresServerFactory factory) : TusProtocolTests<PostgresServerFactory>(factory);
