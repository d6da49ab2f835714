using System.Net;
using System.Net.Sockets;
using E2eeChat.Server.Limits;
using E2eeChat.Testing.Certificates;
using E2eeChat.Testing.Postgres;
using E2eeChat.Testing.Processes;
using E2eeChat.Testing.Push;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace E2eeChat.Server.Tests.Infrastructure;

/// <summary>
/// The real server in-process (TestServer), on a real engine. Password hashing is
/// cheapened and rate limits raised so tests measure behaviour, not cost; a test
/// that is about one of those settings overrides it through <see cref="Settings"/>.
/// </summary>
public abstract class TestServerFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly TempDirectory _directory = new("e2eechat-server");

    public Dictionary<string, string?> Settings { get; } = DefaultSettings();

    private static Dictionary<string, string?> DefaultSettings()
    {
        var settings = new Dictionary<string, string?>
        {
            ["PasswordHashing:MemoryKiB"] = "8192",
            ["PasswordHashing:Iterations"] = "1",
            // A stalled upload test waits this long; loopback clients never pause so long otherwise.
            ["Attachments:BodyIdleTimeout"] = "00:00:02",
        };
        foreach (var bucket in Enum.GetNames<RateLimitBucket>())
        {
            settings[$"RateLimits:{bucket}:PermitLimit"] = "100000";
        }
        return settings;
    }

    public string DataDirectory => _directory.Path;

    /// <summary>When set, the server's one clock (<see cref="TimeProvider"/>): tests move time instead of waiting for it.</summary>
    public Microsoft.Extensions.Time.Testing.FakeTimeProvider? Clock { get; protected set; }

    /// <summary>Where the real (Kestrel) server listens, for HTTP and WebSocket clients alike.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public ApiClient Api() => new(new HttpClient { BaseAddress = BaseAddress });

    /// <summary>
    /// A client whose connections come from <paramref name="localAddress"/> (any 127.x.y.z on loopback): a stand-in for
    /// a proxy or a client at another address, as the server sees it.
    /// </summary>
    public ApiClient ApiFrom(IPAddress localAddress)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(localAddress, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new ApiClient(new HttpClient(handler) { BaseAddress = BaseAddress });
    }

    public virtual async Task InitializeAsync()
    {
        await ConfigureStorageAsync(Settings);
        // Kestrel on a free loopback port, so hub clients use real WebSockets.
        UseKestrel(0);
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        BaseAddress = new Uri(addresses.Addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal)
            .Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }

    protected abstract Task ConfigureStorageAsync(Dictionary<string, string?> settings);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
        if (Clock is { } clock)
        {
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock));
        }
    }
}

public class SqliteServerFactory : TestServerFactory
{
    protected override Task ConfigureStorageAsync(Dictionary<string, string?> settings)
    {
        settings["Storage:Provider"] = "Sqlite";
        settings["Storage:SqlitePath"] = Path.Combine(DataDirectory, "e2eechat.db");
        settings["Storage:AttachmentsPath"] = Path.Combine(DataDirectory, "attachments");
        return Task.CompletedTask;
    }
}

public class PostgresServerFactory : TestServerFactory
{
    protected override async Task ConfigureStorageAsync(Dictionary<string, string?> settings)
    {
        settings["Storage:Provider"] = "Postgres";
        settings["Storage:ConnectionString"] = await CreateDatabaseAsync();
        settings["Auth:SigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        foreach (var (key, value) in ClusterCertificates.Create().Settings(":").Concat(VapidSettings.Create(":")))
        {
            settings[key] = value;
        }
    }

    /// <summary>A fresh database on the PostgreSQL every test shares; a factory with a server of its own says so here.</summary>
    protected virtual async Task<string> CreateDatabaseAsync() => await (await PostgresServer.Shared).CreateDatabaseAsync();
}
