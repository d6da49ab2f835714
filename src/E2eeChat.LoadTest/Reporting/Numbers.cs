using System.Globalization;

namespace E2eeChat.LoadTest.Reporting;

/// <summary>How the reports write and combine figures.</summary>
internal static class Numbers
{
    /// <summary>Whole numbers from 100 up, three decimals at most below: as much precision as a figure of a load run has.</summary>
    public static string Short(double value) =>
        value.ToString(Math.Abs(value) >= 100 ? "0" : "0.###", CultureInfo.InvariantCulture);

    /// <summary>The median; null for no values. Sorts <paramref name="values"/>.</summary>
    public static double? Median(List<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return null;
        }
        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
