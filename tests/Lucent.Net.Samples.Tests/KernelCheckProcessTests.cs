using System.Diagnostics;
using System.Text.Json;

namespace Lucent.Net.Samples.Tests;

/// <summary>
/// The kernel self-check across real process starts of the tutorial app, with a private cache folder:
/// whatever this CPU's kernels do, the first start probes, a choice is made within three starts, and
/// later starts use the cached verdict. Every start's convolutions were verified against float64.
/// </summary>
public sealed class KernelCheckProcessTests
{
    [Fact]
    public async Task Three_starts_reach_a_cached_verified_choice()
    {
        string cache = TestSupport.NewTempFolder("lucent-kernel-process");
        try
        {
            var outputs = new List<(string Out, string Err)>();
            for (int start = 0; start < 3; start++)
            {
                var (code, stdout, stderr) = await RunAppAsync(cache, "layers", "--model", "resnet18");
                code.Should().Be(0, $"start {start + 1} failed: {stderr}");
                outputs.Add((stdout, stderr));
                stdout.Should().Contain("Kernels: ");
                stderr.Split('\n').Count(l => l.StartsWith("Lucent.Net: ", StringComparison.Ordinal)).Should().BeLessThanOrEqualTo(1, "the verdict is said in one line");
            }

            string[] entries = Directory.GetFiles(Path.Combine(cache, "lucent-net", "kernel-check"), "*.json");
            entries.Should().ContainSingle();
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(entries[0]));
            var root = json.RootElement;
            root.GetProperty("Chosen").ValueKind.Should().Be(JsonValueKind.String, "a configuration is chosen by the third start");
            string chosen = root.GetProperty("Chosen").GetString()!;
            root.GetProperty("Results").GetProperty(chosen).GetProperty("Float32Correct").GetBoolean().Should().BeTrue();
            root.GetProperty("Results").GetProperty("AsShipped").ValueKind.Should().Be(JsonValueKind.Object, "LibTorch as shipped is always probed first");
            KernelLine(outputs[2].Out).Should().Contain("cached", "the third start uses the verdict of the earlier ones");
            KernelLine(outputs[0].Out).Should().NotContain("cached", "the first start has nothing cached");
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    /// <summary>The verdict the app printed (the console wraps it; rejoined here), up to the end of its sentence about overrides.</summary>
    private static string KernelLine(string output)
    {
        string text = System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");
        int start = text.IndexOf("Kernels: ", StringComparison.Ordinal);
        int end = text.IndexOf("Layer", start, StringComparison.Ordinal);
        return text[start..(end > start ? end : text.Length)];
    }

    private static async Task<(int Code, string Out, string Err)> RunAppAsync(string cache, params string[] args)
    {
        string app = Path.Combine(AppContext.BaseDirectory, "ActivationMaximization.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(app);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["LUCENT_NET_CACHE"] = cache;
        info.Environment.Remove("LUCENT_NET_KERNELS");
        info.Environment.Remove("LUCENT_NET_KERNEL_CHECK");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
