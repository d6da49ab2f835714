// Prekey bundle fetches per second: one server instance in cluster mode on a durable PostgreSQL,
// both started here on loopback, loaded by N concurrent HTTP clients for a fixed time per round.
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using E2eeChat.Bench.Prekeys;
using E2eeChat.Signal.Curve;
using E2eeChat.Testing.Certificates;
using E2eeChat.Testing.Push;
using E2eeChat.Testing.Postgres;
using E2eeChat.Testing.Processes;

var options = BenchOptions.Parse(args);
var serverDll = typeof(BenchOptions).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
    .Single(attribute => attribute.Key == "ServerDll").Value!;
var invariant = CultureInfo.InvariantCulture;
Console.WriteLine(string.Create(invariant,
    $"Prekey bundle fetches, one server instance on PostgreSQL (durable), {Environment.ProcessorCount} cores."));
Console.WriteLine(options);

await using var postgres = await PostgresServer.StartAsync(durable: true);
using var directory = new TempDirectory("e2eechat-bench");
var url = string.Create(invariant, $"http://127.0.0.1:{FreePort.Next()}");
var environment = new Dictionary<string, string>
{
    ["Storage__Provider"] = "Postgres",
    ["Storage__ConnectionString"] = await postgres.CreateDatabaseAsync() + (options.Npgsql.Length > 0 ? ";" + options.Npgsql : ""),
    ["Auth__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
    ["PasswordHashing__MemoryKiB"] = "8192",
    ["PasswordHashing__Iterations"] = "1",
    ["Logging__LogLevel__Default"] = "Warning",
};
// The buckets set-up and the measured fetches draw on (sign-up, key uploads and counts, fetches).
foreach (var bucket in new[] { "SignupPerIp", "KeyUploadsPerDevice", "ReadsPerAccount", "PrekeyFetchPerDevicePair" })
{
    environment[$"RateLimits__{bucket}__PermitLimit"] = "1000000000";
}
foreach (var (key, value) in ClusterCertificates.Create().Settings().Concat(VapidSettings.Create()))
{
    environment[key] = value;
}
using var server = ServerProcess.Start("e2eechat", "dotnet", [serverDll, "--urls", url],
    workingDirectory: directory.Path, environment: environment);

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients + 8 })
{
    BaseAddress = new Uri(url),
};
await server.WaitUntilReadyAsync(http.BaseAddress);

var api = new BenchApi(http);
// Every bench account shares one identity key pair; it signs the shared upload, which the server verifies.
var identity = Curve25519KeyPair.Generate();
var targets = await api.SignUpAsync(options.Targets, identity.PublicKey);
var requesters = await api.SignUpAsync(options.Clients, identity.PublicKey);
var upload = KeyUpload.Create(identity);

var rates = new List<double>();
for (var round = 0; round <= options.Rounds; round++)
{
    var warmup = round == 0;
    await api.UploadAsync(targets, upload);
    var result = await FetchLoad.RunAsync(http, requesters, targets,
        TimeSpan.FromSeconds(warmup ? options.WarmupSeconds : options.Seconds));
    var handedOut = (long)targets.Length * KeyUpload.OneTimeKeys - await api.CountAsync(targets);
    Console.WriteLine(string.Create(invariant,
        $"{(warmup ? "warm-up" : $"round {round}")}: {result.Fetches} fetches in {result.Elapsed.TotalSeconds:0.0} s = {result.PerSecond:0} fetches/s; one-time EC key in {handedOut} of them; {result.Failures} failed"));
    if (result.FirstFailure is not null)
    {
        Console.WriteLine($"  first failure: {result.FirstFailure}");
    }
    if (!warmup)
    {
        rates.Add(result.PerSecond);
    }
}
rates.Sort();
Console.WriteLine(string.Create(invariant, $"median: {rates[rates.Count / 2]:0} fetches/s"));
