namespace E2eeChat.Server.Hosting;

/// <summary>
/// <c>--health-probe</c>: asks the running server on this machine whether it is ready and
/// exits 0 or 1. Container images have no curl; the server binary can ask itself.
/// </summary>
public static class HealthProbe
{
    public const string Argument = "--health-probe";

    public static async Task<int> RunAsync(string? urls)
    {
        var first = (urls ?? ServerDefaults.Url).Split(';', StringSplitOptions.RemoveEmptyEntries)[0];
        var local = first.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)
            .Replace("://+", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("[::]", "127.0.0.1", StringComparison.Ordinal);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(new Uri(new Uri(local), "/health/ready")).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (HttpRequestException)
        {
            return 1;
        }
        catch (TaskCanceledException)
        {
            return 1;
        }
    }
}
