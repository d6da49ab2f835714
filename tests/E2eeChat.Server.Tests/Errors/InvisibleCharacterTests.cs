using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using Xunit;

namespace E2eeChat.Server.Tests.Errors;

/// <summary>
/// Names other people read (usernames, device names, room names) hold no characters that hide or reorder text:
/// no bidi overrides or isolates, zero-width or other format characters, invisible fillers, controls or line breaks.
/// </summary>
public sealed class InvisibleCharacterTests(SqliteServerFactory factory) : IClassFixture<SqliteServerFactory>
{
    private readonly ApiClient _api = factory.Api();

    /// <summary>U+202E right-to-left override, U+2066 left-to-right isolate, U+200B zero-width space, U+200D zero-width joiner,
    /// U+FEFF zero-width no-break space, U+00AD soft hyphen, U+3164 Hangul filler, U+2028 line separator, U+0007 bell,
    /// U+E0041 tag letter A, U+E000 private use. (A lone surrogate cannot arrive: JSON refuses it, MalformedRequestTests.)</summary>
    public static TheoryData<string> Hidden => new()
    {
        "\u202E", "\u2066", "\u200B", "\u200D", "\uFEFF", "\u00AD", "\u3164", "\u2028", "\u0007", "\U000E0041", "\uE000",
    };

    [Theory]
    [MemberData(nameof(Hidden))]
    public async Task A_device_name_with_a_hidden_character_is_refused_at_signup_and_at_link(string hidden)
    {
        var username = TestAccounts.UniqueUsername("hid");
        var signup = await _api.PostAsync("/api/v1/accounts", new
        {
            username,
            password = TestAccounts.Password,
            identityKey = TestAccounts.IdentityKey(username),
            registrationId = 7,
            deviceName = $"ph{hidden}one",
        });
        var alice = await _api.SignUpAsync();
        var link = await _api.PostAsync("/api/v1/devices",
            new { username = alice.Username, password = TestAccounts.Password, name = $"lap{hidden}top", registrationId = 8 });

        AssertRefused(signup, "invalid_device_name");
        AssertRefused(link, "invalid_device_name");
        Assert.Single((await _api.GetAsync("/api/v1/devices", alice.AccessToken)).Body!.AsArray());
    }

    [Theory]
    [MemberData(nameof(Hidden))]
    public async Task A_room_name_with_a_hidden_character_is_refused_at_create_and_at_rename(string hidden)
    {
        var alice = await _api.SignUpAsync();
        var roomId = await _api.CreateRoomAsync(alice);

        var create = await _api.PostAsync("/api/v1/rooms", new { name = $"tea{hidden}m", memberIds = Array.Empty<Guid>() }, alice.AccessToken);
        var rename = await _api.SendAsync(HttpMethod.Patch, $"/api/v1/rooms/{roomId}", new { name = $"{hidden}maet" }, alice.AccessToken);

        AssertRefused(create, "invalid_room_name");
        AssertRefused(rename, "invalid_room_name");
        Assert.Equal("team", (await _api.GetAsync($"/api/v1/rooms/{roomId}", alice.AccessToken)).Text("name"));
    }

    [Theory]
    [MemberData(nameof(Hidden))]
    public async Task A_username_with_a_hidden_character_is_refused(string hidden)
    {
        var username = TestAccounts.UniqueUsername("hid");

        var signup = await _api.PostAsync("/api/v1/accounts", TestAccounts.SignUpBody(username[..4] + hidden + username[4..]));

        AssertRefused(signup, "invalid_username");
    }

    [Theory]
    [InlineData("Zoë's phone")]
    [InlineData("会議室 2")]
    [InlineData("📱 ❤️ laptop")]
    [InlineData("عربي")]
    public async Task Visible_names_in_any_script_are_kept(string name)
    {
        var alice = await _api.SignUpAsync();

        var link = await _api.PostAsync("/api/v1/devices",
            new { username = alice.Username, password = TestAccounts.Password, name, registrationId = 8 });
        var room = await _api.PostAsync("/api/v1/rooms", new { name, memberIds = Array.Empty<Guid>() }, alice.AccessToken);

        Assert.Equal(HttpStatusCode.Created, link.Status);
        Assert.Equal(HttpStatusCode.Created, room.Status);
        Assert.Equal(name, room.Text("name"));
    }

    private static void AssertRefused(ApiResponse response, string code)
    {
        Assert.True(response.Status == HttpStatusCode.BadRequest, response.ToString());
        Assert.Equal(code, response.Code);
    }
}
