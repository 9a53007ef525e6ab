using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Lucent.Net.Benchmarks;

/// <summary>
/// BenchmarkDotNet settings: in-process (no separate benchmark build, and TorchSharp's native
/// bootstrap has already run), a short run (3 warm-ups, 5 iterations), with allocations.
/// </summary>
internal static class BenchmarkConfig
{
    public static IConfig Create() => ManualConfig.Create(DefaultConfig.Instance)
        .AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(3)
            .WithIterationCount(5)
            .WithLaunchCount(1)
            .WithId("InProcessShort"))
        .AddDiagnoser(MemoryDiagnoser.Default)
        .AddColumn(StatisticColumn.Median)
        .WithOptions(ConfigOptions.DisableOptimizationsValidator);
}
