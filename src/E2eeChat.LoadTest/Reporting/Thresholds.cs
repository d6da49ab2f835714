using E2eeChat.LoadTest.Cli;

namespace E2eeChat.LoadTest.Reporting;

/// <summary>The exit code: 0 when loss, errors and (if limited) duplicates stayed within the command line's thresholds, 2 when not.</summary>
internal static class Thresholds
{
    public const int Passed = 0;
    public const int Fatal = 1;
    public const int Exceeded = 2;

    public static Verdict Judge(RunTotals totals, LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(totals);
        ArgumentNullException.ThrowIfNull(options);
        var reasons = new List<string>();
        if (totals.Lost > options.MaxLoss)
        {
            reasons.Add($"{totals.Lost} envelopes lost (--max-loss {options.MaxLoss})");
        }
        if (totals.Errors > options.MaxErrors)
        {
            reasons.Add($"{totals.Errors} errors (--max-errors {options.MaxErrors})");
        }
        var duplicates = totals.ServerDuplicates + totals.ContentDuplicates;
        if (options.MaxDuplicates is { } maxDuplicates && duplicates > maxDuplicates)
        {
            reasons.Add($"{duplicates} duplicates (--max-duplicates {maxDuplicates})");
        }
        return new Verdict(reasons.Count == 0, reasons.Count == 0 ? Passed : Exceeded, reasons);
    }
}
