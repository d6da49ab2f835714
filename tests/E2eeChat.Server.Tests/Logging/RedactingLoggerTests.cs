using E2eeChat.Server.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace E2eeChat.Server.Tests.Logging;

/// <summary>
/// The redaction every log entry passes through, seen from a logger provider: what the provider
/// receives (message, state, scopes, exception text) holds no secret.
/// </summary>
public sealed class RedactingLoggerTests : IDisposable
{
    private const string Jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
    private readonly RecordingProvider _provider = new();
    private readonly ServiceProvider _services;
    private readonly ILogger _logger;

    public RedactingLoggerTests()
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(_provider));
        services.AddRedactedLogging();
        _services = services.BuildServiceProvider();
        _logger = _services.GetRequiredService<ILoggerFactory>().CreateLogger("Test");
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public void Query_string_values_are_replaced_and_the_path_kept()
    {
        _logger.LogInformation("Request starting {Path}{QueryString}", "/hubs/chat", $"?id=conn123&access_token={Jwt}");

        var entry = Assert.Single(_provider.Entries);
        Assert.Equal("Request starting /hubs/chat?id=[redacted]&access_token=[redacted]", entry.Message);
        Assert.DoesNotContain(entry.State, pair => pair.Value is string text && (text.Contains(Jwt, StringComparison.Ordinal) || text.Contains("conn123", StringComparison.Ordinal)));
    }

    [Fact]
    public void An_object_value_is_logged_by_its_type_name_only()
    {
        _logger.LogTrace("Executing with {Request}", new LoginAttempt("alice", "correct horse battery"));

        Assert.Equal("Executing with LoginAttempt", Assert.Single(_provider.Entries).Message);
    }

    [Fact]
    public void An_object_printed_into_a_string_list_keeps_only_its_type_name_whatever_its_password_holds()
    {
        // As MVC logs action arguments at Trace: each argument's ToString(), in a string array.
        var printed = new LoginAttempt("alice", "a, Foo = b } c").ToString();

        _logger.LogTrace("Executing action method {ActionName} with arguments ({Arguments})", "Token", new[] { printed, "System.Threading.CancellationToken" });

        var entry = Assert.Single(_provider.Entries);
        Assert.Equal("Executing action method Token with arguments (LoginAttempt { [redacted] }, System.Threading.CancellationToken)", entry.Message);
        Assert.DoesNotContain("Foo", entry.StateText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("refreshToken", "abc")]
    [InlineData("Password", "hunter2")]
    [InlineData("LinkCode", "ABCDEFGHJKLMNPQR")]
    [InlineData("authorization", "Bearer abc")]
    [InlineData("unidentifiedAccessKey", "AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("Unidentified-Access-Key", "AAAAAAAAAAAAAAAAAAAAAA==")]
    public void A_value_named_like_a_secret_is_withheld(string name, string value)
    {
        _logger.LogInformation($"Got {{{name}}}", value);

        var entry = Assert.Single(_provider.Entries);
        Assert.Equal("Got [redacted]", entry.Message);
        Assert.DoesNotContain(value, entry.StateText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("token " + Jwt + " seen", "token [redacted] seen")]
    [InlineData("Authorization: Bearer abc.def-ghi", "Authorization: [redacted] [redacted]")]
    [InlineData("GET http://host/hubs/chat?access_token=abc&x=1 HTTP/1.1", "GET http://host/hubs/chat?access_token=[redacted]&x=[redacted] HTTP/1.1")]
    [InlineData("Host=db;Username=app;Password=s3cret;Database=e", "Host=db;Username=app;Password=[redacted];Database=e")]
    [InlineData("127.0.0.1:6379,password=s3cret,ssl=false", "127.0.0.1:6379,password=[redacted],ssl=false")]
    [InlineData("""{"username":"a","password":"x \" y","refreshToken":"r"}""", """{"username":"a","password":"[redacted]","refreshToken":"[redacted]"}""")]
    [InlineData("""{"unidentifiedAccessKey":"AAAAAAAAAAAAAAAAAAAAAA=="}""", """{"unidentifiedAccessKey":"[redacted]"}""")]
    [InlineData("Unidentified-Access-Key: AAAAAAAAAAAAAAAAAAAAAA==", "Unidentified-Access-Key: [redacted]")]
    [InlineData("TokenRequest { Username = a, Password = correct horse, battery, DeviceId = 1 }", "TokenRequest { Username = a, Password = [redacted], DeviceId = 1 }")]
    [InlineData("SecurityTokenInvalidSignatureException: IDX10503: Signature validation failed.", "SecurityTokenInvalidSignatureException: IDX10503: Signature validation failed.")]
    [InlineData("DenyAnonymousAuthorizationRequirement: Requires an authenticated user.", "DenyAnonymousAuthorizationRequirement: Requires an authenticated user.")]
    [InlineData("Culture=neutral, PublicKeyToken=adb9793829ddae60", "Culture=neutral, PublicKeyToken=adb9793829ddae60")]
    public void Free_text_is_scrubbed_of_secrets_and_nothing_else(string text, string expected)
    {
        // A message without a template is formatted by its caller, then scrubbed.
        _logger.Log(LogLevel.Information, default, text, null, static (s, _) => s);

        Assert.Equal(expected, Assert.Single(_provider.Entries).Message);
    }

    [Fact]
    public void An_exception_quoting_a_token_is_logged_without_it()
    {
        var exception = new InvalidOperationException($"Token {Jwt} was refused.");

        _logger.LogWarning(exception, "Validation failed");

        var entry = Assert.Single(_provider.Entries);
        Assert.Contains("Token [redacted] was refused.", entry.Exception, StringComparison.Ordinal);
        Assert.DoesNotContain(Jwt, entry.Exception, StringComparison.Ordinal);
    }

    [Fact]
    public void An_exception_without_secrets_reaches_the_provider_unchanged()
    {
        var exception = new InvalidOperationException("Nothing secret.");

        _logger.LogWarning(exception, "Failed");

        Assert.Same(exception, Assert.Single(_provider.Entries).Original);
    }

    [Fact]
    public void Scopes_are_redacted_as_entries_are()
    {
        using (_logger.BeginScope("Connection {Url}", $"/hubs/chat?access_token={Jwt}"))
        {
            _logger.LogInformation("Connected");
        }

        var scope = Assert.Single(Assert.Single(_provider.Entries).Scopes);
        Assert.Equal("Connection /hubs/chat?access_token=[redacted]", scope);
    }

    [Fact]
    public void Level_filters_apply_before_redaction()
    {
        using var services = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddProvider(_provider))
            .AddRedactedLogging()
            .BuildServiceProvider();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Filtered");

        logger.LogInformation("dropped");
        logger.LogWarning("kept");

        Assert.Equal("kept", Assert.Single(_provider.Entries).Message);
    }

    private sealed record LoginAttempt(string Username, string Password);

    private sealed record Entry(string Message, IReadOnlyList<KeyValuePair<string, object?>> State, string? Exception, Exception? Original, IReadOnlyList<string> Scopes)
    {
        public string StateText => string.Join("; ", State.Select(pair => $"{pair.Key}={pair.Value}"));
    }

    /// <summary>A provider that keeps what it is given, as a console or JSON formatter would receive it.</summary>
    private sealed class RecordingProvider : ILoggerProvider, ISupportExternalScope
    {
        private readonly List<Entry> _entries = [];
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public IReadOnlyList<Entry> Entries
        {
            get
            {
                lock (_entries)
                {
                    return [.. _entries];
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new RecordingLogger(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class RecordingLogger(RecordingProvider provider) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => provider._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scopes = new List<string>();
                provider._scopes.ForEachScope((scope, list) => list.Add(scope?.ToString() ?? string.Empty), scopes);
                var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
                lock (provider._entries)
                {
                    provider._entries.Add(new Entry(formatter(state, exception), [.. values], exception?.ToString(), exception, scopes));
                }
            }
        }
    }
}
