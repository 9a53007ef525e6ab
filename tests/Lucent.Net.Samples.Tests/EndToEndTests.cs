using Lucent.Net.Imaging.Tests;
using System.Text.Json;
using ActivationMaximization;
using Microsoft.Playwright;

namespace Lucent.Net.Samples.Tests;

/// <summary>Runs <c>all --quick</c> once, in-process, on the offline fallback (ResNet-18), for every test of the class.</summary>
public sealed class QuickRunFixture : IAsyncLifetime
{
    public string Folder { get; } = TestSupport.NewTempFolder("am-e2e");

    public string OutputFolder => Path.Combine(Folder, "out");

    public int ExitCode { get; private set; }

    public string Output { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        // No --model: InceptionV1's weights are missing (empty cache, no download), so the app falls back to ResNet-18.
        (ExitCode, Output) = await TestSupport.RunAppAsync(
            TestSupport.OfflineEnvironment(Path.Combine(Folder, "cache")), "all", "--quick", "--no-progress", "--out", OutputFolder);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }
}

public class EndToEndTests(QuickRunFixture run) : IClassFixture<QuickRunFixture>
{
    private RunResults Results => JsonSerializer.Deserialize<RunResults>(File.ReadAllText(Path.Combine(run.OutputFolder, "results.json")), ExperimentRunner.JsonOptions)!;

    [Fact]
    public void Quick_run_succeeds_on_the_offline_fallback_and_says_why_in_one_line()
    {
        run.ExitCode.Should().Be(0, run.Output);
        var notices = run.Output.Split('\n').Where(l => l.Contains("InceptionV1 weights unavailable", StringComparison.Ordinal)).ToArray();
        notices.Should().ContainSingle();
        notices[0].Should().Contain("inception5h.pth").And.Contain("--weights").And.Contain("ResNet-18");
        run.Output.Should().Contain("Summary").And.Contain("Timings");
    }

    [Fact]
    public void Every_file_exists_with_the_right_png_sizes()
    {
        var results = Results;
        results.Images.Should().HaveCount(21);
        foreach (var image in results.Images)
        {
            string path = Path.Combine(run.OutputFolder, image.File);
            File.Exists(path).Should().BeTrue(path);
            TestSupport.PngSize(path).Should().Be((AppSettings.QuickSize, AppSettings.QuickSize));
        }

        // FigureGrid: margin 8, cells of max(size, 128) px, plus a title and captions below each row.
        const int cell = 128, margin = 8;
        foreach (var (figure, rows, columns) in new[] { ("part1.png", 2, 5), ("part2.png", 1, 4), ("part3.png", 1, 3), ("part4.png", 1, 4) })
        {
            var (width, height) = TestSupport.PngSize(Path.Combine(run.OutputFolder, figure));
            width.Should().Be(margin + (columns * (cell + margin)), figure);
            height.Should().BeGreaterThan(margin + (rows * (cell + margin)), figure).And.BeLessThan(rows * (cell + 120) + 120, figure);
        }

        File.Exists(Path.Combine(run.OutputFolder, "report.html")).Should().BeTrue();
        Directory.EnumerateFiles(run.OutputFolder, "*.lucent-tmp", SearchOption.AllDirectories).Should().BeEmpty();
    }

    [Fact]
    public void Results_json_holds_the_model_settings_and_every_image_with_its_measurements()
    {
        var results = Results;
        results.Model.Kind.Should().Be("resnet18");
        results.Model.Pretrained.Should().BeTrue();
        results.Model.FallbackReason.Should().Contain("InceptionV1");
        results.Settings.Steps.Should().Be(AppSettings.QuickSteps);
        results.Settings.Size.Should().Be(AppSettings.QuickSize);
        results.Settings.Quick.Should().BeTrue();
        results.LayerMapping.Should().HaveCount(4);
        results.Parts.Select(p => p.Number).Should().Equal(1, 2, 3, 4);
        results.Parts.Should().OnlyContain(p => p.Seconds > 0);
        results.Parts.SelectMany(p => p.ImageIds).Should().BeEquivalentTo(results.Images.Select(i => i.Id));

        foreach (var image in results.Images)
        {
            image.Objective.Should().StartWith("channel(layer");
            image.Parameterization.Should().StartWith("image(64, fft=");
            image.Transforms.Should().NotBeNullOrWhiteSpace();
            double.IsFinite(image.ObjectiveFirst).Should().BeTrue();
            double.IsFinite(image.ObjectiveLast).Should().BeTrue();
            image.ObjectiveLast.Should().BeGreaterThan(image.ObjectiveFirst, $"{image.Id}: gradient ascent must raise the objective even in {AppSettings.QuickSteps} steps");
            image.HighFrequencyShare.Should().BeInRange(0, 1);
            image.PngBytesPerPixel.Should().BePositive();
            image.EdgeCoherence.Should().BeInRange(0, 1, image.Id);
            image.StructureScale.Should().BePositive(image.Id);
            (image.Robustness is not null).Should().Be(image.Part == 3, image.Id);
        }

        results.Claims.Select(c => c.Part).Should().BeEquivalentTo([0, 2, 3, 4]);
    }

