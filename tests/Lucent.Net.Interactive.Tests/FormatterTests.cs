using Lucent.Net.Parameterization;
using Lucent.Net.Activations;
using Lucent.Net.Rendering;
using Lucent.Net.Testing;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;

namespace Lucent.Net.Interactive.Tests;

public class FormatterTests
{
    [Fact]
    public async Task The_kernel_extension_registers_html_displays_for_Lucent_values()
    {
        using var kernel = new CompositeKernel();
        await new LucentKernelExtension().OnLoadAsync(kernel);

        var images = NotebookHtmlTests.Gradient(2, 8);
        images.ToDisplayString(HtmlFormatter.MimeType).Should().Be(NotebookHtml.ImageGrid(images));
        Formatter.GetPreferredMimeTypesFor(typeof(Lucent.Net.Images.ImageBatch)).Should().Contain(HtmlFormatter.MimeType);

        // Any sequence of layers (a list, an array, a LINQ query) shows as the table.
        var layers = new List<LayerInfo> { new("conv1", [1, 8, 4, 4], "Conv2d") };
        layers.ToDisplayString(HtmlFormatter.MimeType).Should().Be(NotebookHtml.LayerTable(layers));
        layers.Where(_ => true).ToDisplayString(HtmlFormatter.MimeType).Should().Contain("<code>conv1</code>");

        var progress = new RenderProgress(2, 4, -1, TimeSpan.FromSeconds(1));
        progress.ToDisplayString(HtmlFormatter.MimeType).Should().Be(NotebookHtml.ProgressLine(progress));
    }

    [Fact]
    public async Task A_render_shows_its_images_curve_and_facts()
    {
        using var kernel = new CompositeKernel();
        await new LucentKernelExtension().OnLoadAsync(kernel);
        using var model = new TinyConvNet(seed: 1);
        var result = Renderer.RenderChannels(model, "conv2", [0, 1], new RenderOptions { Parameterization = new ImageOptions(16), Thresholds = [3], Transforms = [], Seed = 0 });

        string html = result.ToDisplayString(HtmlFormatter.MimeType);
        html.Should().Be(NotebookHtml.RenderResult(result));
        System.Text.RegularExpressions.Regex.Matches(html, "data:image/png;base64,").Count.Should().Be(2);
        html.Should().Contain("<svg").And.Contain("3 step(s)").And.Contain("seed 0");
    }

    [Fact]
    public void Progress_shows_once_then_updates_the_same_display_at_most_per_interval_and_at_the_end()
    {
        var shown = new List<string>();
        var updated = new List<string>();
        var progress = new NotebookProgress("r", TimeSpan.FromHours(1), (shown.Add, updated.Add));

        for (int step = 1; step <= 10; step++)
        {
            progress.Report(new RenderProgress(step, 10, -step, TimeSpan.FromSeconds(step)));
        }

        shown.Should().ContainSingle().Which.Should().Contain("step 1/10");
        updated.Should().ContainSingle("within the interval only the last step updates").Which.Should().Contain("step 10/10");
        progress.Last!.Value.Step.Should().Be(10);
    }

    [Fact]
    public void Show_outside_a_notebook_cell_says_where_it_works()
    {
        FluentActions.Invoking(() => Notebook.Show(NotebookHtmlTests.Gradient(1, 4)))
            .Should().Throw<InvalidOperationException>().WithMessage("*notebook cell*NotebookHtml*");
        FluentActions.Invoking(() => Notebook.Progress()).Should().Throw<InvalidOperationException>().WithMessage("*notebook cell*");
    }
}
