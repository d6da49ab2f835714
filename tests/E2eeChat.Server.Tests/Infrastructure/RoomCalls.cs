using System.Net;
using System.Text;
using Xunit;

namespace E2eeChat.Server.Tests.Infrastructure;

/// <summary>Rooms as a client uses them: create, then one envelope per device of every member.</summary>
public static class RoomCalls
{
    public static async Task<Guid> CreateRoomAsync(this ApiClient api, TestDevice admin, params TestDevice[] members)
    {
        var response = await api.PostAsync("/api/v1/rooms",
            new { name = "team", memberIds = members.Select(m => m.UserId).ToArray() }, admin.AccessToken);
        Assert.True(response.Status == HttpStatusCode.Created, response.ToString());
        return Guid.Parse(response.Text("roomId"));
    }

    public static object RoomEnvelope(Guid userId, int deviceId, int registrationId, string text) => new
    {
        destinationUserId = userId,
        destinationDeviceId = deviceId,
        destinationRegistrationId = registrationId,
        type = 2,
        content = Encoding.UTF8.GetBytes(text),
    };

    /// <summary>One envelope per device of each of <paramref name="accounts"/>, without the sending device.</summary>
    public static async Task<List<object>> RoomEnvelopesAsync(this ApiClient api, TestDevice from, string text,
        params TestDevice[] accounts)
    {
        var envelopes = new List<object>();
        foreach (var account in accounts)
        {
            foreach (var (deviceId, registrationId) in await api.DevicesAsync(account))
            {
                if (!(account.UserId == from.UserId && deviceId == from.DeviceId))
                {
                    envelopes.Add(RoomEnvelope(account.UserId, deviceId, registrationId, text));
                }
            }
        }
        return envelopes;
    }

    public static Task<ApiResponse> SendToRoomAsync(this ApiClient api, TestDevice from, Guid roomId, IEnumerable<object> envelopes) =>
        api.PutAsync($"/api/v1/rooms/{roomId}/messages", Messaging.Send(envelopes), from.AccessToken);

    /// <summary>Sends <paramref name="text"/> to every device of <paramref name="members"/> (the sender included).</summary>
    public static async Task<ApiResponse> SendTextToRoomAsync(this ApiClient api, TestDevice from, Guid roomId, string text,
        params TestDevice[] members) =>
        await api.SendToRoomAsync(from, roomId, await api.RoomEnvelopesAsync(from, text, members));
}
