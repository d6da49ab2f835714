using E2eeChat.HubClient;
using E2eeChat.LoadTest.Api;

namespace E2eeChat.LoadTest.Hub;

/// <summary>
/// Makes the hub connections of a run: WebSocket only (no negotiate, as behind nginx), the tool's JSON
/// setup, and one shared HTTP handler for every WebSocket upgrade instead of one per connection.
/// </summary>
internal sealed class HubEndpoint(Uri baseUrl, HttpMessageHandler handler)
{
    public const string Path = "/hubs/chat";

    private readonly Uri _url = new(baseUrl, Path);

    public HubConnection Create(string accessToken) => new(new HubConnectionOptions
    {
        Url = _url,
        AccessTokenProvider = _ => ValueTask.FromResult<string?>(accessToken),
        SkipNegotiation = true,
        SerializerOptions = LoadJson.Options,
        HttpMessageHandler = handler,
    });
}
