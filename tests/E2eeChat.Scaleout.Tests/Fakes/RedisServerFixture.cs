using E2eeChat.Testing.Redis;

namespace E2eeChat.Scaleout.Tests.Fakes;

/// <summary>One real redis-server for a test class; tests keep apart by channel prefix, never by stopping it.</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private RedisServer? _server;

    public RedisServer Server => _server ?? throw new InvalidOperationException("The fixture has not started.");

    public async Task InitializeAsync() => _server = await RedisServer.StartNewAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
