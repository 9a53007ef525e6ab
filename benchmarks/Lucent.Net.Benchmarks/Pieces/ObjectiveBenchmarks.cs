using Lucent.Net.Activations;
using BenchmarkDotNet.Attributes;
using Lucent.Net.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Benchmarks.Pieces;

/// <summary>Objectives on a mixed4a-shaped activation (batch, 508, 14, 14), forward and backward.</summary>
public class ObjectiveBenchmarks
{
    private Tensor activation = null!;
    private Lookup lookup = null!;
    private IObjective channel = null!;
    private IObjective batchedChannels = null!;
    private IObjective diversity = null!;

    /// <summary>Images per batch.</summary>
    [Params(10)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        using var generator = new Generator(5, torch.CPU);
        activation = torch.randn([Batch, 508, 14, 14], generator: generator).requires_grad_(true).DetachFromDisposeScope();
        lookup = new Lookup(activation);
        channel = Objective.Channel("mixed4a", 3);
        batchedChannels = Objective.Sum(Enumerable.Range(0, Batch).Select(i => Objective.Channel("mixed4a", i, batch: i)));
        diversity = Objective.Diversity("mixed4a");
    }

    [GlobalCleanup]
    public void Cleanup() => activation.Dispose();

    [Benchmark(Baseline = true)]
    public float Channel() => Run(channel);

    [Benchmark]
    public float SumOfBatchedChannels() => Run(batchedChannels);

    [Benchmark]
    public float Diversity() => Run(diversity);

    private float Run(IObjective objective)
    {
        using var scope = NewDisposeScope();
        var loss = objective.Compute(lookup);
        loss.backward();
        activation.grad?.zero_();
        return loss.ToSingle();
    }

    private sealed class Lookup(Tensor activation) : IActivationLookup
    {
        public Tensor this[string layer] => activation;
    }
}
