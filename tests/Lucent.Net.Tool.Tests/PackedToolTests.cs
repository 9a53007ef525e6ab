using System.Diagnostics;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using Lucent.Net.Imaging;
using Xunit.Abstractions;

namespace Lucent.Net.Tool.Tests;

/// <summary>
/// The tool as users get it: packed (the small Lucent.Net.Tool package plus this platform's package), installed with
/// <c>dotnet tool install --tool-path</c> from a local folder, and run through its own <c>lucent</c> command. Slow
/// (a build of the tool and its libraries, a 190 MB package, a 0.9 GB install) and large on disk, all in one temp
/// folder that is removed; CI runs it with the rest (trait <c>Category=Packaging</c> only names it).
/// </summary>
[Trait("Category", "Packaging")]
public sealed class PackedToolTests(ITestOutputHelper log) : IDisposable
{
    /// <summary>nuget.org rejects packages over 250 MB (its documented limit).</summary>
    private const long NuGetOrgPackageLimit = 250L * 1024 * 1024;

    private readonly string root = Path.Combine(Path.GetTempPath(), "lucent-packed-tool-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task The_packed_tool_installs_from_a_local_folder_and_lists_layers_and_renders()
    {
        // A version no earlier run used: nothing stale can come from a cache.
        string version = "0.1.0-packtest.t" + Guid.NewGuid().ToString("N")[..12];
        string rid = RuntimeInformation.RuntimeIdentifier;
        string feed = Path.Combine(root, "feed");
        string build = Path.Combine(root, "build");
        var clock = Stopwatch.StartNew();

        var pack = await RunAsync("dotnet", TimeSpan.FromMinutes(30),
            "pack", Path.Combine(ToolProcess.RepositoryRoot, "src", "Lucent.Net.Tool", "Lucent.Net.Tool.csproj"), "-c", "Release",
            "-p:LucentPackTool=true", $"-p:LucentToolRuntimeIdentifiers={rid}", $"-p:Version={version}",
            "--artifacts-path", build, "-o", feed, "--disable-build-servers", "-nologo");
        pack.ExitCode.Should().Be(0, pack.Output);
        log.WriteLine($"pack: {clock.Elapsed.TotalSeconds:F0} s, build folder {FolderBytes(build) / 1e6:F0} MB");

        string pointer = Path.Combine(feed, $"Lucent.Net.Tool.{version}.nupkg");
        string platform = Path.Combine(feed, $"Lucent.Net.Tool.{rid}.{version}.nupkg");
        Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName).Should().BeEquivalentTo(Path.GetFileName(pointer), Path.GetFileName(platform));
        long pointerBytes = new FileInfo(pointer).Length, platformBytes = new FileInfo(platform).Length;
        log.WriteLine($"packages: {Path.GetFileName(pointer)} {pointerBytes} bytes, {Path.GetFileName(platform)} {platformBytes / 1e6:F1} MB");
        pointerBytes.Should().BeLessThan(100_000, "the package users name holds only the pointers to the platform packages");
        platformBytes.Should().BeLessThan(NuGetOrgPackageLimit, "a platform package must fit nuget.org's package limit");
        ShouldHoldOnlyItsPlatform(pointer, platform, rid);
        Directory.Delete(build, recursive: true); // 2 GB of build output: gone before the install adds 0.9 GB

        // Only the folder: no other package source (the install needs nothing else).
        string config = Path.Combine(root, "nuget.config");
        File.WriteAllText(config, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <packageSources>\n    <clear />\n  </packageSources>\n</configuration>\n");
        string tools = Path.Combine(root, "tools");
        clock.Restart();
        var install = await RunAsync("dotnet", TimeSpan.FromMinutes(10),
            "tool", "install", "Lucent.Net.Tool", "--tool-path", tools, "--add-source", feed, "--configfile", config, "--version", version);
        install.ExitCode.Should().Be(0, install.Output);
        install.Output.Should().Contain($"(version '{version}') was successfully installed");
        log.WriteLine($"install: {clock.Elapsed.TotalSeconds:F0} s, {FolderBytes(tools) / 1e6:F0} MB");
        string lucent = Path.Combine(tools, OperatingSystem.IsWindows() ? "lucent.exe" : "lucent");

        var help = await RunAsync(lucent, TimeSpan.FromMinutes(5), "--help");
        help.ExitCode.Should().Be(0, help.Output);
        help.Output.Should().Contain("layers <model>").And.Contain("render <model> <objective>").And.Contain("gallery");

        var layers = await RunAsync(lucent, TimeSpan.FromMinutes(5), "layers", "resnet18");
        layers.ExitCode.Should().Be(0, layers.Output);
        layers.Output.Should().Contain("layer3").And.Contain("[1, 512, 7, 7]", "the pretrained ResNet-18 (its ONNX file travels in the package) loads");

        string png = Path.Combine(root, "work", "layer1_0.png");
        var render = await RunAsync(lucent, TimeSpan.FromMinutes(5),
            "render", "resnet18", "layer1:0", "--out", png, "--steps", "2", "--size", "32", "--input-size", "32", "--seed", "3");
        render.ExitCode.Should().Be(0, render.Output);
        render.Output.Should().Contain("channel(layer1, 0) from").And.Contain("in 2 steps");
        var image = SafePngLoader.Load(png);
        (image.Batch, image.Height, image.Width, image.Channels).Should().Be((1, 32, 32, 3));
        image.Pixels.Distinct().Count().Should().BeGreaterThan(10, "a rendered image (after 2 steps still close to its grey start), not a constant one");
    }

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The pointer names this platform's package; that package carries this platform's LibTorch and no other's.</summary>
    private static void ShouldHoldOnlyItsPlatform(string pointer, string platform, string rid)
    {
        using (var zip = ZipFile.OpenRead(pointer))
        {
            var settings = zip.Entries.Single(e => e.FullName.EndsWith("DotnetToolSettings.xml", StringComparison.Ordinal));
            using var reader = new StreamReader(settings.Open());
            reader.ReadToEnd().Should().Contain($"RuntimeIdentifier=\"{rid}\" Id=\"Lucent.Net.Tool.{rid}\"");
        }

        using var package = ZipFile.OpenRead(platform);
        string[] names = [.. package.Entries.Select(e => e.FullName)];
        string tool = $"tools/net10.0/{rid}/";
        names.Should().Contain(tool + "lucent.dll").And.Contain(tool + "DnnImageModels/ResNet18Onnx/ResNet18.onnx");
        names.Should().Contain([tool + "Lucent.Net.dll", tool + "Lucent.Net.Native.dll"], "the tool carries the core and the native runtime under it");
        string libTorch = OperatingSystem.IsWindows() ? "torch_cpu.dll" : OperatingSystem.IsMacOS() ? "libtorch_cpu.dylib" : "libtorch_cpu.so";
        names.Should().Contain(tool + libTorch);
        names.Should().NotContain(n => n.Contains("runtimes/", StringComparison.Ordinal), "a platform package holds no other platform's native files");
        string[] foreign = [.. new[] { "torch_cpu.dll", "libtorch_cpu.dylib", "libtorch_cpu.so" }.Where(n => n != libTorch)];
        names.Should().NotContain(n => foreign.Any(f => n.EndsWith("/" + f, StringComparison.Ordinal)));
    }

    private static long FolderBytes(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

    /// <summary>Runs a process to its end; standard output and error together.</summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, TimeSpan timeout, params string[] args)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The test host may run under MSBuild (dotnet test): the child build must not inherit its settings.
        foreach (string name in info.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not end within {timeout}:\n{Text(output)}");
        }

        process.WaitForExit(); // drains the output handlers
        return (process.ExitCode, Text(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
