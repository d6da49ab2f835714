using E2eeChat.Scaleout.Tests.Contract;
using E2eeChat.Scaleout.Tests.Fakes;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging.Abstractions;

namespace E2eeChat.Scaleout.Tests;

/// <summary>The single-server contract against ASP.NET Core's in-memory manager: the reference our scale-out must match.</summary>
public sealed class DefaultHubLifetimeManagerContractTests : HubLifetimeManagerContract
{
    protected override Task<HubLifetimeManager<TestHub>> CreateServerAsync() =>
        Task.FromResult<HubLifetimeManager<TestHub>>(
            new DefaultHubLifetimeManager<TestHub>(NullLogger<DefaultHubLifetimeManager<TestHub>>.Instance));
}
