using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Lucent.Net.Imaging;
using Lucent.Net.Imaging.Tests;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Lucent.Net.Interactive.Tests;

/// <summary>
/// Executes notebooks/activation-maximization.ipynb end to end through the real .NET kernel, as a user's Jupyter does:
/// packs the libraries from this build into a temporary folder feed with a unique version, runs
/// <c>jupyter nbconvert --execute</c> with the notebook in quick mode (the dotnet-interactive tool's C# kernel, which
/// .ci/run installs), checks every cell ran without an error and the image cells show inline PNGs, then exports the
/// executed notebook to HTML and checks in Chromium that every image loaded.
/// </summary>
/// <remarks>
/// <c>LUCENT_NOTEBOOK_SCREENSHOT=docs/images/notebook-part1.png</c> also saves part 1 of the page as a PNG;
/// <c>LUCENT_NOTEBOOK_FULL=1</c> runs the notebook with the tutorial's settings instead of quick mode (minutes).
/// </remarks>
public class NotebookExecutionTests(ITestOutputHelper output)
{
    private const string NotebookPath = "notebooks/activation-maximization.ipynb";
    private const string FeedSolution = "notebooks/notebook-feed.slnf";

    [SkippableFact]
    [Trait("Category", "Notebook")]
    public async Task The_tutorial_notebook_runs_every_cell_through_the_kernel_and_its_images_load_in_a_browser()
    {
        string? missing = MissingTools() ?? (HeadlessChromium.FindExecutable() is null ? HeadlessChromium.MissingReason : null);
        if (missing is not null && string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{missing} .ci/run installs jupyter-nbconvert, jupyter-client, the Microsoft.dotnet-interactive tool and its Jupyter kernel; see its output.");
        }

        Skip.If(missing is not null, missing);
        bool full = Environment.GetEnvironmentVariable("LUCENT_NOTEBOOK_FULL") == "1";
        var (repo, configuration) = RepositoryAndConfiguration();
        var work = Directory.CreateTempSubdirectory("lucent-notebook-test-");
        try
        {
            var clock = Stopwatch.StartNew();
            string feed = Path.Combine(work.FullName, "feed");
            string version = $"0.1.0-nbtest.{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}";
            await RunAsync("dotnet", ["pack", FeedSolution, "-c", configuration, "--no-build", "-o", feed, $"-p:Version={version}"], repo, null, TimeSpan.FromMinutes(5));
            File.Exists(Path.Combine(feed, $"Lucent.Net.Interactive.{version}.nupkg")).Should().BeTrue("the pack put the notebook package in the feed");
            output.WriteLine($"packed {version} in {clock.Elapsed.TotalSeconds:0} s");

            var environment = new Dictionary<string, string>
            {
                ["LUCENT_NOTEBOOK_QUICK"] = full ? "0" : "1",
                ["LUCENT_NOTEBOOK_FEED"] = feed,
                ["PATH"] = ToolPath(),
            };
            int cellTimeout = full ? 3600 : 600;
            await RunAsync(
                "jupyter",
                ["nbconvert", "--to", "notebook", "--execute", "--allow-errors", NotebookPath, "--output-dir", work.FullName, "--output", "executed", $"--ExecutePreprocessor.timeout={cellTimeout}"],
                repo,
                environment,
                TimeSpan.FromSeconds(full ? 4 * 3600 : 900));
            output.WriteLine($"executed in {clock.Elapsed.TotalSeconds:0} s");
            string executed = Path.Combine(work.FullName, "executed.ipynb");
            CheckOutputs(executed, full);

            await RunAsync("jupyter", ["nbconvert", "--to", "html", executed, "--output-dir", work.FullName], repo, environment, TimeSpan.FromMinutes(2));
            await CheckInBrowserAsync(Path.Combine(work.FullName, "executed.html"), Environment.GetEnvironmentVariable("LUCENT_NOTEBOOK_SCREENSHOT"), repo);
            output.WriteLine($"done in {clock.Elapsed.TotalSeconds:0} s");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>Every code cell ran, none failed or wrote to stderr, and each image cell shows its images as inline PNGs.</summary>
    private void CheckOutputs(string executedPath, bool full)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(executedPath));
        var codeCells = document.RootElement.GetProperty("cells").EnumerateArray()
            .Where(c => c.GetProperty("cell_type").GetString() == "code")
            .Select(c => (Source: Joined(c.GetProperty("source")), Cell: c))
            .ToList();
        codeCells.Should().HaveCountGreaterThan(10);

        var problems = new List<string>();
        foreach (var (source, cell) in codeCells)
        {
            if (cell.GetProperty("execution_count").ValueKind != JsonValueKind.Number)
            {
                problems.Add($"not executed: {FirstLine(source)}");
            }

            foreach (var item in cell.GetProperty("outputs").EnumerateArray())
            {
                string kind = item.GetProperty("output_type").GetString()!;
                if (kind == "error")
                {
                    problems.Add($"error in '{FirstLine(source)}': {item.GetProperty("evalue").GetString()}");
                }
                else if (kind == "stream" && item.GetProperty("name").GetString() == "stderr")
                {
                    problems.Add($"stderr in '{FirstLine(source)}': {Joined(item.GetProperty("text"))}");
                }
            }
        }

        problems.Should().BeEmpty("every cell of the notebook runs cleanly");

        string Html(string marker) => string.Concat(codeCells.Single(c => c.Source.Contains(marker, StringComparison.Ordinal)).Cell
            .GetProperty("outputs").EnumerateArray()
            .Where(o => o.TryGetProperty("data", out var d) && d.TryGetProperty("text/html", out _))
            .Select(o => Joined(o.GetProperty("data").GetProperty("text/html"))));
        int Images(string html) => Regex.Matches(html, "<img src=\"data:image/png;base64,").Count;

        Html("// Display all 10 visualizations").Should().Contain("<svg", "part 1 shows the loss curve");
        Images(Html("// Display all 10 visualizations")).Should().Be(10, "part 1 shows ten channels");
        Images(Html("// Compare parameterizations")).Should().Be(4, "part 2 compares four parameterisations");
        Images(Html("// Compare transforms")).Should().Be(3, "part 3 compares three transform settings");
        Images(Html("// Compare across layers")).Should().Be(4, "part 4 compares four depths");
        Html("// device = cuda if available else cpu").Should().Contain("<table class=\"lucent-layers\"", "the layer listing shows as a table");
        Html("// Generate visualizations for channels 0-9").Should().Contain("<progress").And.Contain(full ? "step 256/256" : "step 16/16");

        string firstImage = Regex.Match(Html("// Display all 10 visualizations"), "data:image/png;base64,([^\"]+)\"").Groups[1].Value;
        var decoded = SafePngLoader.Decode(Convert.FromBase64String(firstImage));
        decoded.Width.Should().Be(full ? 128 : 64, "the image is the rendered size");
    }

