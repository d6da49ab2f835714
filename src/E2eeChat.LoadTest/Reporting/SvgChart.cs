using System.Globalization;
using System.Net;
using System.Text;

namespace E2eeChat.LoadTest.Reporting;

/// <summary>One line of a line chart.</summary>
internal sealed record ChartSeries(string Name, string Color, IReadOnlyList<ChartPoint> Points, bool Dashed = false);

internal readonly record struct ChartPoint(double X, double Y);

/// <summary>One bar of a bar chart, with the label under it (may be empty).</summary>
internal readonly record struct ChartBar(string Label, double Value);

/// <summary>Line and bar charts as inline SVG, so that the HTML report needs nothing else to show them.</summary>
internal static class SvgChart
{
    private const int Width = 820;
    private const int Height = 300;
    private const int Left = 70;
    private const int Right = 20;
    private const int Top = 34;
    private const int Bottom = 46;
    private const int PlotWidth = Width - Left - Right;
    private const int PlotHeight = Height - Top - Bottom;

    /// <param name="shadeToX">Shades the plot from x = 0 to here (the warm-up), when given.</param>
    public static string Lines(string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series, double? shadeToX)
    {
        ArgumentNullException.ThrowIfNull(series);
        double xMax = 1;
        double yMax = 0;
        foreach (var line in series)
        {
            foreach (var point in line.Points)
            {
                xMax = Math.Max(xMax, point.X);
                yMax = Math.Max(yMax, point.Y);
            }
        }
        var xStep = NiceStep(xMax);
        xMax = Math.Ceiling(xMax / xStep) * xStep;
        var yStep = NiceStep(yMax > 0 ? yMax : 1);
        yMax = Math.Max(yStep, Math.Ceiling(yMax / yStep) * yStep);

        var svg = Begin(title);
        if (shadeToX is > 0)
        {
            var to = Math.Min(shadeToX.Value, xMax);
            Append(svg, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{to / xMax * PlotWidth:0.#}\" height=\"{PlotHeight}\" fill=\"#eee\"/>");
            Append(svg, $"<text x=\"{Left + 4}\" y=\"{Top + 14}\" class=\"note\">warm-up</text>");
        }
        Axes(svg, xLabel, yLabel, xMax, xStep, yMax, yStep);
        foreach (var line in series)
        {
            if (line.Points.Count == 0)
            {
                continue;
            }
            var points = new StringBuilder();
            foreach (var point in line.Points)
            {
                Append(points, $"{X(point.X, xMax):0.#},{Y(point.Y, yMax):0.#} ");
            }
            var dash = line.Dashed ? " stroke-dasharray=\"5 4\"" : "";
            Append(svg, $"<polyline fill=\"none\" stroke=\"{line.Color}\" stroke-width=\"1.8\"{dash} points=\"{points}\"/>");
        }
        Legend(svg, series);
        return End(svg);
    }

    public static string Bars(string title, string xLabel, string yLabel, IReadOnlyList<ChartBar> bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        double yMax = 0;
        foreach (var bar in bars)
        {
            yMax = Math.Max(yMax, bar.Value);
        }
        var yStep = NiceStep(yMax > 0 ? yMax : 1);
        yMax = Math.Max(yStep, Math.Ceiling(yMax / yStep) * yStep);

        var svg = Begin(title);
        Axes(svg, xLabel, yLabel, xMax: 0, xStep: 0, yMax, yStep);
        if (bars.Count > 0)
        {
            var slot = PlotWidth / (double)bars.Count;
            var labelEvery = Math.Max(1, (int)Math.Ceiling(bars.Count / 12.0));
            for (var i = 0; i < bars.Count; i++)
            {
                var height = bars[i].Value / yMax * PlotHeight;
                var x = Left + (i * slot);
                Append(svg, $"<rect x=\"{x + (slot * 0.1):0.#}\" y=\"{Top + PlotHeight - height:0.#}\" width=\"{slot * 0.8:0.##}\" height=\"{height:0.#}\" fill=\"#4878a8\"><title>{Escape(bars[i].Label)}: {bars[i].Value:0}</title></rect>");
                if (i % labelEvery == 0)
                {
                    Append(svg, $"<text x=\"{x + (slot / 2):0.#}\" y=\"{Top + PlotHeight + 16}\" text-anchor=\"middle\">{Escape(bars[i].Label)}</text>");
                }
            }
        }
        return End(svg);
    }

    /// <summary>A round step (1, 2 or 5 times a power of ten) that cuts 0..max into about five parts.</summary>
    public static double NiceStep(double max)
    {
        var raw = max / 5;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var normalized = raw / magnitude;
        var nice = normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 5 ? 5 : 10;
        return nice * magnitude;
    }

    private static StringBuilder Begin(string title)
    {
        var svg = new StringBuilder();
        Append(svg, $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" font-family=\"sans-serif\" font-size=\"11\">");
        Append(svg, $"<title>{Escape(title)}</title>");
        Append(svg, $"<text x=\"{Left}\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{Escape(title)}</text>");
        return svg;
    }

    private static string End(StringBuilder svg) => svg.Append("</svg>").ToString();

    /// <summary>The frame, the y grid with its labels, and the x labels when <paramref name="xStep"/> is positive.</summary>
    private static void Axes(StringBuilder svg, string xLabel, string yLabel, double xMax, double xStep, double yMax, double yStep)
    {
        for (var y = 0.0; y <= yMax + (yStep / 2); y += yStep)
        {
            var py = Y(y, yMax);
            Append(svg, $"<line x1=\"{Left}\" x2=\"{Left + PlotWidth}\" y1=\"{py:0.#}\" y2=\"{py:0.#}\" stroke=\"#ddd\"/>");
            Append(svg, $"<text x=\"{Left - 6}\" y=\"{py + 4:0.#}\" text-anchor=\"end\">{Numbers.Short(y)}</text>");
        }
        if (xStep > 0)
        {
            for (var x = 0.0; x <= xMax + (xStep / 2); x += xStep)
            {
                var px = X(x, xMax);
                Append(svg, $"<line x1=\"{px:0.#}\" x2=\"{px:0.#}\" y1=\"{Top + PlotHeight}\" y2=\"{Top + PlotHeight + 4}\" stroke=\"#888\"/>");
                Append(svg, $"<text x=\"{px:0.#}\" y=\"{Top + PlotHeight + 16}\" text-anchor=\"middle\">{Numbers.Short(x)}</text>");
            }
        }
        Append(svg, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{PlotWidth}\" height=\"{PlotHeight}\" fill=\"none\" stroke=\"#888\"/>");
        Append(svg, $"<text x=\"{Left + (PlotWidth / 2)}\" y=\"{Height - 8}\" text-anchor=\"middle\">{Escape(xLabel)}</text>");
        Append(svg, $"<text transform=\"translate(14 {Top + (PlotHeight / 2)}) rotate(-90)\" text-anchor=\"middle\">{Escape(yLabel)}</text>");
    }

    private static void Legend(StringBuilder svg, IReadOnlyList<ChartSeries> series)
    {
        var x = Left + PlotWidth - (series.Count * 110);
        foreach (var line in series)
        {
            var dash = line.Dashed ? " stroke-dasharray=\"5 4\"" : "";
            Append(svg, $"<line x1=\"{x}\" x2=\"{x + 22}\" y1=\"14\" y2=\"14\" stroke=\"{line.Color}\" stroke-width=\"2\"{dash}/>");
            Append(svg, $"<text x=\"{x + 26}\" y=\"18\">{Escape(line.Name)}</text>");
            x += 110;
        }
    }

    private static double X(double x, double xMax) => Left + (x / xMax * PlotWidth);

    private static double Y(double y, double yMax) => Top + PlotHeight - (y / yMax * PlotHeight);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);

    private static void Append(StringBuilder builder, FormattableString text) =>
        builder.Append(text.ToString(CultureInfo.InvariantCulture));
}
