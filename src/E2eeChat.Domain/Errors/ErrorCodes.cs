namespace E2eeChat.Domain.Errors;

/// <summary>The stable error codes of API v1. Clients switch on these; never rename one.</summary>
public static class ErrorCodes
{
    public const string InvalidRequest = "invalid_request";
    public const string MalformedJson = "malformed_json";
    public const string InvalidUsername = "invalid_username";
    public const string InvalidPassword = "invalid_password";
    public const string InvalidIdentityKey = "invalid_identity_key";
    public const string InvalidRegistrationId = "invalid_registration_id";
    public const string InvalidDeviceName = "invalid_device_name";
    public const string InvalidDeviceId = "invalid_device_id";
    public const string UsernameTaken = "username_taken";
    public const string InvalidCredentials = "invalid_credentials";
    public const string InvalidRefreshToken = "invalid_refresh_token";
    public const string RefreshTokenReused = "refresh_token_reused";
    public const string InvalidLinkCode = "invalid_link_code";
    public const string TooManyDevices = "too_many_devices";
    public const string DeviceNotFound = "device_not_found";
    public const string UserNotFound = "user_not_found";
    public const string NotPrimaryDevice = "not_primary_device";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not_found";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string PayloadTooLarge = "payload_too_large";
    public const string RateLimited = "rate_limited";
    public const string InternalError = "internal_error";
    public const string MismatchedDevices = "mismatched_devices";
    public const string StaleDevices = "stale_devices";
    public const string InvalidEnvelope = "invalid_envelope";
    public const string InvalidMessageId = "invalid_message_id";
    public const string MessageNotFound = "message_not_found";
    public const string NotInConversation = "not_in_conversation";
    public const string InvalidPrekey = "invalid_prekey";
    public const string TooManyPrekeys = "too_many_prekeys";
    public const string NoPrekeys = "no_prekeys";
    public const string InvalidSignature = "invalid_signature";
    public const string KeysMismatch = "keys_mismatch";
    public const string InvalidRoomName = "invalid_room_name";
    public const string RoomNotFound = "room_not_found";
    public const string NotRoomAdmin = "not_room_admin";
    public const string RoomMemberNotFound = "room_member_not_found";
    public const string RoomFull = "room_full";
    public const string TooManyRooms = "too_many_rooms";
}
