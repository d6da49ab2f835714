namespace E2eeChat.LoadTest.Accounts;

/// <summary>A signed-in device the tool created.</summary>
internal sealed record LoadDevice(Guid UserId, int DeviceId, int RegistrationId, string AccessToken);

/// <summary>An account the tool created, with its devices; the primary (device 1) first.</summary>
internal sealed record LoadUser(string Username, Guid UserId, IReadOnlyList<LoadDevice> Devices)
{
    public LoadDevice Primary => Devices[0];
}
