using Lucent.Net.Images;
using Microsoft.Playwright;

namespace Lucent.Net.Imaging.Tests;

/// <summary>One browser for the whole test class; none where Chromium is not installed.</summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public HeadlessChromium? Chromium { get; private set; }

    public async Task InitializeAsync()
    {
        if (HeadlessChromium.FindExecutable() is not null)
        {
            Chromium = await HeadlessChromium.LaunchAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (Chromium is not null)
        {
            await Chromium.DisposeAsync();
        }
    }
}

public class HtmlReportBrowserTests(ChromiumFixture fixture) : IClassFixture<ChromiumFixture>
{
    [SkippableFact]
    public async Task Report_opened_from_disk_shows_headings_and_loads_every_figure()
    {
        Skip.If(fixture.Chromium is null, HeadlessChromium.MissingReason);
        using var folder = new TempFolder();
        ImageBatch batch = TestImages.Gradient(4, 16, 16, 3);
        batch.SavePngStrip(Path.Combine(folder.Path, "figures", "strip.png"));
        FigureGrid.SavePng(
            Path.Combine(folder.Path, "figures", "grid with space.png"),
            [new FigureCell(batch, "a", 0), new FigureCell(batch, "b", 1), new FigureCell(batch, "c", 2)],
            new FigureGridOptions { Columns = 3, Title = "Grid" });
        TestImages.Constant(8, 8, 1, 0.5f).SavePng(Path.Combine(folder.Path, "grey.png"));
        var report = new HtmlReport("Browser check <&>");
        report.AddIntroduction("Three figures.");
        report.AddSection("Strips").AddFigure("figures/strip.png", "A batch of four", "Four gradients side by side");
        report.AddSection("Grids & greys")
            .AddFigure("figures/grid with space.png", "A grid", displayWidth: 300)
            .AddFigure("grey.png", "Grey")
            .AddTable(["k", "v"], [["share", "0.5"]]);
        string html = Path.Combine(folder.Path, "report.html");
        report.Save(html);

        await using IBrowserContext context = await fixture.Chromium!.Browser.NewContextAsync();
        IPage page = await context.NewPageAsync();
        var failed = new List<string>();
        page.RequestFailed += (_, request) => failed.Add(request.Url);
        IResponse? response = await page.GotoAsync(HeadlessChromium.FileUrl(html), new PageGotoOptions { WaitUntil = WaitUntilState.Load });

        response.Should().NotBeNull();
        (await page.TitleAsync()).Should().Be("Browser check <&>");
        (await page.Locator("h1").InnerTextAsync()).Should().Be("Browser check <&>");
        (await page.Locator("h2").AllInnerTextsAsync()).Should().Equal("Strips", "Grids & greys");
        int[] widths = await page.EvaluateAsync<int[]>("() => Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0)");
        widths.Should().HaveCount(3).And.OnlyContain(w => w > 0);
        widths[0].Should().Be(64);
        (await page.Locator("figcaption").AllInnerTextsAsync()).Should().Equal("A batch of four", "A grid", "Grey");
        (await page.Locator("td.num").InnerTextAsync()).Should().Be("0.5");
        failed.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task A_transparent_png_shows_the_checkerboard_through_and_opaque_pixels_cover_it()
    {
        Skip.If(fixture.Chromium is null, HeadlessChromium.MissingReason);
        using var folder = new TempFolder();

        // 32x32 RGBA: transparent everywhere except an opaque red block in rows 24..31, columns 24..31.
        var pixels = new float[32 * 32 * 4];
        for (int y = 24; y < 32; y++)
        {
            for (int x = 24; x < 32; x++)
            {
                pixels[((y * 32) + x) * 4] = 1f;
                pixels[(((y * 32) + x) * 4) + 3] = 1f;
            }
        }

        new ImageBatch(pixels, 1, 32, 32, 4).SavePng(Path.Combine(folder.Path, "rgba.png"));
        var report = new HtmlReport("Transparency");
        report.AddSection("RGBA").AddFigure("rgba.png", "Transparent");
        string html = Path.Combine(folder.Path, "report.html");
        report.Save(html);

        await using IBrowserContext context = await fixture.Chromium!.Browser.NewContextAsync(new BrowserNewContextOptions { DeviceScaleFactor = 1 });
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(HeadlessChromium.FileUrl(html), new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        ImageBatch shot = SafePngLoader.Decode(await page.Locator("figure img").ScreenshotAsync());

        shot.Width.Should().Be(32);
        byte Level(int x, int y, int c) => PixelQuantization.ToByte(shot[0, y, x, c]);
        foreach (var (x, y, expected) in new[] { (2, 2, 242), (10, 2, 153), (2, 10, 153), (10, 10, 242), (20, 4, 242) })
        {
            for (int c = 0; c < 3; c++)
            {
                ((int)Level(x, y, c)).Should().BeCloseTo(expected, 2, $"pixel ({x}, {y}) shows the checkerboard");
            }
        }

        ((int)Level(28, 28, 0)).Should().BeGreaterThan(250, "opaque red covers the checkerboard");
        ((int)Level(28, 28, 1)).Should().BeLessThan(5);
    }

    [SkippableFact]
    public async Task A_figure_whose_file_is_missing_is_detected_as_not_loaded()
    {
        Skip.If(fixture.Chromium is null, HeadlessChromium.MissingReason);
        using var folder = new TempFolder();
        TestImages.Constant(4, 4, 3, 1f).SavePng(Path.Combine(folder.Path, "present.png"));
        var report = new HtmlReport("Missing figure");
        report.AddSection("Figures").AddFigure("present.png", "Present").AddFigure("absent.png", "Absent");
        string html = Path.Combine(folder.Path, "report.html");
        report.Save(html);

        await using IBrowserContext context = await fixture.Chromium!.Browser.NewContextAsync();
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(HeadlessChromium.FileUrl(html));

        int[] widths = await page.EvaluateAsync<int[]>("() => Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0)");
        widths.Should().Equal(4, 0);
    }
}
