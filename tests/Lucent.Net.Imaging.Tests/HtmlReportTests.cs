namespace Lucent.Net.Imaging.Tests;

public class HtmlReportTests
{
    [Fact]
    public void Escape_replaces_all_special_characters()
    {
        HtmlText.Escape("<a href=\"x\">Tom & 'Jerry'</a>")
            .Should().Be("&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
    }

    [Fact]
    public void Rich_tables_hold_escaped_text_relative_thumbnails_and_inline_svg_curves()
    {
        var report = new HtmlReport("r");
        report.AddSection("S").AddRichTable(
            ["Image", "Curve", "Value"],
            [[HtmlCell.Row(HtmlCell.Image("images/a b.png", "alt <x>", 64), HtmlCell.Text("t<1>")), HtmlCell.LineChart([1.0, double.NaN, 3.0, 2.0], "curve <c>"), HtmlCell.Text("0.5")]],
            "cap");
        string html = report.ToHtml();
        html.Should().Contain("<img class=\"thumb\" src=\"images/a%20b.png\" alt=\"alt &lt;x&gt;\" width=\"64\" height=\"64\">");
        html.Should().Contain("t&lt;1&gt;").And.Contain("<td class=\"num\">0.5</td>");
        html.Should().Contain("<svg class=\"curve\" role=\"img\"").And.Contain("<title>curve &lt;c&gt;</title>");
        html.Should().Contain("<polyline fill=\"none\" stroke=\"#1f6feb\" stroke-width=\"1.5\" points=\"2,46 106,13 158,29.5\"/>", "NaN is skipped; x by step index, y scaled to the range");
        html.Should().NotContain("<script");

        var bad = () => HtmlCell.Image("/abs.png", "a", 10);
        bad.Should().Throw<ArgumentException>();
        var mismatch = () => new HtmlReport("r").AddSection("s").AddRichTable(["a", "b"], [[HtmlCell.Text("x")]]);
        mismatch.Should().Throw<ArgumentException>().WithMessage("*Row 0 has 1 cells*");
    }

    [Fact]
    public void User_text_is_escaped_everywhere()
    {
        var report = new HtmlReport("<script>alert(1)</script>");
        report.AddIntroduction("a < b & c");
        report.AddSection("Heading \"quoted\"")
            .AddParagraph("<b>bold?</b>")
            .AddTable(["<th>"], [["<td>"]], "cap<tion>")
            .AddFigure("f.png", "caption <i>", "alt \" onerror=\"x");

        string html = report.ToHtml();

        html.Should().NotContain("<script>").And.NotContain("<b>").And.NotContain("<i>").And.NotContain("\" onerror=\"");
        html.Should().Contain("&lt;script&gt;alert(1)&lt;/script&gt;")
            .And.Contain("a &lt; b &amp; c")
            .And.Contain("Heading &quot;quoted&quot;")
            .And.Contain("alt=\"alt &quot; onerror=&quot;x\"");
    }

    [Fact]
    public void Document_is_self_contained_with_inline_css_and_no_external_resources()
    {
        var report = new HtmlReport("Report");
        report.AddSection("One").AddFigure("figures/part 1.png", "Part 1", displayWidth: 400);

        string html = report.ToHtml();

        html.Should().StartWith("<!DOCTYPE html>").And.Contain("<meta charset=\"utf-8\">").And.Contain("<style>");
        html.Should().NotContain("<script").And.NotContain("<link").And.NotContain("http:").And.NotContain("https:").And.NotContain("@import");
        html.Should().Contain("<img src=\"figures/part%201.png\" alt=\"Part 1\" width=\"400\">");
        html.Should().Contain("<figcaption>Part 1</figcaption>");
    }

    [Fact]
    public void Sections_tables_and_paragraphs_appear_in_order()
    {
        var report = new HtmlReport("R");
        report.AddSection("First").AddParagraph("p1").AddTable(["Metric", "Value"], [["share", "0.25"], ["name", "abc"]]);
        report.AddSection("Second").AddPreformatted("x  y");

        string html = report.ToHtml();

        html.IndexOf("<h2>First</h2>", StringComparison.Ordinal).Should().BeLessThan(html.IndexOf("<h2>Second</h2>", StringComparison.Ordinal));
        html.Should().Contain("<td class=\"num\">0.25</td>").And.Contain("<td>abc</td>").And.Contain("<pre>x  y</pre>");
        report.Sections.Should().HaveCount(2);
        report.Sections[0].BlockCount.Should().Be(2);
    }

    [Theory]
    [InlineData("/abs/image.png")]
    [InlineData("C:/image.png")]
    [InlineData("http://example.com/a.png")]
    [InlineData("file:///tmp/a.png")]
    [InlineData("data:image/png;base64,AAAA")]
    [InlineData("~/a.png")]
    [InlineData("")]
    public void Figures_must_use_relative_paths(string path)
    {
        var act = () => new HtmlReport("R").AddSection("S").AddFigure(path, "c");
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Relative_urls_are_normalised_and_encoded()
    {
        HtmlText.RelativeUrl("figures\\a b#1.png").Should().Be("figures/a%20b%231.png");
        HtmlText.RelativeUrl("../shared/x.png").Should().Be("../shared/x.png");
        HtmlText.RelativeUrl("dir/a:b.png").Should().Be("dir/a%3Ab.png");
    }

    [Fact]
    public void Tables_reject_ragged_rows()
    {
        var act = () => new HtmlReport("R").AddSection("S").AddTable(["a", "b"], [["1"]]);
        act.Should().Throw<ArgumentException>().WithMessage("*Row 0 has 1 cells*2 columns*");
    }

    [Fact]
    public void Save_writes_utf8_atomically()
    {
        using var folder = new TempFolder();
        var report = new HtmlReport("Ünïcode");
        report.Save(folder.File("report.html"));
        report.Save(folder.File("report.html"));

        File.ReadAllText(folder.File("report.html")).Should().Be(report.ToHtml());
        Directory.GetFiles(folder.Path).Should().ContainSingle();
    }
}
