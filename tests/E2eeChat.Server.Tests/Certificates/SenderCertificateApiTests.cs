using System.Net;
using System.Security.Cryptography;
using E2eeChat.Server.Tests.Infrastructure;
using E2eeChat.Signal.Curve;
using E2eeChat.Testing.Libsignal;
using Xunit;

namespace E2eeChat.Server.Tests.Certificates;

/// <summary>Delivery certificates judged by real libsignal, on each store.</summary>
public abstract class SenderCertificateApiTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : TestServerFactory
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task Delivery_certificate_names_the_callers_device_and_validates_with_the_trust_root_for_a_day()
    {
        var alice = await _api.SignUpAsync();
        var tablet = await _api.LinkByPasswordAsync(alice, "tablet");
        var trustRoot = Convert.FromBase64String((await _api.GetAsync("/api/v1/certificate/trust-root", alice.AccessToken)).Text("publicKey"));
        var before = DateTimeOffset.UtcNow;

        var phoneCertificate = await _api.GetAsync("/api/v1/certificate/delivery", alice.AccessToken);
        var tabletCertificate = await _api.GetAsync("/api/v1/certificate/delivery", tablet.AccessToken);

        var after = DateTimeOffset.UtcNow;
        Assert.Equal(HttpStatusCode.OK, phoneCertificate.Status);
        Assert.Equal(33, trustRoot.Length);
        var phone = await LibsignalOracle.SenderCertificateAsync(Certificate(phoneCertificate), trustRoot, after);
        var onTablet = await LibsignalOracle.SenderCertificateAsync(Certificate(tabletCertificate), trustRoot, after);
        Assert.True(phone["valid"]!.GetValue<bool>());
        Assert.Equal(alice.UserId.ToString(), phone["senderUuid"]!.GetValue<string>());
        Assert.Equal(alice.UserId.ToString(), phone["senderAci"]!.GetValue<string>());
        Assert.Equal(1, phone["senderDeviceId"]!.GetValue<int>());
        Assert.Equal(Convert.ToBase64String(alice.Identity.PublicKey), phone["identityKey"]!.GetValue<string>());
        var expiration = phone["expiration"]!.GetValue<long>();
        Assert.InRange(expiration, before.AddDays(1).ToUnixTimeMilliseconds(), after.AddDays(1).ToUnixTimeMilliseconds());
        Assert.True(onTablet["valid"]!.GetValue<bool>());
        Assert.Equal(tablet.DeviceId, onTablet["senderDeviceId"]!.GetValue<int>());
        Assert.Equal(Convert.ToBase64String(alice.Identity.PublicKey), onTablet["identityKey"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delivery_certificate_is_refused_by_libsignal_after_its_expiry_and_under_another_trust_root()
    {
        var alice = await _api.SignUpAsync();
        var trustRoot = Convert.FromBase64String((await _api.GetAsync("/api/v1/certificate/trust-root", alice.AccessToken)).Text("publicKey"));
        var certificate = Certificate(await _api.GetAsync("/api/v1/certificate/delivery", alice.AccessToken));

        var dayAndMinuteLater = await LibsignalOracle.SenderCertificateAsync(certificate, trustRoot, DateTimeOffset.UtcNow.AddDays(1).AddMinutes(1));
        var otherRoot = await LibsignalOracle.SenderCertificateAsync(certificate, Curve25519KeyPair.Generate().PublicKey, DateTimeOffset.UtcNow);
        certificate[^10] ^= 0x01; // in the signature
        var tampered = await LibsignalOracle.SenderCertificateAsync(certificate, trustRoot, DateTimeOffset.UtcNow);

        Assert.False(dayAndMinuteLater["valid"]!.GetValue<bool>());
        Assert.False(otherRoot["valid"]!.GetValue<bool>());
        Assert.False(tampered["valid"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Certificate_endpoints_require_a_token()
    {
        var delivery = await _api.GetAsync("/api/v1/certificate/delivery");
        var trustRoot = await _api.GetAsync("/api/v1/certificate/trust-root");

        Assert.Equal(HttpStatusCode.Unauthorized, delivery.Status);
        Assert.Equal("unauthorized", delivery.Code);
        Assert.Equal(HttpStatusCode.Unauthorized, trustRoot.Status);
    }

    [Fact]
    public async Task An_account_whose_identity_key_is_no_curve25519_key_gets_409_and_no_certificate()
    {
        var username = TestAccounts.UniqueUsername("oddkey");
        var identityKey = RandomNumberGenerator.GetBytes(33);
        identityKey[0] = 0x06;
        var odd = TestAccounts.FromTokens(username,
            await _api.PostAsync("/api/v1/accounts", TestAccounts.SignUpBody(username, Convert.ToBase64String(identityKey))));

        var response = await _api.GetAsync("/api/v1/certificate/delivery", odd.AccessToken);

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Equal("invalid_identity_key", response.Code);
    }

    private static byte[] Certificate(ApiResponse response)
    {
        Assert.True(response.Status == HttpStatusCode.OK, response.ToString());
        return Convert.FromBase64String(response.Text("certificate"));
    }
}

public sealed class SqliteSenderCertificateApiTests(SqliteServerFactory factory)
    : SenderCertificateApiTests<SqliteServerFactory>(factory);

public sealed class PostgresSenderCertificateApiTests(PostgresServerFactory factory)
    : SenderCertificateApiTests<PostgresServerFactory>(factory);
