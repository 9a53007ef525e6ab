using Microsoft.Playwright;

namespace Lucent.Net.Samples.Tests;

/// <summary>
/// Launches the system's Chromium (Debian's /usr/bin/chromium) through Playwright for .NET (the pattern of
/// tests/Lucent.Net.Imaging.Tests/HeadlessChromium.cs). Playwright's own browser download does not work offline.
/// Set LUCENT_CHROMIUM to use another executable.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    public const string ExecutableVariable = "LUCENT_CHROMIUM";

    public const string MissingReason =
        "Chromium is not installed (looked for $LUCENT_CHROMIUM, /usr/bin/chromium, /usr/bin/chromium-browser). " +
        "Install it with 'apt-get install chromium' to run the browser tests.";

    private static readonly string[] DefaultLocations = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

    public static IReadOnlyList<string> Arguments { get; } =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private HeadlessChromium(IPlaywright playwright, IBrowser browser)
    {
        Playwright = playwright;
        Browser = browser;
    }

    public IPlaywright Playwright { get; }

    public IBrowser Browser { get; }

    public static string? FindExecutable()
    {
        string? configured = Environment.GetEnvironmentVariable(ExecutableVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(configured) ? configured : null;
        }

        return DefaultLocations.FirstOrDefault(File.Exists);
    }

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

    public static string FileUrl(string path) => new Uri(Path.GetFullPath(path)).AbsoluteUri;

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        await Browser.DisposeAsync();
        Playwright.Dispose();
    }
}
