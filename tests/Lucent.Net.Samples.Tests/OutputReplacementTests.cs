using System.Text.Json;
using ActivationMaximization;

namespace Lucent.Net.Samples.Tests;

public class OutputReplacementTests
{
    [Fact]
    public async Task Rerun_replaces_outputs_cleanly_and_keeps_unrelated_files()
    {
        string folder = TestSupport.NewTempFolder("am-rerun");
        try
        {
            string output = Path.Combine(folder, "out");
            var environment = TestSupport.OfflineEnvironment(Path.Combine(folder, "cache"));
            string[] common = ["--model", "resnet18", "--quick", "--steps", "2", "--size", "32", "--no-progress", "--out", output];

            var (first, firstOutput) = await TestSupport.RunAppAsync(environment, ["part2", .. common]);
            first.Should().Be(0, firstOutput);
            File.Exists(Path.Combine(output, "part2.png")).Should().BeTrue();
            File.Exists(Path.Combine(output, "images", "part2_pixel_naive.png")).Should().BeTrue();

            // Things a rerun must handle: a leftover temporary file from a crashed run, and the user's own file.
            string leftover = Path.Combine(output, "images", ".part2_fft_only.png.0123.lucent-tmp");
            await File.WriteAllTextAsync(leftover, "partial");
            string notes = Path.Combine(output, "notes.txt");
            await File.WriteAllTextAsync(notes, "mine");

            var (second, secondOutput) = await TestSupport.RunAppAsync(environment, ["part3", .. common, "--seed", "5"]);
            second.Should().Be(0, secondOutput);

            var results = JsonSerializer.Deserialize<RunResults>(await File.ReadAllTextAsync(Path.Combine(output, "results.json")), ExperimentRunner.JsonOptions)!;
            results.Settings.Seed.Should().Be(5);
            results.Parts.Select(p => p.Number).Should().Equal(3);
            var expectedImages = results.Images.Select(i => Path.GetFileName(i.File)).ToArray();
            Directory.EnumerateFiles(Path.Combine(output, "images")).Select(Path.GetFileName).Should().BeEquivalentTo(expectedImages);
            File.Exists(Path.Combine(output, "part2.png")).Should().BeFalse("the report no longer shows part 2");
            File.Exists(Path.Combine(output, "part3.png")).Should().BeTrue();
            File.Exists(leftover).Should().BeFalse();
            File.Exists(notes).Should().BeTrue();
            (await File.ReadAllTextAsync(Path.Combine(output, "report.html"))).Should().Contain("Part 3").And.NotContain("part2.png");
            Directory.EnumerateFiles(output, "*.lucent-tmp", SearchOption.AllDirectories).Should().BeEmpty();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
