using System.Net;
using System.Text;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.Server.Tests.Storage;

public sealed class FastReaperServerFactory : SqliteServerFactory
{
    public override Task InitializeAsync()
    {
        Settings["Messages:ReaperInterval"] = "00:00:00.200";
        return base.InitializeAsync();
    }
}

/// <summary>
/// Deleted envelope content leaves the embedded database's files (db, -wal, -shm) at once: an ack, a device
/// removal or an expiry must not leave ciphertext behind in free pages or in the write-ahead log.
/// </summary>
public sealed class DeletedContentTests(FastReaperServerFactory factory) : IClassFixture<FastReaperServerFactory>
{
    private readonly ApiClient _api = factory.Api();

    public static TheoryData<int> ContentSizes => new() { 64, 20_000 };

    [Theory]
    [MemberData(nameof(ContentSizes))]
    public async Task After_an_ack_the_content_is_in_none_of_the_database_files(int size)
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var content = Marker(size);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendTextAsync(alice, bob, content)).Status);
        Assert.True(DatabaseFilesContain(content), "the stored content should be found before the ack");
        var id = (await _api.MailboxAsync(bob))[0]!["id"]!.GetValue<string>();

        var ack = await _api.PostAsync("/api/v1/messages/ack", new { ids = new[] { id } }, bob.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, ack.Status);
        Assert.False(DatabaseFilesContain(content), "the acked content is still in the database files");
    }

    [Fact]
    public async Task After_a_device_is_removed_its_mailbox_content_is_in_none_of_the_database_files()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var tablet = await _api.LinkByPasswordAsync(bob);
        var content = Marker(64);
        var devices = await _api.DevicesAsync(bob);
        var send = await _api.PutAsync($"/api/v1/messages/{bob.UserId}", Messaging.Send(
            [Messaging.Envelope(1, devices[0].RegistrationId, "for the phone"), Messaging.Envelope(tablet.DeviceId, devices[1].RegistrationId, content)]),
            alice.AccessToken);
        Assert.Equal(HttpStatusCode.OK, send.Status);
        Assert.True(DatabaseFilesContain(content));

        Assert.Equal(HttpStatusCode.NoContent, (await _api.DeleteAsync($"/api/v1/devices/{tablet.DeviceId}", bob.AccessToken)).Status);

        Assert.False(DatabaseFilesContain(content), "the removed device's mailbox is still in the database files");
    }

    [Fact]
    public async Task After_an_envelope_expires_its_content_is_in_none_of_the_database_files()
    {
        var alice = await _api.SignUpAsync();
        var bob = await _api.SignUpAsync();
        var content = Marker(64);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendTextAsync(alice, bob, content, ttlSeconds: 1)).Status);
        Assert.True(DatabaseFilesContain(content));

        await Wait.UntilAsync(() => !DatabaseFilesContain(content), TimeSpan.FromSeconds(15),
            "the reaper to delete the expired envelope and its content to leave the database files");
    }

    /// <summary>Random letters, so the bytes occur nowhere else; long ones spill into SQLite overflow pages.</summary>
    private static string Marker(int size)
    {
        var text = new StringBuilder(size);
        while (text.Length < size)
        {
            text.Append(Guid.NewGuid().ToString("N"));
        }
        return text.ToString(0, size);
    }

    private bool DatabaseFilesContain(string content)
    {
        var needle = Encoding.UTF8.GetBytes(content);
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            var path = Path.Combine(factory.DataDirectory, "e2eechat.db" + suffix);
            if (!File.Exists(path))
            {
                continue;
            }
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var bytes = new byte[file.Length];
            file.ReadExactly(bytes);
            // The first 32 bytes are enough: a fragment left in a page is content that was not destroyed.
            if (bytes.AsSpan().IndexOf(needle.AsSpan(0, Math.Min(32, needle.Length))) >= 0)
            {
                return true;
            }
        }
        return false;
    }
}
