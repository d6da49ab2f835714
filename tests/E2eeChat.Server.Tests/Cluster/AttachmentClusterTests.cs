using System.Net;
using System.Security.Cryptography;
using E2eeChat.Server.Tests.Infrastructure;
using Xunit;

namespace E2eeChat.Server.Tests.Cluster;

/// <summary>Cluster mode keeps attachment bytes in PostgreSQL: any instance continues or serves any upload.</summary>
public sealed class AttachmentClusterTests
{
    [Fact]
    public async Task An_upload_begun_on_one_instance_is_finished_on_the_other_and_downloads_from_both()
    {
        await using var cluster = await LocalCluster.StartAsync(2);
        using var first = cluster.Api(0);
        using var second = cluster.Api(1);
        var alice = await first.SignUpAsync();
        var bob = await second.SignUpAsync();
        var content = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);

        var location = await first.Http.CreateUploadAsync(alice.AccessToken, content.Length);
        using (var half = await first.Http.PatchAsync(location, alice.AccessToken, 0, content[..1_500_000]))
        {
            Assert.Equal(HttpStatusCode.NoContent, half.StatusCode);
        }
        using (var head = await second.Http.HeadAsync(location, alice.AccessToken))
        {
            Assert.Equal(1_500_000, head.Offset());
        }
        using (var rest = await second.Http.PatchAsync(location, alice.AccessToken, 1_500_000, content[1_500_000..]))
        {
            Assert.Equal(content.Length, rest.Offset());
        }

        foreach (var api in new[] { first, second })
        {
            using var whole = await api.Http.DownloadAsync(location, bob.AccessToken);
            Assert.Equal(SHA256.HashData(content), SHA256.HashData(await whole.Content.ReadAsByteArrayAsync()));
            using var slice = await api.Http.DownloadAsync(location, bob.AccessToken, "bytes=2097140-2097160");
            Assert.Equal(HttpStatusCode.PartialContent, slice.StatusCode);
            Assert.Equal(content[2_097_140..2_097_161], await slice.Content.ReadAsByteArrayAsync());
        }
    }
}
