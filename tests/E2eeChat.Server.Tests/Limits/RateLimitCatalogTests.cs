using System.Globalization;
using E2eeChat.Server.Limits;
using Xunit;

namespace E2eeChat.Server.Tests.Limits;

/// <summary>The buckets, their documentation and the fixtures outside .NET that must raise them, kept in step.</summary>
public sealed class RateLimitCatalogTests
{
    public static TheoryData<string> Buckets() => [.. Enum.GetNames<RateLimitBucket>()];

    [Theory]
    [MemberData(nameof(Buckets))]
    public void README_security_table_lists_the_bucket_with_its_default(string bucket)
    {
        var rule = new RateLimitOptions().RuleFor(Enum.Parse<RateLimitBucket>(bucket));
        var unit = rule.Window == TimeSpan.FromHours(1) ? "hour" : rule.Window == TimeSpan.FromMinutes(1) ? "min" : rule.Window.ToString();

        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"| `{bucket}` | {rule.PermitLimit}/{unit} |"),
            File.ReadAllText(RepositoryFile("README.md")), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Buckets))]
    public void JS_client_tests_raise_the_bucket(string bucket) =>
        Assert.Contains($"'{bucket}'", File.ReadAllText(RepositoryFile("clients/js/lib/server.js")), StringComparison.Ordinal);

    private static string RepositoryFile(string relativePath)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, relativePath);
            if (File.Exists(candidate) && Directory.Exists(Path.Combine(directory.FullName, "src")))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException($"{relativePath} was not found above the test binaries.");
    }
}
