namespace E2eeChat.LoadTest.Api;

internal sealed record SignUpRequest(string Username, string Password, string IdentityKey, int RegistrationId, string DeviceName);

/// <summary>Links a new device by username and password, as the seeds do.</summary>
internal sealed record LinkDeviceRequest(string Username, string Password, string Name, int RegistrationId);

internal sealed record TokenResponse(Guid UserId, int DeviceId, string AccessToken);

internal sealed record CreateRoomRequest(string Name, IReadOnlyList<Guid> MemberIds);

internal sealed record RoomCreated(Guid RoomId);

/// <summary>One envelope of a send; <see cref="DestinationUserId"/> only for room sends. Content serializes as base64.</summary>
internal sealed record OutgoingEnvelope(Guid? DestinationUserId, int DestinationDeviceId, int DestinationRegistrationId, int Type, byte[] Content);

internal sealed record SendRequest(IReadOnlyList<OutgoingEnvelope> Messages, long Timestamp);

internal sealed record ProblemBody(string? Code, string? Detail, string? Title);
