using E2eeChat.HubClient.Tests.Hosting;
using Xunit;

namespace E2eeChat.HubClient.Tests;

public sealed class FramingTests : IAsyncLifetime
{
    private TestHubServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await TestHubServer.StartAsync(o => o.MaximumReceiveMessageSize = 1024 * 1024);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Large_message_spanning_several_frames_is_reassembled()
    {
        await using var connection = _server.CreateConnection();
        await connection.StartAsync().Soon();
        // 200 KB, far beyond one 4 KB receive, with multi-byte characters that may straddle reads.
        var text = string.Concat(Enumerable.Range(0, 200 * 1024 / 8).Select(i => $"é{i % 100000:D5}|"));

        var echoed = await connection.InvokeAsync<string>("Echo", [text]).Soon();

        Assert.Equal(text, echoed);
    }

    [Fact]
    public async Task Record_separator_inside_a_string_does_not_split_the_record()
    {
        await using var connection = _server.CreateConnection();
        await connection.StartAsync().Soon();

        Assert.Equal("a\u001eb", await connection.InvokeAsync<string>("Echo", ["a\u001eb"]).Soon());
    }

    [Fact]
    public async Task Message_over_the_receive_limit_closes_the_connection()
    {
        await using var connection = _server.CreateConnection(o => o.MaximumReceiveMessageSize = 64 * 1024);
        await connection.StartAsync().Soon();

        await Assert.ThrowsAsync<HubConnectionClosedException>(
            () => connection.InvokeAsync<string>("Echo", [new string('x', 100 * 1024)]).Soon());

        var reason = Assert.IsType<HubConnectionClosedException>(await connection.WhenClosed.Soon());
        Assert.IsType<InvalidDataException>(reason.InnerException);
    }
}
