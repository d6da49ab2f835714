using System.Net;
using E2eeChat.Server.Delivery;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Testing.Processes;
using Xunit;

namespace E2eeChat.Server.Tests.Delivery;

/// <summary>
/// What the slow-consumer tests do to a device: hold a non-reading connection for it, then send it 48 × 128 KiB,
/// 8 MiB of JSON on the wire, far beyond the pump's budget, SignalR's and Kestrel's buffers and the sockets'.
/// </summary>
internal static class StalledDevice
{
    public const int Envelopes = 48;
    private const int ContentBytes = 128 * 1024;

    public static string Text(int i) => $"m{i:D3}:".PadRight(ContentBytes, 'x');

    /// <summary>Opens the device's non-reading connection and waits until the server holds it.</summary>
    public static async Task<NonReadingConnection> OpenAsync(Uri baseAddress, DeviceConnections connections, TestDevice device)
    {
        var stalled = await NonReadingConnection.OpenAsync(baseAddress, device.AccessToken);
        try
        {
            await Wait.UntilAsync(() => connections.IsConnectedHere(new DeviceKey(device.UserId, device.DeviceId)),
                TimeSpan.FromSeconds(15), "the non-reading connection");
            return stalled;
        }
        catch
        {
            stalled.Dispose();
            throw;
        }
    }

    /// <summary>Sends the device the backlog; every send is committed (200) and announced.</summary>
    public static async Task SendBacklogAsync(ApiClient api, TestDevice from, TestDevice to)
    {
        for (var i = 0; i < Envelopes; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await api.SendTextAsync(from, to, Text(i))).Status);
        }
    }
}
