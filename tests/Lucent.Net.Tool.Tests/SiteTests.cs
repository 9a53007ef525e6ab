using Microsoft.Playwright;

namespace Lucent.Net.Tool.Tests;

[Collection(GalleryCollection.Name)]
public sealed class SiteTests(GalleryFixture gallery)
{
    [SkippableFact]
    public async Task The_site_decodes_every_image_resolves_every_link_and_navigates_with_arrow_keys()
    {
        Skip.If(Lucent.Net.Imaging.Tests.HeadlessChromium.FindExecutable() is null, Lucent.Net.Imaging.Tests.HeadlessChromium.MissingReason);
        var (code, output) = await ToolProcess.RunAsync("gallery", "site", gallery.Reference);
        code.Should().Be(0, output);
        output.Should().Contain("15 pages (12 channels rendered of 12 planned)");

        await using var chromium = await Lucent.Net.Imaging.Tests.HeadlessChromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync();
        var pages = Directory.EnumerateFiles(gallery.Reference, "*.html", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        pages.Should().HaveCount(15);
        foreach (string html in pages)
        {
            await page.GotoAsync(Lucent.Net.Imaging.Tests.HeadlessChromium.FileUrl(html));
            // Lazy thumbnails: scroll everything into view, then wait for every image to finish.
            await page.EvaluateAsync("() => Promise.all([...document.images].map(i => { i.loading = 'eager'; return i.decode().catch(() => {}); }))");
            var broken = await page.EvaluateAsync<string[]>("() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)");
            broken.Should().BeEmpty($"every image of {html} decodes");
            var links = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('a[href]')].map(a => a.href)");
            foreach (string link in links)
            {
                File.Exists(new Uri(link).LocalPath).Should().BeTrue($"{html} links to {link}");
            }
        }

        string first = Path.Combine(gallery.Reference, "site", "layer1", "c0000.html");
        await page.GotoAsync(Lucent.Net.Imaging.Tests.HeadlessChromium.FileUrl(first));
        (await page.Locator("svg#loss polyline").CountAsync()).Should().Be(1);
        (await page.Locator("#reproduce").InnerTextAsync()).Should().Contain("lucent gallery plan resnet18").And.Contain("--unit layer1-0000-0001");
        await page.Keyboard.PressAsync("ArrowRight");
        await page.WaitForURLAsync("**/c0001.html");
        await page.Keyboard.PressAsync("ArrowRight");
        await page.WaitForURLAsync("**/c0002.html");
        await page.Keyboard.PressAsync("ArrowLeft");
        await page.WaitForURLAsync("**/c0001.html");
        await page.Keyboard.PressAsync("ArrowUp");
        await page.WaitForURLAsync("**/site/layer1.html");
        (await page.Locator(".grid img[loading=lazy]").CountAsync()).Should().Be(6);
    }
}
