using System.Text.RegularExpressions;
using Lucent.Net.Activations;
using Lucent.Net.Images;
using Lucent.Net.Imaging;
using Lucent.Net.Rendering;

namespace Lucent.Net.Interactive.Tests;

public class NotebookHtmlTests
{
    private const string Hostile = "<script>alert('x')</script> & \"quoted\"";

    internal static ImageBatch Gradient(int batch, int size, int channels = 3)
    {
        var pixels = new float[batch * size * size * channels];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (i % 97) / 96f;
        }

        return new ImageBatch(pixels, batch, size, size, channels);
    }

    private static IReadOnlyList<string> DataUris(string html) =>
        Regex.Matches(html, "src=\"(data:image/png;base64,[^\"]+)\"").Select(m => m.Groups[1].Value).ToList();

    private static ImageBatch Decode(string dataUri) =>
        SafePngLoader.Decode(Convert.FromBase64String(dataUri["data:image/png;base64,".Length..]));

    [Fact]
    public void A_grid_embeds_every_image_as_a_png_data_uri_with_its_label()
    {
        var images = Gradient(3, 12);
        string html = NotebookHtml.ImageGrid(images, ["a:0", "a:1", "a:2"], title: "Three");

        var uris = DataUris(html);
        uris.Should().HaveCount(3);
        var first = Decode(uris[0]);
        first.Width.Should().Be(12);
        first.Height.Should().Be(12);
        first.Pixels.Should().Equal(Decode(NotebookHtml.PngDataUri(images, 0)).Pixels);
        html.Should().Contain("<figcaption").And.Contain(">a:2</figcaption>").And.Contain("Three");
        html.Should().NotContain("file:").And.NotContain("src=\"/");
    }

    [Fact]
    public void Labels_and_titles_are_escaped_everywhere()
    {
        var images = Gradient(2, 8);
        string grid = NotebookHtml.ImageGrid(images, [Hostile, null], title: Hostile);
        string curve = NotebookHtml.LossCurveSvg([3, 2, 1], Hostile);
        string table = NotebookHtml.LayerTable([new LayerInfo(Hostile, [1, 2], Hostile)]);
        string progress = NotebookHtml.ProgressLine(new RenderProgress(1, 4, -1, TimeSpan.FromSeconds(1)), Hostile);

        foreach (string html in new[] { grid, curve, table, progress })
        {
            html.Should().NotContain("<script>").And.NotContain("\"quoted\"").And.Contain("&lt;script&gt;");
        }

        grid.Should().Contain("alt=\"image 1\"", "an image without a label gets a neutral alt text");
    }

    [Fact]
    public void Rgba_images_are_drawn_over_a_checkerboard()
    {
        // A fully transparent image: what shows is the checkerboard's two grey levels.
        var transparent = new ImageBatch(new float[16 * 16 * 4], 1, 16, 16, 4);
        var shown = Decode(NotebookHtml.PngDataUri(transparent));

        shown.Channels.Should().Be(3);
        shown[0, 0, 0, 0].Should().BeApproximately(Checkerboard.Level(0, 0), 1 / 255f);
        shown[0, 0, 8, 0].Should().BeApproximately(Checkerboard.Level(8, 0), 1 / 255f);
        Checkerboard.Level(0, 0).Should().NotBe(Checkerboard.Level(8, 0));
    }

    [Fact]
    public void Several_batches_make_one_grid_with_one_label_per_image()
    {
        string html = NotebookHtml.ImageGrid([Gradient(1, 8), Gradient(2, 8)], ["one", "two", "three"]);
        DataUris(html).Should().HaveCount(3);
        html.Should().Contain(">three</figcaption>");

        var act = () => NotebookHtml.ImageGrid([Gradient(1, 8)], ["one", "two"]);
        act.Should().Throw<ArgumentException>().WithMessage("*2 labels*1 image*");
    }

    [Fact]
    public void A_grid_embeds_at_most_MaxImages_and_counts_the_rest()
    {
        string html = NotebookHtml.ImageGrid(Gradient(NotebookHtml.MaxImages + 3, 2));
        DataUris(html).Should().HaveCount(NotebookHtml.MaxImages);
        html.Should().Contain("3 more image(s) not shown");
    }

    [Fact]
    public void The_loss_curve_is_an_svg_polyline_through_the_finite_values()
    {
        string svg = NotebookHtml.LossCurveSvg([4, double.NaN, 2, 0], "loss");
        svg.Should().StartWith("<svg").And.EndWith("</svg>");
        var points = Regex.Match(svg, "points=\"([^\"]+)\"").Groups[1].Value.Split(' ');
        points.Should().HaveCount(3, "the NaN is left out");
        float Y(string point) => float.Parse(point.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture);
        Y(points[0]).Should().BeLessThan(Y(points[2]), "the highest loss is drawn at the top");
        svg.Should().Contain("step 1: 4").And.Contain("step 4: 0");

        NotebookHtml.LossCurveSvg([]).Should().Contain("no finite values");
        var many = Enumerable.Range(0, 10_000).Select(i => (double)-i).ToArray();
        Regex.Match(NotebookHtml.LossCurveSvg(many), "points=\"([^\"]+)\"").Groups[1].Value.Split(' ').Length
            .Should().BeLessThanOrEqualTo(NotebookHtml.MaxCurvePoints + 1);
    }

    [Fact]
    public void A_layer_listing_is_a_table_row_per_layer()
    {
        string html = NotebookHtml.LayerTable([new LayerInfo("layer1", [1, 64, 56, 56], "Sequential"), new LayerInfo("fc", [], "Linear")]);
        Regex.Matches(html, "<tr>").Count.Should().Be(3, "a header row and two layers");
        html.Should().Contain("<code>layer1</code>").And.Contain("[1, 64, 56, 56]").And.Contain("(not computed)");
    }

    [Fact]
    public void The_progress_line_shows_step_loss_and_time_left()
    {
        string html = NotebookHtml.ProgressLine(new RenderProgress(16, 64, -2.5, TimeSpan.FromSeconds(8)), "layer3:5");
        html.Should().Contain("<progress max=\"64\" value=\"16\">").And.Contain("step 16/64").And.Contain("loss -2.5").And.Contain("about 24 s left");
        NotebookHtml.ProgressLine(new RenderProgress(64, 64, -3, TimeSpan.FromSeconds(32))).Should().NotContain("left");
    }

    [Fact]
    public void Bad_arguments_are_refused_with_what_to_do()
    {
        var images = Gradient(2, 4);
        FluentActions.Invoking(() => NotebookHtml.PngDataUri(images, 2)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*2 image(s)*0 to 1*");
        FluentActions.Invoking(() => NotebookHtml.ImageGrid(images, cellWidth: 0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => NotebookHtml.LossCurveSvg([1], width: 10)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
