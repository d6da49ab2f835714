namespace E2eeChat.Server.Limits;

/// <summary>The named limiters; each one's rule lives in <see cref="RateLimitOptions"/>.</summary>
public enum RateLimitBucket
{
    SignupPerIp,
    TokenPerIp,
    TokenPerUsernameAndIp,
    TokenPerUsername,
    RefreshPerIp,
    LinkPerIp,
    LinkPerAccount,
    DeviceRemovalsPerAccount,
    HubConnectsPerDevice,
    UserLookupsPerAccount,
    ReadsPerAccount,
    MessagesPerAccount,
    MessagesPerPair,
    AcksPerDevice,
    ReadMarksPerDevice,
    TypingPerDevice,
    KeyUploadsPerDevice,
    PrekeyFetchPerDevicePair,
    SenderCertificatesPerAccount,
    RoomCreationsPerAccount,
    RoomInvitationsPerAccount,
    RoomChangesPerAccount,
    AttachmentUploadsPerAccount,
    AttachmentRequestsPerAccount,
    CallingRelaysPerAccount,
    PushRegistrationsPerAccount,
}
