using Microsoft.Playwright;

namespace Lucent.Net.Tool.Tests;

/// <summary>
/// Waits on a Chromium page by asking the page itself. Playwright's own waiters (<c>WaitForURLAsync</c>,
/// <c>WaitForLoadStateAsync</c>) twice waited their whole timeout for a navigation they had already seen commit on a
/// loaded CI machine; polling <see cref="IPage.Url"/> and <c>document.readyState</c> cannot miss an event.
/// </summary>
internal static class PageWaits
{
    /// <summary>Waits until the page's URL path ends with <paramref name="expectedPath"/> and its document has loaded.</summary>
    public static async Task UntilLoadedAtAsync(IPage page, string expectedPath, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (new Uri(page.Url).AbsolutePath.EndsWith(expectedPath, StringComparison.Ordinal))
            {
                try
                {
                    if (await page.EvaluateAsync<bool>("() => document.readyState === 'complete'"))
                    {
                        return;
                    }
                }
                catch (PlaywrightException)
                {
                    // the execution context is being replaced by the navigation: ask again
                }
            }

            clock.Elapsed.Should().BeLessThan(timeout, $"the page reaches {expectedPath} and loads (it is at {page.Url})");
            await Task.Delay(50);
        }
    }
}
