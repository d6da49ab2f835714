using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace E2eeChat.Server.Tests.Infrastructure;

/// <summary>The embedded server with every log record it writes kept for the test to read, Debug included.</summary>
public class LogCapturingServerFactory : SqliteServerFactory
{
    public LogCapturingServerFactory()
    {
        Settings["Logging:LogLevel:E2eeChat"] = "Debug";
    }

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    /// <summary>Asserts that nothing was logged at Error or above since the last <c>Logs.Clear()</c>.</summary>
    public void AssertNoErrors()
    {
        var errors = Logs.GetSnapshot().Where(r => r.Level >= LogLevel.Error)
            .Select(r => $"{r.Level} {r.Category}: {r.Message} {r.Exception?.GetType().Name}: {r.Exception?.Message}")
            .ToList();
        Xunit.Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddFakeLogging());
    }
}
