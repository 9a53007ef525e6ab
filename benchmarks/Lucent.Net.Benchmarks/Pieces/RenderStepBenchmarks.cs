using BenchmarkDotNet.Attributes;
using Lucent.Net.ModelZoo.InceptionV1;
using Lucent.Net.Rendering;

namespace Lucent.Net.Benchmarks.Pieces;

/// <summary>
/// A 4-step render of the Part 1 workload per model (setup and the final image included; divide by 4
/// for a rough per-step cost; the <c>compare</c> command measures steps precisely).
/// </summary>
public class RenderStepBenchmarks
{
    private const int Steps = 4;
    private InceptionV1Model inception = null!;

    [GlobalSetup]
    public void Setup() => inception = Part1Workload.CreateModel();

    [GlobalCleanup]
    public void Cleanup() => inception.Dispose();

    [Benchmark(Baseline = true)]
    public int InceptionV1_Ours_OneChannel() =>
        Renderer.Render(inception, "mixed4a:0", Part1Workload.OurOptions(Steps)).Losses.Count;

    [Benchmark]
    public int InceptionV1_Ours_TenChannelsBatched() =>
        CompareCommand.RunOurs(inception, Part1Workload.Channels, Steps).Losses.Count;

    [Benchmark]
    public int InceptionV1_LucentFaithful_OneChannel()
    {
        var (image, _) = LucentFaithfulLoop.Render(inception, Part1Workload.Layer, 0, Steps, seed: 0);
        image.Dispose();
        return Steps;
    }
}
