namespace E2eeChat.Testing.Processes;

/// <summary>Waits until a started server answers /health/ready, and fails at once, with its output, if it exits instead.</summary>
public static class ReadinessProbe
{
    public static async Task WaitUntilReadyAsync(ServerProcess process, Uri baseAddress, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(process);
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(2) };
        await Wait.UntilAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server exited during start:{Environment.NewLine}{process.Output}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative)).ConfigureAwait(false);
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
        }, timeout, "the server to become ready").ConfigureAwait(false);
    }
}
