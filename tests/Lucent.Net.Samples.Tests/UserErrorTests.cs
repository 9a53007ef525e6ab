using System.Diagnostics;
using ActivationMaximization;

namespace Lucent.Net.Samples.Tests;

/// <summary>User errors (a bad --out, a bad explicit --weights) end in one line and a non-zero exit code, before any rendering.</summary>
public class UserErrorTests
{
    private static void ShouldBeOneLineError(int code, string output, string expected)
    {
        code.Should().Be(App.ErrorExitCode, output);
        var errors = output.Split('\n').Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToArray();
        errors.Should().ContainSingle(output).Which.Should().Contain(expected);
        output.Should().NotContain("   at ", "no stack trace").And.NotContain("Exception:");
    }

    public static TheoryData<string> BadOutputFolders() => ["a file", "under a file", "empty", "blank", "nul character"];

    [Theory]
    [MemberData(nameof(BadOutputFolders))]
    public async Task An_out_that_cannot_be_a_folder_fails_in_one_line_before_the_model_is_loaded(string what)
    {
        string folder = TestSupport.NewTempFolder("am-out");
        try
        {
            string file = Path.Combine(folder, "taken.txt");
            await File.WriteAllTextAsync(file, "not a folder");
            var (path, expected) = what switch
            {
                "a file" => (file, "is a file, not a folder"),
                "under a file" => (Path.Combine(file, "sub", "dir"), "which is a file"),
                "empty" => (string.Empty, "--out is empty"),
                "blank" => ("   ", "--out is empty"),
                _ => ("bad\0name", "is not a valid path"),
            };

            var clock = Stopwatch.StartNew();
            var (code, output) = await TestSupport.RunAppAsync(TestSupport.OfflineEnvironment(folder), "part1", "--quick", "--no-progress", "--model", "resnet18", "--out", path);

            ShouldBeOneLineError(code, output, expected);
            output.Should().NotContain("Model:", "nothing was loaded or rendered");
            clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20));
            (await File.ReadAllTextAsync(file)).Should().Be("not a folder", "the file is left alone");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [SkippableFact]
    public async Task An_out_that_cannot_be_written_fails_in_one_line_before_the_render()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "uses /proc, where no one (not even root) can create a folder");
        string folder = TestSupport.NewTempFolder("am-out-ro");
        try
        {
            var (code, output) = await TestSupport.RunAppAsync(TestSupport.OfflineEnvironment(folder), "part1", "--quick", "--no-progress", "--model", "resnet18", "--out", "/proc/lucent-net-out");

            ShouldBeOneLineError(code, output, "Cannot write to the output folder '/proc/lucent-net-out'");
            output.Should().NotContain("Model:", "the render did not start");

            if (OperatingSystem.IsLinux() && !Environment.UserName.Equals("root", StringComparison.Ordinal))
            {
                string readOnly = Path.Combine(folder, "read-only");
                Directory.CreateDirectory(readOnly);
                File.SetUnixFileMode(readOnly, UnixFileMode.UserRead | UnixFileMode.UserExecute);
                try
                {
                    var (roCode, roOutput) = await TestSupport.RunAppAsync(TestSupport.OfflineEnvironment(folder), "part1", "--quick", "--no-progress", "--model", "resnet18", "--out", readOnly);
                    ShouldBeOneLineError(roCode, roOutput, "Cannot write to the output folder");
                }
                finally
                {
                    File.SetUnixFileMode(readOnly, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    public static TheoryData<string, string?> BadWeights() => new()
    {
        { "garbage", null },
        { "empty", null },
        { "png", null },
        { "zip", null },
        { "garbage", "resnet18" },
        { "empty", "resnet18" },
        { "unreadable", null },
    };

    [SkippableTheory]
    [MemberData(nameof(BadWeights))]
    public async Task An_explicit_weights_file_that_cannot_be_loaded_fails_loudly_and_never_falls_back(string kind, string? model)
    {
        string folder = TestSupport.NewTempFolder("am-weights");
        try
        {
            string weights = Path.Combine(folder, "weights.bin");
            var random = new Random(5);
            switch (kind)
            {
                case "garbage":
                    var bytes = new byte[4096];
                    random.NextBytes(bytes);
                    await File.WriteAllBytesAsync(weights, bytes);
                    break;
                case "empty":
                    await File.WriteAllBytesAsync(weights, []);
                    break;
                case "png":
                    await File.WriteAllBytesAsync(weights, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]);
                    break;
                case "zip":
                    using (var zip = System.IO.Compression.ZipFile.Open(weights, System.IO.Compression.ZipArchiveMode.Create))
                    {
                        using var entry = new StreamWriter(zip.CreateEntry("archive/data.pkl").Open());
                        await entry.WriteAsync("not a pickle");
                    }

                    break;
                default:
                    Skip.IfNot(OperatingSystem.IsLinux(), "uses /proc/self/mem, which exists but cannot be read from its start");
                    weights = "/proc/self/mem";
                    break;
            }

            string[] args = model is null
                ? ["part1", "--quick", "--no-progress", "--weights", weights, "--out", Path.Combine(folder, "out")]
                : ["part1", "--quick", "--no-progress", "--model", model, "--weights", weights, "--out", Path.Combine(folder, "out")];
            var (code, output) = await TestSupport.RunAppAsync(TestSupport.OfflineEnvironment(folder), args);

            ShouldBeOneLineError(code, output, $"The weights file '{weights}' given with --weights could not be loaded");
            output.Should().NotContain("Running on the pretrained ResNet-18", "an explicit file never falls back").And.NotContain("Model:");
            Directory.Exists(Path.Combine(folder, "out", "images")).Should().BeFalse("nothing is rendered");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
