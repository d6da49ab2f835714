using E2eeChat.Server.Hosting;

var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Any() is false)
{
    // The embedded default listens on loopback only; operators set ASPNETCORE_URLS or --urls.
    builder.WebHost.UseUrls(ServerDefaults.Url);
}
builder.Services.AddE2eeChat(builder.Configuration);

var app = builder.Build();
app.UseE2eeChat();
await app.MigrateStorageAsync().ConfigureAwait(false);
await app.RunAsync().ConfigureAwait(false);

/// <summary>Lets the test host (WebApplicationFactory) find this entry point.</summary>
public partial class Program;
