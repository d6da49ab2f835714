using System.Net;
using System.Text;
using Xunit;

namespace E2eeChat.Server.Tests.Infrastructure;

/// <summary>Rooms as a client uses them: create (inviting), accept, then one envelope per device of every member.</summary>
public static class RoomCalls
{
    /// <summary>A room of <paramref name="admin"/> that <paramref name="members"/> were invited to and joined.</summary>
    public static async Task<Guid> CreateRoomAsync(this ApiClient api, TestDevice admin, params TestDevice[] members)
    {
        var roomId = await api.CreateRoomInvitingAsync(admin, members);
        foreach (var member in members)
        {
            var accepted = await api.AcceptAsync(member, roomId);
            Assert.True(accepted.Status == HttpStatusCode.OK, accepted.ToString());
        }
        return roomId;
    }

    /// <summary>A room of <paramref name="admin"/> with <paramref name="invitees"/> invited, who have not answered.</summary>
    public static async Task<Guid> CreateRoomInvitingAsync(this ApiClient api, TestDevice admin, params TestDevice[] invitees)
    {
        var response = await api.PostAsync("/api/v1/rooms",
            new { name = "team", memberIds = invitees.Select(m => m.UserId).ToArray() }, admin.AccessToken);
        Assert.True(response.Status == HttpStatusCode.Created, response.ToString());
        return Guid.Parse(response.Text("roomId"));
    }

    public static Task<ApiResponse> InviteAsync(this ApiClient api, TestDevice admin, Guid roomId, TestDevice user, string? role = null) =>
        api.PostAsync($"/api/v1/rooms/{roomId}/members", new { userId = user.UserId, role }, admin.AccessToken);

    public static Task<ApiResponse> AcceptAsync(this ApiClient api, TestDevice invitee, Guid roomId) =>
        api.PostAsync($"/api/v1/rooms/invitations/{roomId}/accept", token: invitee.AccessToken);

    public static Task<ApiResponse> DeclineAsync(this ApiClient api, TestDevice invitee, Guid roomId) =>
        api.PostAsync($"/api/v1/rooms/invitations/{roomId}/decline", token: invitee.AccessToken);

    /// <summary>The room ids of the caller's pending invitations, oldest first.</summary>
    public static async Task<Guid[]> InvitedRoomsAsync(this ApiClient api, TestDevice invitee)
    {
        var response = await api.GetAsync("/api/v1/rooms/invitations", invitee.AccessToken);
        Assert.True(response.Status == HttpStatusCode.OK, response.ToString());
        return [.. response.Body!.AsArray().Select(i => Guid.Parse(i!["roomId"]!.GetValue<string>()))];
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
