using System.Globalization;
using System.Text;

namespace Lucent.Net.Imaging;

/// <summary>
/// Builds a self-contained HTML page: a title, an introduction and sections of headings, paragraphs, tables and
/// figures. All text is HTML-escaped; styling is inline CSS; there are no scripts and no external resources.
/// Figures refer to image files by relative path only, so the page and its images can be moved together.
/// Every figure and thumbnail is drawn over a grey checkerboard in CSS (8-pixel squares, Lucid's levels 0.95 and
/// 0.6, as <see cref="Checkerboard"/>), so transparent PNGs such as RGBA renders show their transparency; opaque
/// images cover it.
/// </summary>
/// <example>
/// <code>
/// var report = new HtmlReport("Feature visualisation");
/// report.AddSection("Part 1")
///       .AddParagraph("Ten channels of mixed4a.")
///       .AddFigure("figures/part1.png", "Channels 0 to 9", "Grid of ten rendered channels");
/// report.Save("out/report.html");
/// </code>
/// </example>
public sealed class HtmlReport
{
    private readonly List<string> _introduction = [];
    private readonly List<HtmlReportSection> _sections = [];

    /// <summary>Creates an empty report.</summary>
    /// <param name="title">The page title, shown in the browser tab and as the top heading.</param>
    public HtmlReport(string title)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        Title = title;
    }

    /// <summary>The page title.</summary>
    public string Title { get; }

    /// <summary>The sections, in order.</summary>
    public IReadOnlyList<HtmlReportSection> Sections => _sections;

    /// <summary>Adds a paragraph under the title, before the first section.</summary>
    /// <param name="text">Plain text; escaped when written.</param>
    /// <returns>This report.</returns>
    public HtmlReport AddIntroduction(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _introduction.Add(text);
        return this;
    }

    /// <summary>Adds a section with a second-level heading.</summary>
    /// <param name="heading">The section heading (plain text).</param>
    /// <returns>The new section, to fill in.</returns>
    public HtmlReportSection AddSection(string heading)
    {
        var section = new HtmlReportSection(heading);
        _sections.Add(section);
        return section;
    }

    /// <summary>The complete HTML document.</summary>
    /// <returns>The HTML text (UTF-8 when saved).</returns>
    public string ToHtml()
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(HtmlText.Escape(Title)).Append("</title>\n")
            .Append("<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n<main>\n")
            .Append("<h1>").Append(HtmlText.Escape(Title)).Append("</h1>\n");
        foreach (string paragraph in _introduction)
        {
            html.Append("<p>").Append(HtmlText.Escape(paragraph)).Append("</p>\n");
        }

        for (int i = 0; i < _sections.Count; i++)
        {
            _sections[i].WriteTo(html, i + 1);
        }

        html.Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>Writes the document to <paramref name="path"/> as UTF-8, atomically (temporary file, then rename).</summary>
    /// <param name="path">Destination file; figure paths are relative to its folder.</param>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToHtml());

    private const string Style =
        "body{margin:0;background:#fafafa;color:#222;font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif}\n" +
        "main{max-width:1100px;margin:0 auto;padding:24px}\n" +
        "h1{font-size:1.9em;margin:0 0 .6em}h2{font-size:1.4em;margin:1.6em 0 .5em;border-bottom:1px solid #ddd}\n" +
        "figure{margin:1em 0;padding:12px;background:#fff;border:1px solid #e3e3e3;border-radius:6px}\n" +
        "figure img{display:block;max-width:100%;height:auto;image-rendering:pixelated}\n" +
        "figure img,img.thumb{background-color:#f2f2f2;background-image:conic-gradient(#999 25%,transparent 0 50%,#999 0 75%,transparent 0);background-size:16px 16px}\n" +
        "figcaption{margin-top:.5em;color:#555;font-size:.92em}\n" +
        ".table-scroll{overflow-x:auto;max-width:100%}\ntable{border-collapse:collapse;margin:1em 0;background:#fff;max-width:100%}\n" +
        "th,td{border:1px solid #ddd;padding:4px 8px;text-align:left}th{background:#f0f0f0}\n" +
        "table.rich{font-size:.9em}\n" +
        "td.num{text-align:right;font-variant-numeric:tabular-nums}\ntd{overflow-wrap:anywhere}\n" +
        ".cell-row{display:flex;gap:8px;align-items:center}img.thumb{display:block;image-rendering:pixelated}svg.curve{display:block}\n" +
        "pre{background:#f4f4f4;padding:10px;overflow:auto}\n";
}