    [Fact]
    public void Each_distinct_configuration_is_rendered_once_and_every_image_has_its_objective_curve()
    {
        var results = Results;
        var part2Default = results.Images.Single(i => i.Part == 2 && i.Title == "FFT + Decorrelate (default)");
        var part3None = results.Images.Single(i => i.Part == 3 && i.Title == "No transforms");
        part3None.SameRenderAs.Should().Be(part2Default.Id, "part 3's no-transforms settings are part 2's FFT + decorrelate");
        part3None.Seconds.Should().Be(0);
        part3None.ObjectiveLast.Should().Be(part2Default.ObjectiveLast);
        File.ReadAllBytes(Path.Combine(run.OutputFolder, part3None.File)).Should().Equal(File.ReadAllBytes(Path.Combine(run.OutputFolder, part2Default.File)));
        results.Images.Where(i => i != part3None).Should().OnlyContain(i => i.SameRenderAs == null);
        run.Output.Should().Contain("reusing that image");

        foreach (var image in results.Images)
        {
            image.ObjectiveCurve.Should().HaveCount(Math.Min(AppSettings.QuickSteps, ExperimentRunner.CurvePoints), image.Id);
            image.ObjectiveCurve[0].Should().Be(image.ObjectiveFirst, image.Id);
            image.ObjectiveCurve[^1].Should().Be(image.ObjectiveLast, image.Id);
        }
    }

    [SkippableFact]
    public async Task Report_opens_in_Chromium_with_four_parts_and_every_image_decoded()
    {
        Skip.If(HeadlessChromium.FindExecutable() is null, HeadlessChromium.MissingReason);
        run.ExitCode.Should().Be(0, run.Output);
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        await page.GotoAsync(HeadlessChromium.FileUrl(Path.Combine(run.OutputFolder, "report.html")), new PageGotoOptions { WaitUntil = WaitUntilState.Load });

        var headings = await page.Locator("h2").AllTextContentsAsync();
        for (int part = 1; part <= 4; part++)
        {
            headings.Should().Contain(ReportBuilder.PartHeading(part));
        }

        (await page.Locator("figure img").CountAsync()).Should().Be(4, "one figure per part");
        var images = page.Locator("img");
        int count = await images.CountAsync();
        count.Should().Be(4 + 21, "one figure per part and a thumbnail of each image beside its curve");
        (await page.Locator("td svg.curve polyline").CountAsync()).Should().Be(21, "every render's objective curve is drawn inline");
        for (int i = 0; i < count; i++)
        {
            string src = (await images.Nth(i).GetAttributeAsync("src"))!;
            src.Should().MatchRegex("^(part[1-4]|images/[a-z0-9_]+)\\.png$", "links are relative");
            int naturalWidth = await images.Nth(i).EvaluateAsync<int>("img => img.complete ? img.naturalWidth : 0");
            naturalWidth.Should().BeGreaterThan(0, $"{src} must decode");
        }

        // Tables stay within the 1280 px page: nothing scrolls sideways, no column is cut off.
        (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth")).Should().BeLessThanOrEqualTo(1280);
        var overflowing = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('.table-scroll')].filter(d => d.scrollWidth > d.clientWidth + 1).map(d => d.querySelector('caption')?.textContent ?? '?')");
        overflowing.Should().BeEmpty("every table fits its page");

        // Each part says its shared settings once: the standard transform list appears at most once per part section.
        var standardPerSection = await page.EvaluateAsync<int[]>("() => [...document.querySelectorAll('section')].map(s => s.innerText.split('standard_transforms:').length - 1)");
        standardPerSection.Should().OnlyContain(n => n <= 1);

        string text = await page.InnerTextAsync("body");
        text.Should().Contain("ResNet-18").And.Contain("High-frequency share").And.Contain("Robustness").And.Contain("Pixel (naive)");

        if (Environment.GetEnvironmentVariable("LUCENT_REPORT_SCREENSHOT") is { Length: > 0 } screenshot)
        {
            // Used to refresh docs/images/report.png from a full run: LUCENT_REPORT_SCREENSHOT=<png path>.
            // Part 2's section: its figure, the tutorial's parameterisation table with the measured shares, and the verdict.
            await page.Locator("section", new PageLocatorOptions { Has = page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = ReportBuilder.PartHeading(2) }) })
                .ScreenshotAsync(new LocatorScreenshotOptions { Path = screenshot });
        }
    }
}
