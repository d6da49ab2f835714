using System.Diagnostics;

namespace E2eeChat.Server.Tests.Infrastructure;

/// <summary>Debian's <c>promtool</c> (package prometheus, installed by test.sh): Prometheus's own reader of the text format.</summary>
public static class Promtool
{
    public static async Task<(int ExitCode, string Output)> CheckAsync(string metricsText)
    {
        var info = new ProcessStartInfo("promtool", ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(metricsText);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }
}
