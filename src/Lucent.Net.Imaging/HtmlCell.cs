using System.Globalization;
using System.Text;

namespace Lucent.Net.Imaging;

/// <summary>
/// A cell of <see cref="HtmlReportSection.AddRichTable"/>: text, a small image linked by relative path, or a
/// small inline SVG line chart (for example a render's objective curve), or several of these side by side.
/// </summary>
public sealed class HtmlCell
{
    private readonly Action<StringBuilder> _write;

    private HtmlCell(Action<StringBuilder> write, bool numeric)
    {
        _write = write;
        IsNumeric = numeric;
    }

    /// <summary>Whether the cell is a number (right-aligned).</summary>
    public bool IsNumeric { get; }

    /// <summary>A text cell; numbers (invariant culture) are right-aligned.</summary>
    /// <param name="text">Plain text; escaped when written.</param>
    /// <returns>The cell.</returns>
    public static HtmlCell Text(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        bool numeric = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        return new HtmlCell(html => html.Append(HtmlText.Escape(text)), numeric);
    }

    /// <summary>An image shown at <paramref name="width"/> CSS pixels.</summary>
    /// <param name="relativePath">Path relative to the report's folder (checked as by <see cref="HtmlText.RelativeUrl"/>).</param>
    /// <param name="altText">Alternative text.</param>
    /// <param name="width">Display width in CSS pixels, at least 1.</param>
    /// <returns>The cell.</returns>
    public static HtmlCell Image(string relativePath, string altText, int width)
    {
        string src = HtmlText.RelativeUrl(relativePath);
        ArgumentNullException.ThrowIfNull(altText);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        string w = width.ToString(CultureInfo.InvariantCulture);
        return new HtmlCell(
            html => html.Append("<img class=\"thumb\" src=\"").Append(HtmlText.Escape(src)).Append("\" alt=\"").Append(HtmlText.Escape(altText))
                .Append("\" width=\"").Append(w).Append("\" height=\"").Append(w).Append("\">"),
            numeric: false);
    }

    /// <summary>
    /// A small line chart of <paramref name="values"/> as inline SVG (no script, no external file): the line, the
    /// first and last values as text, and <paramref name="label"/> as its accessible title. Non-finite values are skipped.
    /// </summary>
    /// <param name="values">The values in order (e.g. the objective at every step).</param>
    /// <param name="label">What the chart shows, e.g. "objective per step".</param>
    /// <param name="width">Width in CSS pixels (at least 40).</param>
    /// <param name="height">Height in CSS pixels (at least 20).</param>
    /// <returns>The cell.</returns>
    public static HtmlCell LineChart(IReadOnlyList<double> values, string label, int width = 160, int height = 48)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 40);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 20);
        string svg = LineChartSvg(values, label, width, height);
        return new HtmlCell(html => html.Append(svg), numeric: false);
    }

    /// <summary>Several cells' contents side by side in one cell (e.g. an image and its curve).</summary>
    /// <param name="parts">The contents, left to right.</param>
    /// <returns>The cell.</returns>
    public static HtmlCell Row(params HtmlCell[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var copy = parts.Select(p => p ?? throw new ArgumentException("A part is null.", nameof(parts))).ToArray();
        return new HtmlCell(
            html =>
            {
                html.Append("<div class=\"cell-row\">");
                foreach (var part in copy)
                {
                    html.Append("<span>");
                    part._write(html);
                    html.Append("</span>");
                }

                html.Append("</div>");
            },
            numeric: false);
    }

    /// <summary>The SVG of <see cref="LineChart"/>.</summary>
    internal static string LineChartSvg(IReadOnlyList<double> values, string label, int width, int height)
    {
        const double pad = 2, textHeight = 11;
        var finite = values.Select((v, i) => (Index: i, Value: v)).Where(p => double.IsFinite(p.Value)).ToList();
        var svg = new StringBuilder();
        string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        svg.Append("<svg class=\"curve\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(width.ToString(CultureInfo.InvariantCulture))
            .Append("\" height=\"").Append(height.ToString(CultureInfo.InvariantCulture)).Append("\" viewBox=\"0 0 ")
            .Append(width.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(height.ToString(CultureInfo.InvariantCulture)).Append("\">")
            .Append("<title>").Append(HtmlText.Escape(label)).Append("</title>")
            .Append("<rect x=\"0.5\" y=\"0.5\" width=\"").Append(F(width - 1)).Append("\" height=\"").Append(F(height - 1)).Append("\" fill=\"#fff\" stroke=\"#ddd\"/>");
        if (finite.Count > 0)
        {
            double min = finite.Min(p => p.Value), max = finite.Max(p => p.Value);
            double span = max > min ? max - min : 1;
            double plotHeight = height - (2 * pad) - textHeight;
            int last = Math.Max(1, values.Count - 1);
            svg.Append("<polyline fill=\"none\" stroke=\"#1f6feb\" stroke-width=\"1.5\" points=\"");
            foreach (var (index, value) in finite)
            {
                double x = pad + ((width - (2 * pad)) * index / last);
                double y = pad + textHeight + (plotHeight * (max - value) / span);
                svg.Append(F(x)).Append(',').Append(F(y)).Append(' ');
            }

            svg.Length--;
            svg.Append("\"/>");
            string Number(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
            svg.Append("<text x=\"3\" y=\"10\" font-size=\"9\" fill=\"#555\">").Append(HtmlText.Escape(Number(finite[0].Value))).Append("</text>")
                .Append("<text x=\"").Append(F(width - 3)).Append("\" y=\"10\" font-size=\"9\" fill=\"#555\" text-anchor=\"end\">")
                .Append(HtmlText.Escape(Number(finite[^1].Value))).Append("</text>");
        }

        return svg.Append("</svg>").ToString();
    }

    internal void WriteTo(StringBuilder html) => _write(html);
}
