using Microsoft.AspNetCore.SignalR;

namespace E2eeChat.Scaleout.Tests.Fakes;

/// <summary>The hub whose lifetime the managers under test manage; its methods are never called.</summary>
public sealed class TestHub : Hub;
