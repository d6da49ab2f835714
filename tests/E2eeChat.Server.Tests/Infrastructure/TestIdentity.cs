using System.Security.Cryptography;
using System.Text;
using E2eeChat.Signal.Curve;

namespace E2eeChat.Server.Tests.Infrastructure;

/// <summary>
/// A test account's identity key pair: a real Curve25519 key derived from the username, so every
/// device of the account can sign its prekeys without the tests passing keys around.
/// </summary>
public static class TestIdentity
{
    public static Curve25519KeyPair Of(string username) =>
        Curve25519KeyPair.FromPrivateKey(SHA256.HashData(Encoding.UTF8.GetBytes($"e2eechat-test:{username.ToLowerInvariant()}")));
}
