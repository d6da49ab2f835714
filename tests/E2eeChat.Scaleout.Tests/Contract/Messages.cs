using E2eeChat.Scaleout.Tests.Fakes;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace E2eeChat.Scaleout.Tests.Contract;

/// <summary>The message every contract case sends, and the check that it arrived intact.</summary>
internal static class Messages
{
    public const string Target = "Hello";

    public static readonly object?[] Arguments = ["World"];

    public static async Task AssertHelloWorldAsync(TestClient client)
    {
        var message = await client.ReadInvocationAsync();
        AssertHelloWorld(message);
    }

    public static void AssertHelloWorld(InvocationMessage message)
    {
        Assert.Equal(Target, message.Target);
        Assert.Equal("World", Assert.IsType<string>(Assert.Single(message.Arguments)));
    }
}
