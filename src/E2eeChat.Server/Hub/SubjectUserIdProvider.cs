using E2eeChat.Server.Auth;
using Microsoft.AspNetCore.SignalR;

namespace E2eeChat.Server.Hub;

/// <summary>SignalR's user id is the account's user id (the token's <c>sub</c>), so Clients.User reaches every device.</summary>
internal sealed class SubjectUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) =>
        connection?.User.FindFirst(Caller.UserClaim)?.Value;
}
