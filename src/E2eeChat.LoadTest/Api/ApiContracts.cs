using MessagePack;

namespace E2eeChat.LoadTest.Api;

internal sealed record SignUpRequest(string Username, string Password, string IdentityKey, int RegistrationId, string DeviceName);

/// <summary>Links a new device by username and password, as the seeds do.</summary>
internal sealed record LinkDeviceRequest(string Username, string Password, string Name, int RegistrationId);

internal sealed record TokenResponse(Guid UserId, int DeviceId, string AccessToken);

internal sealed record CreateRoomRequest(string Name, IReadOnlyList<Guid> MemberIds);

internal sealed record RoomCreated(Guid RoomId);

/// <summary>
/// One envelope of a send; <see cref="DestinationUserId"/> only for room sends. Content is base64 in JSON
/// (REST and the JSON hub protocol) and bin with MessagePack.
/// </summary>
[MessagePackObject]
internal sealed record OutgoingEnvelope(
    [property: Key("destinationUserId")] Guid? DestinationUserId,
    [property: Key("destinationDeviceId")] int DestinationDeviceId,
    [property: Key("destinationRegistrationId")] int DestinationRegistrationId,
    [property: Key("type")] int Type,
    [property: Key("content")] byte[] Content);

[MessagePackObject]
internal sealed record SendRequest(
    [property: Key("messages")] IReadOnlyList<OutgoingEnvelope> Messages,
    [property: Key("timestamp")] long Timestamp);

internal sealed record ProblemBody(string? Code, string? Detail, string? Title);
