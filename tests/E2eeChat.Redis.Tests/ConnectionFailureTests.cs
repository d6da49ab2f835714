using System.Net;
using System.Net.Sockets;
using System.Text;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.Redis.Tests;

/// <summary>Failure modes that need no real server: nothing listening, a silent peer, a peer that talks nonsense.</summary>
public sealed class ConnectionFailureTests
{
    [Fact]
    public async Task Connect_to_closed_port_fails_with_RedisConnectionException()
    {
        var options = new RedisOptions { Port = FreePort.Next() };

        var failure = await Assert.ThrowsAsync<RedisConnectionException>(() => RedisConnection.ConnectAsync(options));

        Assert.IsType<SocketException>(failure.InnerException);
        Assert.Contains(options.Endpoint, failure.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<RedisConnectionException>(() => RedisSubscriber.ConnectAsync(options));
    }

    [Fact]
    public async Task Connect_to_a_peer_that_never_answers_times_out_with_RedisConnectionException()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var options = new RedisOptions
        {
            Port = ((IPEndPoint)listener.LocalEndpoint).Port,
            ConnectTimeout = TimeSpan.FromMilliseconds(300),
        };

        var failure = await Assert.ThrowsAsync<RedisConnectionException>(() => RedisConnection.ConnectAsync(options));

        Assert.Contains("Timed out", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_reply_fails_with_RedisProtocolException_and_drops_the_connection()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var peer = ServeAsync(listener, "+PONG\r\n", "?this is not RESP\r\n");
        var options = new RedisOptions
        {
            Port = ((IPEndPoint)listener.LocalEndpoint).Port,
            ReconnectInitialDelay = TimeSpan.FromSeconds(30),
            ReconnectMaxDelay = TimeSpan.FromSeconds(30),
        };
        await using var redis = await RedisConnection.ConnectAsync(options);

        await Assert.ThrowsAsync<RedisProtocolException>(async () => await redis.GetAsync("key"));

        await Wait.UntilAsync(() => !redis.IsConnected, TimeSpan.FromSeconds(10), "the connection to drop");
        await peer;
    }

    [Fact]
    public async Task Reply_with_no_command_waiting_fails_with_RedisProtocolException()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var peer = ServeAsync(listener, "+PONG\r\n", ":1\r\n:2\r\n");
        var options = new RedisOptions
        {
            Port = ((IPEndPoint)listener.LocalEndpoint).Port,
            ReconnectInitialDelay = TimeSpan.FromSeconds(30),
            ReconnectMaxDelay = TimeSpan.FromSeconds(30),
        };
        await using var redis = await RedisConnection.ConnectAsync(options);

        Assert.Equal(1, await redis.IncrementAsync("key"));

        await Wait.UntilAsync(() => !redis.IsConnected, TimeSpan.FromSeconds(10), "the connection to drop");
        await peer;
    }

    // Answers the n-th burst of bytes it receives with the n-th reply, then waits for the client to hang up.
    private static async Task ServeAsync(TcpListener listener, params string[] replies)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var buffer = new byte[4096];
        foreach (var reply in replies)
        {
            if (await stream.ReadAsync(buffer) == 0)
            {
                return;
            }
            await stream.WriteAsync(Encoding.ASCII.GetBytes(reply));
        }
        while (await stream.ReadAsync(buffer) > 0)
        {
        }
    }
}