/// <summary>A section of an <see cref="HtmlReport"/>: a heading followed by blocks in the order they were added.</summary>
public sealed class HtmlReportSection
{
    private readonly List<Action<StringBuilder>> _blocks = [];

    internal HtmlReportSection(string heading)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(heading);
        Heading = heading;
    }

    /// <summary>The section heading.</summary>
    public string Heading { get; }

    /// <summary>The number of blocks (paragraphs, tables, figures, preformatted texts) added so far.</summary>
    public int BlockCount => _blocks.Count;

    /// <summary>Adds a paragraph.</summary>
    /// <param name="text">Plain text; escaped when written.</param>
    /// <returns>This section.</returns>
    public HtmlReportSection AddParagraph(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _blocks.Add(html => html.Append("<p>").Append(HtmlText.Escape(text)).Append("</p>\n"));
        return this;
    }

    /// <summary>Adds preformatted text (for example a command line or a log), shown in a monospaced font.</summary>
    /// <param name="text">Plain text; escaped when written.</param>
    /// <returns>This section.</returns>
    public HtmlReportSection AddPreformatted(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _blocks.Add(html => html.Append("<pre>").Append(HtmlText.Escape(text)).Append("</pre>\n"));
        return this;
    }

    /// <summary>Adds a table. Cells that parse as numbers (invariant culture) are right-aligned.</summary>
    /// <param name="headers">Column headings.</param>
    /// <param name="rows">Rows of cells; each row must have as many cells as there are headings.</param>
    /// <param name="caption">Optional table caption.</param>
    /// <returns>This section.</returns>
    public HtmlReportSection AddTable(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        if (headers.Count == 0)
        {
            throw new ArgumentException("A table needs at least one column heading.", nameof(headers));
        }

        var copy = new List<string[]>();
        foreach (IReadOnlyList<string> row in rows)
        {
            if (row is null || row.Count != headers.Count)
            {
                throw new ArgumentException(
                    $"Row {copy.Count} has {row?.Count ?? 0} cells but the table has {headers.Count} columns.", nameof(rows));
            }

            copy.Add([.. row]);
        }

        string[] head = [.. headers];
        _blocks.Add(html =>
        {
            AppendTableHead(html, null, caption, head);
            foreach (string[] row in copy)
            {
                html.Append("<tr>");
                foreach (string cell in row)
                {
                    bool numeric = double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
                    html.Append(numeric ? "<td class=\"num\">" : "<td>").Append(HtmlText.Escape(cell ?? string.Empty)).Append("</td>");
                }

                html.Append("</tr>\n");
            }

            html.Append("</tbody>\n</table></div>\n");
        });
        return this;
    }

    /// <summary>Writes a table's opening: the scroll wrapper, the table, its caption and its column headings.</summary>
    private static void AppendTableHead(StringBuilder html, string? tableClass, string? caption, string[] head)
    {
        html.Append(tableClass is null ? "<div class=\"table-scroll\"><table>\n" : $"<div class=\"table-scroll\"><table class=\"{tableClass}\">\n");
        if (!string.IsNullOrEmpty(caption))
        {
            html.Append("<caption>").Append(HtmlText.Escape(caption)).Append("</caption>\n");
        }

        html.Append("<thead><tr>");
        foreach (string h in head)
        {
            html.Append("<th scope=\"col\">").Append(HtmlText.Escape(h)).Append("</th>");
        }

        html.Append("</tr></thead>\n<tbody>\n");
    }

    /// <summary>Adds a table whose cells may hold images and inline charts (<see cref="HtmlCell"/>).</summary>
    /// <param name="headers">Column headings.</param>
    /// <param name="rows">Rows of cells; each row must have as many cells as there are headings.</param>
    /// <param name="caption">Optional table caption.</param>
    /// <returns>This section.</returns>
    public HtmlReportSection AddRichTable(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<HtmlCell>> rows, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        if (headers.Count == 0)
        {
            throw new ArgumentException("A table needs at least one column heading.", nameof(headers));
        }

        var copy = new List<HtmlCell[]>();
        foreach (IReadOnlyList<HtmlCell> row in rows)
        {
            if (row is null || row.Count != headers.Count || row.Any(c => c is null))
            {
                throw new ArgumentException(
                    $"Row {copy.Count} has {row?.Count ?? 0} cells (or a null cell) but the table has {headers.Count} columns.", nameof(rows));
            }

            copy.Add([.. row]);
        }

        string[] head = [.. headers];
        _blocks.Add(html =>
        {
            AppendTableHead(html, "rich", caption, head);
            foreach (HtmlCell[] row in copy)
            {
                html.Append("<tr>");
                foreach (HtmlCell cell in row)
                {
                    html.Append(cell.IsNumeric ? "<td class=\"num\">" : "<td>");
                    cell.WriteTo(html);
                    html.Append("</td>");
                }

                html.Append("</tr>\n");
            }

            html.Append("</tbody>\n</table></div>\n");
        });
        return this;
    }

    /// <summary>Adds a figure: an image referenced by relative path, with a caption and alternative text.</summary>
    /// <param name="relativePath">Path of the image relative to the report's folder, with '/' or '\' separators.
    /// Absolute paths, paths with a scheme (http:, file:, data:) and paths starting with '/' or '~' are rejected.</param>
    /// <param name="caption">Caption under the image (plain text).</param>
    /// <param name="altText">Alternative text for readers who cannot see the image; the caption when <see langword="null"/>.</param>
    /// <param name="displayWidth">Width in CSS pixels to display the image at; its natural width when <see langword="null"/>.</param>
    /// <returns>This section.</returns>
    public HtmlReportSection AddFigure(string relativePath, string caption, string? altText = null, int? displayWidth = null)
    {
        string src = HtmlText.RelativeUrl(relativePath);
        ArgumentNullException.ThrowIfNull(caption);
        if (displayWidth is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(displayWidth), displayWidth, "Display width must be at least 1 pixel.");
        }

        string alt = altText ?? caption;
        _blocks.Add(html =>
        {
            html.Append("<figure>\n<img src=\"").Append(HtmlText.Escape(src)).Append("\" alt=\"").Append(HtmlText.Escape(alt)).Append('"');
            if (displayWidth is int w)
            {
                html.Append(" width=\"").Append(w.ToString(CultureInfo.InvariantCulture)).Append('"');
            }

            html.Append(">\n<figcaption>").Append(HtmlText.Escape(caption)).Append("</figcaption>\n</figure>\n");
        });
        return this;
    }

    internal void WriteTo(StringBuilder html, int number)
    {
        html.Append("<section id=\"section-").Append(number.ToString(CultureInfo.InvariantCulture)).Append("\">\n")
            .Append("<h2>").Append(HtmlText.Escape(Heading)).Append("</h2>\n");
        foreach (Action<StringBuilder> block in _blocks)
        {
            block(html);
        }

        html.Append("</section>\n");
    }
}

