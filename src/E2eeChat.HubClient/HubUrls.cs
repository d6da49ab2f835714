namespace E2eeChat.HubClient;

/// <summary>Builds the negotiate and WebSocket addresses from the hub URL, keeping any query it already has.</summary>
internal static class HubUrls
{
    public static Uri Negotiate(Uri hubUrl)
    {
        var builder = new UriBuilder(hubUrl)
        {
            Scheme = hubUrl.Scheme switch { "ws" => "http", "wss" => "https", var scheme => scheme },
        };
        builder.Path = builder.Path.TrimEnd('/') + "/negotiate";
        builder.Query = AppendQuery(builder.Query, "negotiateVersion", "1");
        return builder.Uri;
    }

    public static Uri WebSocket(Uri hubUrl, string? connectionToken, string? accessToken)
    {
        var builder = new UriBuilder(hubUrl)
        {
            Scheme = hubUrl.Scheme switch { "http" => "ws", "https" => "wss", var scheme => scheme },
        };
        var query = builder.Query;
        if (connectionToken is not null)
        {
            query = AppendQuery(query, "id", connectionToken);
        }
        if (accessToken is not null)
        {
            query = AppendQuery(query, "access_token", accessToken);
        }
        builder.Query = query;
        return builder.Uri;
    }

    private static string AppendQuery(string query, string name, string value)
    {
        query = query.TrimStart('?');
        var pair = $"{name}={Uri.EscapeDataString(value)}";
        return query.Length == 0 ? pair : $"{query}&{pair}";
    }
}
