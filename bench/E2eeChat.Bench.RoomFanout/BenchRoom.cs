using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace E2eeChat.Bench.RoomFanout;

/// <summary>A signed-in device: whose it is, its id and registration id, its access token and an HTTP client carrying it.</summary>
internal sealed record BenchDevice(Guid UserId, int DeviceId, int RegistrationId, string AccessToken, HttpClient Http);

/// <summary>Users with their devices, all in one room (invited, then accepting), made through the public API as clients would.</summary>
internal sealed class BenchRoom : IDisposable
{
    private const string Password = "correct horse battery";

    private BenchRoom(Guid roomId, IReadOnlyList<BenchDevice> devices)
    {
        RoomId = roomId;
        Devices = devices;
    }

    public Guid RoomId { get; }

    /// <summary>Every device of every member; the first is the sender.</summary>
    public IReadOnlyList<BenchDevice> Devices { get; }

    public static async Task<BenchRoom> CreateAsync(Uri baseAddress, int users, int devicesPerUser)
    {
        var devices = new List<BenchDevice>(users * devicesPerUser);
        for (var u = 0; u < users; u++)
        {
            var username = $"bench_{u}_{RandomNumberGenerator.GetHexString(8, lowercase: true)}";
            devices.Add(await SignInAsync(baseAddress, "/api/v1/accounts", new
            {
                username,
                password = Password,
                identityKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(33)),
                registrationId = 1000 + u,
                deviceName = "phone",
            }, 1000 + u));
            for (var d = 2; d <= devicesPerUser; d++)
            {
                devices.Add(await SignInAsync(baseAddress, "/api/v1/devices",
                    new { username, password = Password, name = $"device {d}", registrationId = 5000 + d }, 5000 + d));
            }
        }
        var sender = devices[0];
        var memberIds = devices.Select(d => d.UserId).Distinct().Skip(1).ToArray();
        using var created = await sender.Http.PostAsJsonAsync("/api/v1/rooms", new { name = "bench", memberIds });
        var roomId = (await ReadAsync(created)).GetProperty("roomId").GetGuid();
        // Creating a room invites its members; each joins by accepting.
        foreach (var member in devices.Where(d => d.DeviceId == 1).Skip(1))
        {
            using var accepted = await member.Http.PostAsync(new Uri($"/api/v1/rooms/invitations/{roomId}/accept", UriKind.Relative), null);
            await ReadAsync(accepted);
        }
        return new BenchRoom(roomId, devices);
    }

    public void Dispose()
    {
        foreach (var device in Devices)
        {
            device.Http.Dispose();
        }
    }

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode} {response.RequestMessage?.RequestUri}: {body}");
        }
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement;
    }

    private static async Task<BenchDevice> SignInAsync(Uri baseAddress, string path, object body, int registrationId)
    {
        var http = new HttpClient { BaseAddress = baseAddress };
        using var response = await http.PostAsJsonAsync(path, body);
        var tokens = await ReadAsync(response);
        var accessToken = tokens.GetProperty("accessToken").GetString()!;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return new BenchDevice(tokens.GetProperty("userId").GetGuid(), tokens.GetProperty("deviceId").GetInt32(), registrationId,
            accessToken, http);
    }
}
