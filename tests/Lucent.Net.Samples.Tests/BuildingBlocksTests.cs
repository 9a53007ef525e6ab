using BuildingBlocks;
using Lucent.Net.Imaging.Tests;
using Microsoft.Playwright;

namespace Lucent.Net.Samples.Tests;

/// <summary>Runs the Building Blocks sample once, in-process, with tiny settings, for every test of the class.</summary>
public sealed class BuildingBlocksRunFixture : IAsyncLifetime
{
    public const int Steps = 2;
    public const int Size = 32;
    public const int Grid = 2;
    public const int Groups = 3;

    public string OutputFolder { get; } = TestSupport.NewTempFolder("building-blocks");

    public int ExitCode { get; private set; }

    public string Output { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        using var writer = new StringWriter();
        ExitCode = await BuildingBlocksApp.RunAsync(
            ["--steps", $"{Steps}", "--size", $"{Size}", "--grid", $"{Grid}", "--groups", $"{Groups}", "--out", OutputFolder],
            writer, CancellationToken.None);
        Output = writer.ToString();
    }

    public Task DisposeAsync()
    {
        Directory.Delete(OutputFolder, recursive: true);
        return Task.CompletedTask;
    }
}

public class BuildingBlocksTests(BuildingBlocksRunFixture run) : IClassFixture<BuildingBlocksRunFixture>
{
    [Fact]
    public void The_run_succeeds_and_reports_the_layer_and_the_groups()
    {
        run.ExitCode.Should().Be(0, run.Output);
        run.Output.Should().Contain("layer3 on the photo: 14 x 14 positions, 256 channels.");
        run.Output.Should().MatchRegex("\\(b\\) 3 groups, NMF error [0-9.]+ \\([0-9.]+ % of the activations' norm\\) after [0-9]+ sweeps\\.");
    }

    [Fact]
    public void Every_figure_is_written_with_its_size()
    {
        run.ExitCode.Should().Be(0, run.Output);
        TestSupport.PngSize(Path.Combine(run.OutputFolder, "photo.png")).Should().Be((224, 224));
        TestSupport.PngSize(Path.Combine(run.OutputFolder, "group-map.png")).Should().Be((224, 224));
        TestSupport.PngSize(Path.Combine(run.OutputFolder, "group-overlay.png")).Should().Be((224, 224));
        var (gridWidth, gridHeight) = TestSupport.PngSize(Path.Combine(run.OutputFolder, "activation-grid.png"));
        gridWidth.Should().BeGreaterThanOrEqualTo(BuildingBlocksRunFixture.Grid * BuildingBlocksRunFixture.Size);
        gridHeight.Should().BeGreaterThanOrEqualTo(BuildingBlocksRunFixture.Grid * BuildingBlocksRunFixture.Size);
        TestSupport.PngSize(Path.Combine(run.OutputFolder, "groups.png")).Width.Should().BeGreaterThanOrEqualTo(BuildingBlocksRunFixture.Groups * BuildingBlocksRunFixture.Size);
        for (int g = 0; g < BuildingBlocksRunFixture.Groups; g++)
        {
            TestSupport.PngSize(Path.Combine(run.OutputFolder, "images", $"group_{g}.png")).Should().Be((BuildingBlocksRunFixture.Size, BuildingBlocksRunFixture.Size));
            TestSupport.PngSize(Path.Combine(run.OutputFolder, "images", $"group_{g}_map.png")).Should().Be((224, 224));
        }

        File.Exists(Path.Combine(run.OutputFolder, "images", $"group_{BuildingBlocksRunFixture.Groups}.png")).Should().BeFalse("there are exactly three groups");
    }

    [Fact]
    public void The_group_map_is_not_blank_and_differs_from_the_photo()
    {
        run.ExitCode.Should().Be(0, run.Output);
        var map = Lucent.Net.Imaging.SafePngLoader.Load(Path.Combine(run.OutputFolder, "group-map.png"));
        var photo = Lucent.Net.Imaging.SafePngLoader.Load(Path.Combine(run.OutputFolder, "photo.png"));
        map.Pixels.Max().Should().BeGreaterThan(0.9f, "the collapsed map is scaled to its maximum");
        map.Pixels.Distinct().Count().Should().BeGreaterThan(10, "the groups vary over the photo");
        map.Pixels.Zip(photo.Pixels, (a, b) => Math.Abs(a - b)).Average().Should().BeGreaterThan(0.05f);
    }

    [SkippableFact]
    public async Task The_report_opens_in_Chromium_with_every_image_decoded()
    {
        Skip.If(HeadlessChromium.FindExecutable() is null, HeadlessChromium.MissingReason);
        run.ExitCode.Should().Be(0, run.Output);
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync();
        await page.GotoAsync(HeadlessChromium.FileUrl(Path.Combine(run.OutputFolder, "report.html")), new PageGotoOptions { WaitUntil = WaitUntilState.Load });

        var headings = await page.Locator("h2").AllTextContentsAsync();
        headings.Should().Contain(["The photograph", "Spatial activation grid", "Neuron groups"]);
        var images = page.Locator("img");
        int count = await images.CountAsync();
        count.Should().Be(5 + BuildingBlocksRunFixture.Groups, "photo, grid, groups, overlay, map and one map per group");
        for (int i = 0; i < count; i++)
        {
            string src = (await images.Nth(i).GetAttributeAsync("src"))!;
            src.Should().MatchRegex("^(images/)?[a-z0-9_-]+\\.png$", "links are relative");
            int naturalWidth = await images.Nth(i).EvaluateAsync<int>("img => img.complete ? img.naturalWidth : 0");
            naturalWidth.Should().BeGreaterThan(0, $"{src} must decode");
        }

        (await page.Locator("table tbody tr").CountAsync()).Should().Be(BuildingBlocksRunFixture.Groups);
    }

    [Theory]
    [InlineData("--grid", "0", "--grid must be a whole number of at least 1")]
    [InlineData("--size", "abc", "--size must be a whole number of at least 16")]
    [InlineData("--colour", "red", "Unknown option '--colour'")]
    [InlineData("--steps", null, "--steps needs a value.")]
    public async Task Bad_options_exit_with_2_and_say_what_is_wrong(string name, string? value, string message)
    {
        using var writer = new StringWriter();
        string[] args = value is null ? [name] : [name, value];
        int code = await BuildingBlocksApp.RunAsync(args, writer, CancellationToken.None);
        code.Should().Be(2);
        writer.ToString().Should().Contain(message);
    }

    [Fact]
    public async Task Help_lists_every_option_and_exits_with_0()
    {
        using var writer = new StringWriter();
        int code = await BuildingBlocksApp.RunAsync(["--help"], writer, CancellationToken.None);
        code.Should().Be(0);
        foreach (string option in new[] { "--photo", "--out", "--layer", "--grid", "--groups", "--steps", "--size" })
        {
            writer.ToString().Should().Contain(option);
        }
    }

    [Fact]
    public async Task A_missing_photo_exits_with_2_and_names_it()
    {
        using var writer = new StringWriter();
        int code = await BuildingBlocksApp.RunAsync(["--photo", "/nonexistent/cat.png"], writer, CancellationToken.None);
        code.Should().Be(2);
        writer.ToString().Should().Contain("'/nonexistent/cat.png' does not exist");
    }
}
