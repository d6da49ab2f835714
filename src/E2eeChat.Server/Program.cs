using E2eeChat.Server.Certificates;
using E2eeChat.Server.Hosting;
using E2eeChat.Server.Metrics;
using E2eeChat.Server.Push;

if (args.Length > 0 && args[0] == CertificateCommands.Name)
{
    return CertificateCommands.Run(args[1..], Console.Out, Console.Error);
}

if (args.Length > 0 && args[0] == PushCommands.Name)
{
    return PushCommands.Run(args[1..], Console.Out, Console.Error);
}

if (args.Contains(HealthProbe.Argument))
{
    return await HealthProbe.RunAsync(Environment.GetEnvironmentVariable("ASPNETCORE_URLS")).ConfigureAwait(false);
}

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddServerDefaults();
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && !builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
{
    // The embedded default listens on loopback only; operators set ASPNETCORE_URLS or --urls.
    builder.WebHost.UseUrls(ServerDefaults.Url);
}
builder.AddMetricsListener(ServerDefaults.Url);
builder.Services.AddE2eeChat(builder.Configuration);

var app = builder.Build();
app.UseE2eeChat();
await app.MigrateStorageAsync().ConfigureAwait(false);
await app.RunAsync().ConfigureAwait(false);
return 0;

/// <summary>Lets the test host (WebApplicationFactory) find this entry point.</summary>
public partial class Program;
