using Microsoft.Playwright;

namespace Lucent.Net.Imaging.Tests;

/// <summary>
/// Launches the system's Chromium (Debian's /usr/bin/chromium) through Playwright for .NET, for tests that open
/// generated HTML in a real browser. Copy this class into another test project to reuse the pattern:
/// <code>
/// Skip.If(HeadlessChromium.FindExecutable() is null, HeadlessChromium.MissingReason);
/// await using var chromium = await HeadlessChromium.LaunchAsync(); // or share one via a class fixture
/// IPage page = await chromium.Browser.NewPageAsync();
/// </code>
/// </summary>
/// <remarks>
/// Playwright's own browser download does not work offline, so the browser is the one the OS package manager
/// installed (CI runs <c>apt-get install chromium</c>). Playwright's driver (Node.js) ships inside the
/// Microsoft.Playwright NuGet package and is copied to the test output's <c>.playwright</c> folder by its build
/// targets. Set LUCENT_CHROMIUM to use another executable.
/// </remarks>
public sealed class HeadlessChromium : IAsyncDisposable
{
    /// <summary>Environment variable naming a Chromium executable to use instead of the default locations.</summary>
    public const string ExecutableVariable = "LUCENT_CHROMIUM";

    /// <summary>Why browser tests are skipped where no Chromium is installed.</summary>
    public const string MissingReason =
        "Chromium is not installed (looked for $LUCENT_CHROMIUM, /usr/bin/chromium, /usr/bin/chromium-browser). " +
        "Install it with 'apt-get install chromium' to run the browser tests.";

    private static readonly string[] DefaultLocations = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

    /// <summary>Flags for a headless browser in containers and CI: no sandbox, no GPU, no network side traffic.</summary>
    public static IReadOnlyList<string> Arguments { get; } =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private HeadlessChromium(IPlaywright playwright, IBrowser browser)
    {
        Playwright = playwright;
        Browser = browser;
    }

    /// <summary>The Playwright instance (owns the driver process).</summary>
    public IPlaywright Playwright { get; }

    /// <summary>The launched browser.</summary>
    public IBrowser Browser { get; }

    /// <summary>The Chromium executable to use, or <see langword="null"/> where none is installed.</summary>
    public static string? FindExecutable()
    {
        string? configured = Environment.GetEnvironmentVariable(ExecutableVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(configured) ? configured : null;
        }

        return DefaultLocations.FirstOrDefault(File.Exists);
    }

    /// <summary>Starts Playwright's driver and launches Chromium headless. Throws if Chromium is missing or fails to start.</summary>
    public static async Task<HeadlessChromium> LaunchAsync()
    {
        string executable = FindExecutable() ?? throw new InvalidOperationException(MissingReason);
        IPlaywright playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        try
        {
            IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = executable,
                Headless = true,
                Args = Arguments,
                Timeout = 60_000,
            });
            return new HeadlessChromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>The file:// URL of a local file, for <c>page.GotoAsync</c>.</summary>
    public static string FileUrl(string path) => new Uri(Path.GetFullPath(path)).AbsoluteUri;

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        await Browser.DisposeAsync();
        Playwright.Dispose();
    }
}
