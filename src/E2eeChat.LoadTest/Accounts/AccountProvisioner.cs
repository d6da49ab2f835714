using System.Security.Cryptography;
using E2eeChat.LoadTest.Api;
using E2eeChat.LoadTest.Metrics;

namespace E2eeChat.LoadTest.Accounts;

/// <summary>
/// Creates the run's own accounts: a random 33-byte identity key and a random registration id each,
/// further devices linked by username and password. Names carry a per-run tag, so runs never collide.
/// </summary>
internal sealed class AccountProvisioner(LoadApiClient api, RunCounters counters, int parallelism)
{
    /// <summary>Only the load tool's accounts use it; it is no secret.</summary>
    public const string Password = "e2eechat-load-test";

    private readonly string _runTag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    /// <summary>Creates one account per entry of <paramref name="devicesPerUser"/>, with that many devices.</summary>
    /// <param name="role">A letter or two in the usernames, saying what the accounts are for.</param>
    public async Task<LoadUser[]> CreateAsync(string role, IReadOnlyList<int> devicesPerUser, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(devicesPerUser);
        var users = new LoadUser[devicesPerUser.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken };
        await Parallel.ForAsync(0, users.Length, options, async (i, token) =>
            users[i] = await CreateUserAsync($"lt_{_runTag}_{role}{i}", devicesPerUser[i], token).ConfigureAwait(false))
            .ConfigureAwait(false);
        return users;
    }

    /// <summary>Creates <paramref name="count"/> accounts of <paramref name="devices"/> devices each.</summary>
    public Task<LoadUser[]> CreateAsync(string role, int count, int devices, CancellationToken cancellationToken)
    {
        var devicesPerUser = new int[count];
        Array.Fill(devicesPerUser, devices);
        return CreateAsync(role, devicesPerUser, cancellationToken);
    }

    private async Task<LoadUser> CreateUserAsync(string username, int deviceCount, CancellationToken cancellationToken)
    {
        var registrationId = NewRegistrationId();
        var primary = await api.SignUpAsync(new SignUpRequest(username, Password,
            Convert.ToBase64String(RandomNumberGenerator.GetBytes(33)), registrationId, "load-1"), cancellationToken)
            .ConfigureAwait(false);
        Interlocked.Increment(ref counters.DevicesCreated);
        var devices = new List<LoadDevice>(deviceCount) { new(primary.UserId, primary.DeviceId, registrationId, primary.AccessToken) };
        for (var d = 1; d < deviceCount; d++)
        {
            registrationId = NewRegistrationId();
            var linked = await api.LinkDeviceAsync(new LinkDeviceRequest(username, Password, $"load-{d + 1}", registrationId),
                cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref counters.DevicesCreated);
            devices.Add(new LoadDevice(linked.UserId, linked.DeviceId, registrationId, linked.AccessToken));
        }
        return new LoadUser(username, primary.UserId, devices);
    }

    private static int NewRegistrationId() => RandomNumberGenerator.GetInt32(1, 16381);
}
