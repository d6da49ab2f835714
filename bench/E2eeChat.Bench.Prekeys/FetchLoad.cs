using System.Diagnostics;

namespace E2eeChat.Bench.Prekeys;

internal sealed record LoadResult(long Fetches, long Failures, TimeSpan Elapsed, string? FirstFailure)
{
    public double PerSecond => Fetches / Elapsed.TotalSeconds;
}

/// <summary>
/// Each client fetches bundles back to back, for a fixed time, as its own requester device;
/// client k asks for targets k, k+N, k+2N, … so that concurrent fetches mostly hit different devices.
/// </summary>
internal static class FetchLoad
{
    public static async Task<LoadResult> RunAsync(HttpClient http, IReadOnlyList<BenchAccount> requesters,
        IReadOnlyList<BenchAccount> targets, TimeSpan duration)
    {
        var paths = new string[targets.Count];
        for (var i = 0; i < paths.Length; i++)
        {
            paths[i] = $"/api/v1/keys/{targets[i].UserId}/1";
        }
        long fetches = 0, failures = 0;
        string? firstFailure = null;
        var clock = Stopwatch.StartNew();
        var clients = new Task[requesters.Count];
        for (var c = 0; c < clients.Length; c++)
        {
            var requester = requesters[c];
            var next = c;
            clients[c] = Task.Run(async () =>
            {
                while (clock.Elapsed < duration)
                {
                    using var request = BenchApi.Request(HttpMethod.Get, paths[next % paths.Length], requester);
                    using var response = await http.SendAsync(request);
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref fetches);
                    }
                    else if (Interlocked.Increment(ref failures) == 1)
                    {
                        firstFailure = $"{(int)response.StatusCode} {body}";
                    }
                    next += clients.Length;
                }
            });
        }
        await Task.WhenAll(clients);
        return new LoadResult(fetches, failures, clock.Elapsed, firstFailure);
    }
}
