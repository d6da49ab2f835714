using Microsoft.Extensions.Hosting;

namespace E2eeChat.Scaleout;

/// <summary>
/// Connects the backplane while the host starts, so the first hub connection finds Redis ready.
/// Start-up waits for one attempt only: if Redis is down, the host starts anyway and serves local
/// connections while the backplane keeps trying.
/// </summary>
internal sealed class RedisBackplaneStartup(RedisBackplane backplane) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => backplane.StartAsync(cancellationToken);

    // The container disposes the backplane after the hub lifetime managers that use it.
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