/// <summary>HTML escaping and relative URL checks used by <see cref="HtmlReport"/>.</summary>
public static class HtmlText
{
    /// <summary>Escapes text for HTML element content and double- or single-quoted attribute values.</summary>
    /// <param name="text">Plain text.</param>
    /// <returns>The text with &amp;, &lt;, &gt;, &quot; and &#39; replaced by character references.</returns>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var escaped = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            _ = c switch
            {
                '&' => escaped.Append("&amp;"),
                '<' => escaped.Append("&lt;"),
                '>' => escaped.Append("&gt;"),
                '"' => escaped.Append("&quot;"),
                '\'' => escaped.Append("&#39;"),
                _ => escaped.Append(c),
            };
        }

        return escaped.ToString();
    }

    /// <summary>
    /// Checks that <paramref name="path"/> is a relative file path and turns it into a relative URL: separators become
    /// '/', and each segment is percent-encoded (so spaces, '#' and '?' are safe).
    /// </summary>
    /// <param name="path">A relative path such as <c>figures/part 1.png</c>.</param>
    /// <returns>The relative URL, for example <c>figures/part%201.png</c>.</returns>
    /// <exception cref="ArgumentException">The path is empty, absolute, rooted, or has a URL scheme.</exception>
    public static string RelativeUrl(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string normalised = path.Replace('\\', '/');
        bool hasScheme = normalised.IndexOf(':', StringComparison.Ordinal) is int colon and > 0
            && normalised.IndexOf('/', StringComparison.Ordinal) is int slash && (slash < 0 || colon < slash);
        if (Path.IsPathRooted(path) || normalised.StartsWith('/') || normalised.StartsWith('~') || hasScheme)
        {
            throw new ArgumentException(
                $"'{path}' is not a relative path. Reports link images by paths relative to the report's folder " +
                "(for example \"figures/part1.png\") so that the folder can be moved or published as a whole.",
                nameof(path));
        }

        return string.Join('/', normalised.Split('/').Select(Uri.EscapeDataString));
    }
}
