using Xunit;

namespace E2eeChat.HubClient.Tests;

public sealed class HubUrlsTests
{
    [Fact]
    public void WebSocket_address_maps_the_scheme_and_encodes_the_query()
    {
        var uri = HubUrls.WebSocket(new Uri("https://chat.example:8443/hubs/chat?tenant=a"), "tok/en", "a b+c=&");

        Assert.Equal("wss://chat.example:8443/hubs/chat?tenant=a&id=tok%2Fen&access_token=a%20b%2Bc%3D%26", uri.AbsoluteUri);
    }

    [Fact]
    public void Negotiate_address_is_beside_the_hub_over_http()
    {
        var uri = HubUrls.Negotiate(new Uri("ws://localhost:5000/hubs/chat/"));

        Assert.Equal("http://localhost:5000/hubs/chat/negotiate?negotiateVersion=1", uri.AbsoluteUri);
    }
}
