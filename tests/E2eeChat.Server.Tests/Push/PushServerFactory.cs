using E2eeChat.Server.Push;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Testing.Processes;
using Microsoft.Extensions.DependencyInjection;

namespace E2eeChat.Server.Tests.Push;

/// <summary>An embedded server (it makes its own VAPID keys) whose wake-ups go to a loopback push service.</summary>
public sealed class PushServerFactory : SqliteServerFactory
{
    public const string Subject = "mailto:push-tests@e2eechat.invalid";

    public LoopbackPushService PushService { get; private set; } = null!;

    public WakeUps WakeUps => Services.GetRequiredService<WakeUps>();

    public override async Task InitializeAsync()
    {
        PushService = await LoopbackPushService.StartAsync();
        Settings["Push:AllowInsecureEndpoints"] = "true";
        Settings["Push:VapidSubject"] = Subject;
        await base.InitializeAsync();
    }

    /// <summary>Every wake-up the sends so far asked for has been sent, found needless, or given up on.</summary>
    public Task WakeUpsSettledAsync() =>
        Wait.UntilAsync(() => WakeUps.Outstanding == 0, TimeSpan.FromSeconds(30), "queued wake-ups to be handled");

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && PushService is not null)
        {
            PushService.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
