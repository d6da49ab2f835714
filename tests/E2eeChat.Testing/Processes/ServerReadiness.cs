namespace E2eeChat.Testing.Processes;

public static class ServerReadiness
{
    /// <summary>Waits until an E2eeChat server process answers /health/ready; fails at once if the process exits.</summary>
    public static async Task WaitUntilReadyAsync(this ServerProcess process, Uri baseAddress, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(process);
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var lastAnswer = "none";
        try
        {
            await WaitAsync();
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException($"{exception.Message} Last /health/ready: {lastAnswer}{Environment.NewLine}{process.Output}", exception);
        }

        Task WaitAsync() => Wait.UntilAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server exited during start:{Environment.NewLine}{process.Output}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative)).ConfigureAwait(false);
                lastAnswer = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}";
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException)
            {
                return false;
            }
        }, timeout ?? TimeSpan.FromSeconds(60), "the server to become ready");
    }
}