    private async Task CheckInBrowserAsync(string htmlPath, string? screenshot, string repo)
    {
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });
        await page.GotoAsync(HeadlessChromium.FileUrl(htmlPath), new PageGotoOptions { WaitUntil = WaitUntilState.Load, Timeout = 60_000 });
        int total = await page.EvaluateAsync<int>("() => [...document.images].filter(i => i.src.startsWith('data:image/png')).length");
        total.Should().BeGreaterThanOrEqualTo(21, "parts 1-4 show 10 + 4 + 3 + 4 images");
        var broken = await page.EvaluateAsync<string[]>("() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.alt || i.src.slice(0, 40))");
        broken.Should().BeEmpty("every image of the executed notebook loads in the browser");
        (await page.EvaluateAsync<int>("() => document.querySelectorAll('svg.lucent-curve').length")).Should().BeGreaterThan(0);

        if (!string.IsNullOrWhiteSpace(screenshot))
        {
            // From the "Part 1" heading to the bottom of part 1's grid and loss curve.
            var box = await page.EvaluateAsync<double[]>(
                "() => { const h = [...document.querySelectorAll('h2')].find(e => e.textContent.includes('Part 1'));" +
                " const g = document.querySelector('.lucent-grid'); const top = h.getBoundingClientRect().top + window.scrollY;" +
                " const c = document.querySelector('svg.lucent-curve'); const bottom = Math.max(g.getBoundingClientRect().bottom, c ? c.getBoundingClientRect().bottom : 0) + window.scrollY;" +
                " return [top, bottom]; }");
            string path = Path.GetFullPath(Path.Combine(repo, screenshot));
            string temporary = path + ".tmp.png";
            await page.ScreenshotAsync(new PageScreenshotOptions
            {
                Path = temporary,
                FullPage = true,
                Clip = new Clip { X = 0, Y = (float)Math.Max(0, box[0] - 8), Width = 1100, Height = (float)(box[1] - box[0] + 24) },
            });
            File.Move(temporary, path, overwrite: true);
            output.WriteLine($"screenshot: {path}");
        }
    }

    /// <summary>What is missing to execute notebooks here, or null.</summary>
    private static string? MissingTools()
    {
        string path = ToolPath();
        bool OnPath(string name) => path.Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, name)));
        if (!OnPath("jupyter") || !OnPath("jupyter-nbconvert"))
        {
            return "jupyter nbconvert is not installed (apt-get install jupyter-nbconvert jupyter-client).";
        }

        if (!OnPath("dotnet-interactive"))
        {
            return "The .NET Interactive tool is not installed (dotnet tool install -g Microsoft.dotnet-interactive --version 1.0.712001).";
        }

        string[] kernelFolders =
        [
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "jupyter", "kernels", ".net-csharp"),
            "/usr/local/share/jupyter/kernels/.net-csharp",
            "/usr/share/jupyter/kernels/.net-csharp",
        ];
        return kernelFolders.Any(Directory.Exists) ? null : "The .NET C# Jupyter kernel is not installed (dotnet interactive jupyter install).";
    }

    /// <summary>PATH with the .NET global tools folder, where dotnet-interactive is installed.</summary>
    private static string ToolPath()
    {
        string tools = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools");
        string path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator).Contains(tools) ? path : path + Path.PathSeparator + tools;
    }

    private static (string Repository, string Configuration) RepositoryAndConfiguration()
    {
        // AppContext.BaseDirectory is <repo>/tests/Lucent.Net.Interactive.Tests/bin/<Configuration>/<tfm>/.
        var outputFolder = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var repo = outputFolder;
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "Lucent.Net.sln")))
        {
            repo = repo.Parent;
        }

        repo.Should().NotBeNull("the tests run from a build inside the repository");
        return (repo!.FullName, outputFolder.Parent!.Name);
    }

    private async Task RunAsync(string command, IReadOnlyList<string> arguments, string directory, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(command)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var log = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{command} {string.Join(' ', arguments)}' did not finish in {timeout}. Output:{Environment.NewLine}{Tail(log)}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{command} {string.Join(' ', arguments)}' exited with {process.ExitCode}. Output:{Environment.NewLine}{Tail(log)}");
        }
    }

    private static string Tail(StringBuilder log)
    {
        lock (log)
        {
            string text = log.ToString();
            return text.Length <= 8000 ? text : text[^8000..];
        }
    }

    private static string Joined(JsonElement text) =>
        text.ValueKind == JsonValueKind.Array ? string.Concat(text.EnumerateArray().Select(l => l.GetString())) : text.GetString() ?? string.Empty;

    private static string FirstLine(string source) => source.Split('\n')[0];
}
