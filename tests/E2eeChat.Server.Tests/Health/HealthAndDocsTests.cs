using System.Net;
using E2eeChat.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace E2eeChat.Server.Tests.Health;

/// <summary>A cluster instance as operators run it: Production, PostgreSQL, nothing else configured.</summary>
public class ProductionClusterFactory : PostgresServerFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment(Environments.Production);
    }
}

/// <summary>The same, with the details and the API document turned on.</summary>
public sealed class ProductionClusterWithDetailsFactory : ProductionClusterFactory
{
    public override Task InitializeAsync()
    {
        Settings["Health:ShowDetails"] = "true";
        Settings["ApiDocs:Enabled"] = "true";
        return base.InitializeAsync();
    }
}

/// <summary>The embedded server in Production: its API document stays on by default.</summary>
public sealed class ProductionEmbeddedFactory : SqliteServerFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment(Environments.Production);
    }
}

/// <summary>Anonymous callers learn whether an instance is alive and ready, not its name, load or engines.</summary>
public sealed class ProductionClusterHealthTests(ProductionClusterFactory factory) : IClassFixture<ProductionClusterFactory>
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task Readiness_and_liveness_give_their_status_and_nothing_else()
    {
        var ready = await _api.GetAsync("/health/ready");
        var live = await _api.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, ready.Status);
        Assert.Equal("""{"status":"healthy"}""", ready.Body!.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, live.Status);
        Assert.Equal("""{"status":"healthy"}""", live.Body!.ToJsonString());
    }

    [Fact]
    public async Task The_api_document_and_its_reference_page_are_not_served()
    {
        var openApi = await _api.GetAsync("/openapi/v1.json");
        var reference = await _api.GetAsync("/docs/");

        Assert.Equal(HttpStatusCode.NotFound, openApi.Status);
        Assert.Equal("not_found", openApi.Code);
        Assert.Equal(HttpStatusCode.NotFound, reference.Status);
    }
}

public sealed class ProductionClusterWithDetailsTests(ProductionClusterWithDetailsFactory factory)
    : IClassFixture<ProductionClusterWithDetailsFactory>
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task Configured_readiness_shows_the_instance_its_connections_and_each_check()
    {
        var ready = await _api.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, ready.Status);
        Assert.False(string.IsNullOrEmpty(ready.Text("instance")));
        Assert.Equal(0, ready.Int("connections"));
        Assert.Equal("healthy", ready.Body!["checks"]!["storage"]!["status"]!.GetValue<string>());
        Assert.Equal("postgres answers", ready.Body!["checks"]!["storage"]!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Configured_api_document_is_served()
    {
        var openApi = await _api.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, openApi.Status);
        Assert.NotNull(openApi.Body!["paths"]!["/api/v1/accounts"]);
    }
}

public sealed class ProductionEmbeddedTests(ProductionEmbeddedFactory factory) : IClassFixture<ProductionEmbeddedFactory>
{
    private readonly ApiClient _api = factory.Api();

    [Fact]
    public async Task The_embedded_server_serves_its_api_document_and_keeps_health_details_to_itself()
    {
        var openApi = await _api.GetAsync("/openapi/v1.json");
        var ready = await _api.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, openApi.Status);
        Assert.Equal("""{"status":"healthy"}""", ready.Body!.ToJsonString());
    }
}
