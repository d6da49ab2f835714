using System.Text.Json;
using E2eeChat.LoadTest.Api;

namespace E2eeChat.LoadTest.Reporting;

/// <summary>Writes a run's result.json and report.html, and reads result files back for <c>summarize</c>.</summary>
internal static class ResultFiles
{
    public const string JsonName = "result.json";
    public const string HtmlName = "report.html";

    private static readonly JsonSerializerOptions Indented = new(LoadJson.Options) { WriteIndented = true };

    public static (string Json, string Html) Write(RunResult result, string directory)
    {
        Directory.CreateDirectory(directory);
        var json = Path.Combine(directory, JsonName);
        var html = Path.Combine(directory, HtmlName);
        File.WriteAllText(json, JsonSerializer.Serialize(result, Indented));
        File.WriteAllText(html, HtmlReport.Render(result));
        return (json, html);
    }

    public static RunResult Read(string path) =>
        JsonSerializer.Deserialize<RunResult>(File.ReadAllText(path), LoadJson.Options)
        ?? throw new InvalidDataException($"{path} holds no run result.");
}
