using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace E2eeChat.Bench.Prekeys;

internal sealed record BenchAccount(Guid UserId, string AccessToken);

/// <summary>The few REST calls the set-up needs; each failure stops the benchmark with the response.</summary>
internal sealed class BenchApi(HttpClient http)
{
    private int _counter;

    public async Task<BenchAccount[]> SignUpAsync(int count, byte[] identityKey)
    {
        var accounts = new BenchAccount[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, cancellationToken) =>
        {
            var username = string.Create(CultureInfo.InvariantCulture, $"bench_{Environment.ProcessId}_{Interlocked.Increment(ref _counter)}");
            using var response = await http.PostAsJsonAsync(new Uri("/api/v1/accounts", UriKind.Relative), new
            {
                username,
                password = "correct horse battery",
                identityKey = Convert.ToBase64String(identityKey),
                registrationId = 1 + (i % 16000),
                deviceName = "bench",
            }, cancellationToken);
            var body = await EnsureAsync(response, cancellationToken);
            accounts[i] = new BenchAccount(Guid.Parse(body["userId"]!.GetValue<string>()), body["accessToken"]!.GetValue<string>());
        });
        return accounts;
    }

    public Task UploadAsync(IReadOnlyList<BenchAccount> accounts, string upload) =>
        Parallel.ForEachAsync(accounts, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (account, cancellationToken) =>
        {
            using var request = Request(HttpMethod.Put, "/api/v1/keys", account);
            request.Content = new StringContent(upload, Encoding.UTF8, "application/json");
            using var response = await http.SendAsync(request, cancellationToken);
            await EnsureAsync(response, cancellationToken);
        });

    /// <summary>One-time EC keys left over all <paramref name="accounts"/>.</summary>
    public async Task<long> CountAsync(IReadOnlyList<BenchAccount> accounts)
    {
        long total = 0;
        await Parallel.ForEachAsync(accounts, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (account, cancellationToken) =>
        {
            using var request = Request(HttpMethod.Get, "/api/v1/keys/count", account);
            using var response = await http.SendAsync(request, cancellationToken);
            var body = await EnsureAsync(response, cancellationToken);
            Interlocked.Add(ref total, body["count"]!.GetValue<int>());
        });
        return total;
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, BenchAccount account)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", account.AccessToken);
        return request;
    }

    private static async Task<JsonNode> EnsureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {text}");
        }
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
    }
}
