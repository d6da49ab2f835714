using System.Net;
using E2eeChat.Signal.Curve;
using Xunit;

namespace E2eeChat.Server.Tests.Infrastructure;

/// <summary>A signed-in device of a test account.</summary>
public sealed record TestDevice(string Username, string Password, Guid UserId, int DeviceId, string AccessToken, string RefreshToken)
{
    /// <summary>The account's identity key pair, shared by its devices (<see cref="TestIdentity"/>).</summary>
    public Curve25519KeyPair Identity => TestIdentity.Of(Username);
}

public static class TestAccounts
{
    public const string Password = "correct horse battery";

    public static string UniqueUsername(string prefix = "u") => $"{prefix}_{Guid.NewGuid():N}"[..20];

    /// <summary>The serialized identity public key of <paramref name="username"/>'s account, base64.</summary>
    public static string IdentityKey(string username) => Convert.ToBase64String(TestIdentity.Of(username).PublicKey);

    public static object SignUpBody(string username, string? identityKey = null, int registrationId = 1234) => new
    {
        username,
        password = Password,
        identityKey = identityKey ?? IdentityKey(username),
        registrationId,
        deviceName = "phone",
    };

    public static async Task<TestDevice> SignUpAsync(this ApiClient api, string? username = null)
    {
        username ??= UniqueUsername();
        var response = await api.PostAsync("/api/v1/accounts", SignUpBody(username));
        Assert.True(response.Status == HttpStatusCode.Created, response.ToString());
        return FromTokens(username, response);
    }

    public static async Task<TestDevice> LinkByPasswordAsync(this ApiClient api, TestDevice account, string name = "tablet")
    {
        var response = await api.PostAsync("/api/v1/devices",
            new { username = account.Username, password = account.Password, name, registrationId = 4321 });
        Assert.True(response.Status == HttpStatusCode.Created, response.ToString());
        return FromTokens(account.Username, response);
    }

    public static TestDevice FromTokens(string username, ApiResponse response) => new(
        username, Password, Guid.Parse(response.Text("userId")), response.Int("deviceId"),
        response.Text("accessToken"), response.Text("refreshToken"));
}
