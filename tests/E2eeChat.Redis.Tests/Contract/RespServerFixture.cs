using E2eeChat.Testing.Redis;
using Xunit;

namespace E2eeChat.Redis.Tests.Contract;

/// <summary>One server per contract test class; tests that need their own (with a password) ask for another.</summary>
public abstract class RespServerFixture : IAsyncLifetime
{
    private readonly List<RespServer> _extra = [];
    private RespServer? _server;

    public RespServer Server => _server ?? throw new InvalidOperationException("The fixture has not started.");

    public async Task InitializeAsync() => _server = await StartServerAsync(password: null);

    /// <summary>A further server of the same kind, stopped with the fixture.</summary>
    public async Task<RespServer> StartAnotherAsync(string? password)
    {
        var server = await StartServerAsync(password);
        lock (_extra)
        {
            _extra.Add(server);
        }
        return server;
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _extra)
        {
            await server.DisposeAsync();
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    protected abstract Task<RespServer> StartServerAsync(string? password);
}

public sealed class RedisServerFixture : RespServerFixture
{
    protected override async Task<RespServer> StartServerAsync(string? password) =>
        await RedisServer.StartNewAsync(password);
}

public sealed class GarnetServerFixture : RespServerFixture
{
    protected override async Task<RespServer> StartServerAsync(string? password) =>
        await GarnetServer.StartNewAsync(password);
}
