using System.Text.Json.Nodes;
using E2eeChat.LoadTest.Cli;
using E2eeChat.LoadTest.Reporting;

namespace E2eeChat.LoadTest.Tests.Infrastructure;

/// <summary>What one run of the tool left behind: its exit code, its output and the result.json it wrote.</summary>
public sealed record ToolRun(int ExitCode, string Output, string Error, JsonNode? Result, string OutputDirectory)
{
    public long Total(string name) => Result!["totals"]![name]!.GetValue<long>();

    public JsonNode Section(string name) => Result![name] ?? throw new InvalidOperationException($"result.json has no {name}.");

    /// <summary>For assertion messages: enough to see what went wrong.</summary>
    public override string ToString() => $"exit {ExitCode}{Environment.NewLine}{Output}{Environment.NewLine}{Error}";
}

/// <summary>Runs the load tool's command in this process, exactly as its Main does, against a test server.</summary>
public static class LoadTool
{
    public static async Task<ToolRun> RunAsync(LoadTestServer server, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(server);
        var directory = server.NewOutputDirectory();
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] full = [.. args, "--url", server.BaseAddress.ToString(), "--out", directory];
        var exitCode = await LoadTestCommand.RunAsync(full, output, error, CancellationToken.None);
        var json = Path.Combine(directory, ResultFiles.JsonName);
        var result = File.Exists(json) ? JsonNode.Parse(await File.ReadAllTextAsync(json)) : null;
        return new ToolRun(exitCode, output.ToString(), error.ToString(), result, directory);
    }
}
