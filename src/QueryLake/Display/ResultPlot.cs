using System.Globalization;
using System.Net;
using System.Text;
using QueryLake.Columnar;
using QueryLake.Columnar.Types;

namespace QueryLake.Display;

/// <summary>
/// A small SVG chart of a result, for notebooks (the kernel's <c>--plot</c> cell option): a histogram of a result
/// with one numeric column (up to 20 equal-width bins between its smallest and largest value), or a bar chart of a
/// result of a label column and a numeric column (its first 50 rows, in order). NULL and NaN values are left out and
/// counted under the chart.
/// </summary>
public static class ResultPlot
{
    private const int Width = 480, Height = 220, Left = 48, Bottom = 40, Top = 12, MaxBars = 50, MaxBins = 20;

    /// <summary>The chart, or null (with <paramref name="why"/>) when the result has another shape.</summary>
    public static string? Svg(Schema schema, IEnumerable<RecordBatch> batches, out string? why)
    {
        var fields = schema.Fields;
        if (fields.Count == 1 && Numeric(fields[0].DataType))
        {
            why = null;
            var values = new List<double>();
            long skipped = 0;
            foreach (var b in batches)
                for (int r = 0; r < b.Length; r++)
                    if (Number(b.Columns[0].GetValue(r)) is { } v && double.IsFinite(v)) values.Add(v); else skipped++;
            return Histogram(fields[0].Name, values, skipped);
        }
        if (fields.Count == 2 && Numeric(fields[1].DataType))
        {
            why = null;
            var bars = new List<(string Label, double Value)>();
            long skipped = 0, total = 0;
            foreach (var b in batches)
                for (int r = 0; r < b.Length; r++, total++)
                {
                    if (bars.Count == MaxBars) continue;
                    if (Number(b.Columns[1].GetValue(r)) is { } v && double.IsFinite(v))
                        bars.Add((ValueText.Clip(ValueText.Cell(b.Columns[0].GetValue(r), fields[0].DataType), 16), v));
                    else skipped++;
                }
            return Chart($"{fields[1].Name} by {fields[0].Name}", bars, skipped, total > MaxBars ? $"first {MaxBars} of {total} rows" : null);
        }
        why = "a plot needs a result of one numeric column (a histogram) or of a label and a numeric column (a bar chart); this one has "
              + string.Join(", ", fields.Select(f => $"{f.Name} {SqlTypeName.Of(f.DataType)}"));
        return null;
    }

    private static bool Numeric(DataType t) => t.IsNumeric || t is DecimalType;

    private static double? Number(object? v) => v switch
    {
        null => null,
        decimal d => (double)d,
        IConvertible c when v is not string => c.ToDouble(CultureInfo.InvariantCulture),
        _ => null,
    };

    private static string Histogram(string name, List<double> values, long skipped)
    {
        if (values.Count == 0) return Chart(name, [], skipped, null);
        double min = values.Min(), max = values.Max();
        int bins = max == min ? 1 : Math.Min(MaxBins, Math.Max(1, (int)Math.Ceiling(Math.Log2(values.Count) + 1)));
        var counts = new long[bins];
        double width = (max - min) / bins;
        foreach (var v in values) counts[width == 0 ? 0 : Math.Min(bins - 1, (int)((v - min) / width))]++;
        var bars = counts.Select((c, i) => (Label: Num(min + i * width), Value: (double)c)).ToList();
        return Chart($"{name}: {values.Count} values, {Num(min)} to {Num(max)}", bars, skipped, null, histogram: true);
    }

    private static string Chart(string title, List<(string Label, double Value)> bars, long skipped, string? note, bool histogram = false)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg class=\"querylake-plot\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"system-ui,sans-serif\" font-size=\"11\">");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{Top - 2}\" fill=\"#333\">{Enc(title)}</text>");
        double top = bars.Count == 0 ? 1 : Math.Max(bars.Max(b => b.Value), 0);
        double bottom = bars.Count == 0 ? 0 : Math.Min(bars.Min(b => b.Value), 0);
        if (top == bottom) top = bottom + 1;
        int plotW = Width - Left - 8, plotH = Height - Top - Bottom - 6;
        double Y(double v) => Top + 6 + plotH * (top - v) / (top - bottom);
        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Y(0):F1}\" x2=\"{Width - 8}\" y2=\"{Y(0):F1}\" stroke=\"#888\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 4}\" y=\"{Y(top) + 4:F1}\" text-anchor=\"end\" fill=\"#666\">{Enc(Num(top))}</text>");
        if (bottom < 0) sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 4}\" y=\"{Y(bottom):F1}\" text-anchor=\"end\" fill=\"#666\">{Enc(Num(bottom))}</text>");
        double slot = bars.Count == 0 ? plotW : (double)plotW / bars.Count;
        for (int i = 0; i < bars.Count; i++)
        {
            var (label, value) = bars[i];
            double x = Left + i * slot, y0 = Y(Math.Max(value, 0)), y1 = Y(Math.Min(value, 0));
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x + (histogram ? 0.5 : slot * 0.1):F1}\" y=\"{y0:F1}\" width=\"{Math.Max(1, histogram ? slot - 1 : slot * 0.8):F1}\" height=\"{Math.Max(0.5, y1 - y0):F1}\" fill=\"#4c78a8\"><title>{Enc(label)}: {Enc(Num(value))}</title></rect>");
            if (bars.Count <= 12 || i % (int)Math.Ceiling(bars.Count / 12.0) == 0)
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + (histogram ? 0 : slot / 2):F1}\" y=\"{Height - Bottom + 14}\" text-anchor=\"{(histogram ? "start" : "middle")}\" fill=\"#666\">{Enc(label)}</text>");
        }
        var footer = new List<string>();
        if (note is not null) footer.Add(note);
        if (skipped > 0) footer.Add($"{skipped} NULL or NaN left out");
        if (footer.Count > 0) sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{Height - 6}\" fill=\"#999\">{Enc(string.Join("; ", footer))}</text>");
        return sb.Append("</svg>").ToString();
    }

    private static string Num(double v) => Math.Abs(v) >= 1e6 || (v != 0 && Math.Abs(v) < 1e-3)
        ? v.ToString("0.###e0", CultureInfo.InvariantCulture)
        : Math.Round(v, 3).ToString("0.###", CultureInfo.InvariantCulture);

    private static string Enc(string s) => WebUtility.HtmlEncode(s);
}
