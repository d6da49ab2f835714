using E2eeChat.Domain.Accounts;
using E2eeChat.Domain.Devices;
using E2eeChat.Domain.Messages;
using Xunit;

namespace E2eeChat.Storage.Tests;

/// <summary>An account made for a store test, with the devices a send must address.</summary>
internal sealed record TestUser(Guid UserId, DeviceAddress[] Devices);

internal static class TestUsers
{
    /// <summary>An account with devices 1..<paramref name="devices"/>; device i has registration id 100 + i.</summary>
    public static async Task<TestUser> CreateAsync(SqlStorage storage, int devices, long now)
    {
        var userId = Guid.NewGuid();
        var at = DateTimeOffset.FromUnixTimeMilliseconds(now);
        var account = new Account(userId, $"u{userId:N}"[..20], new byte[33], "hash", at);
        Assert.True(await storage.Accounts.TryCreateAsync(account, new Device(userId, 1, "d1", 101, at, at), CancellationToken.None));
        for (var i = 2; i <= devices; i++)
        {
            await storage.Devices.TryAddAsync(userId, $"d{i}", 100 + i, at, 6, CancellationToken.None);
        }
        return new TestUser(userId, Enumerable.Range(1, devices).Select(i => new DeviceAddress(userId, i, 100 + i)).ToArray());
    }
}
