using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

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

    [Fact]
    public async Task Forged_cache_files_are_discarded_and_replaced_not_trusted_or_loaded()
    {
        string cache = TestSupport.NewTempFolder("lucent-forged-cache");
        try
        {
            var (code, _, stderr) = await RunAppAsync(cache, "layers", "--model", "resnet18");
            code.Should().Be(0, stderr);
            string verdictFile = Directory.GetFiles(Path.Combine(cache, "lucent-net", "kernel-check"), "*.json").Single();
            string nativeFolder = Path.Combine(cache, "lucent-net", "native");
            string? library = Directory.Exists(nativeFolder) ? Directory.GetFiles(nativeFolder, "libLibTorchSharp.so", SearchOption.AllDirectories).Single() : null;
            byte[]? goodLibrary = library is null ? null : await File.ReadAllBytesAsync(library);

            // "Results": null used to fail every start; a library of the same length used to be loaded as it was.
            var forged = JsonNode.Parse(await File.ReadAllTextAsync(verdictFile))!.AsObject();
            forged["Results"] = null;
            await File.WriteAllTextAsync(verdictFile, forged.ToJsonString());
            if (library is not null)
            {
                await File.WriteAllBytesAsync(library, new Random(19).GetItems(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), goodLibrary!.Length));
            }

            (code, _, stderr) = await RunAppAsync(cache, "layers", "--model", "resnet18");
            code.Should().Be(0, $"a forged cache must not fail the start: {stderr}");
            JsonNode.Parse(await File.ReadAllTextAsync(verdictFile))!["Results"].Should().NotBeNull("the discarded verdict was replaced");
            if (library is not null)
            {
                (await File.ReadAllBytesAsync(library)).Should().Equal(goodLibrary, "the same-length library was replaced, not loaded");
            }

            // A well-formed verdict saying every configuration is wrong used to refuse every render without a probe.
            var allWrong = JsonNode.Parse(await File.ReadAllTextAsync(verdictFile))!.AsObject();
            var results = new JsonObject();
            foreach (string configuration in new[] { "AsShipped", "OneDnnAvx2", "NativeKernels" })
            {
                results[configuration] = JsonNode.Parse(
                    "{\"Float32Correct\":false,\"MaxFloat32Error\":1,\"Failures\":[{\"Case\":\"forged\",\"Layout\":\"channels-last\",\"Pass\":\"forward\",\"DataType\":\"float32\",\"RelativeError\":1,\"Tolerance\":0.0001}]}");
            }

            allWrong["Results"] = results;
            allWrong["Chosen"] = null;
            await File.WriteAllTextAsync(verdictFile, allWrong.ToJsonString());
            string stdout;
            (code, stdout, stderr) = await RunAppAsync(cache, "layers", "--model", "resnet18");
            code.Should().Be(0, stderr);
            KernelLine(stdout).Should().NotContain("refused").And.NotContain("cached", "the forged refusal was probed again, not trusted");
            JsonNode.Parse(await File.ReadAllTextAsync(verdictFile))!["Results"]!.AsObject()
                .Any(r => r.Value!["Float32Correct"]!.GetValue<bool>()).Should().BeTrue("the probe's own outcome replaced the forged one");
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
