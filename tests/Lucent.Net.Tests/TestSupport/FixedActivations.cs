using Lucent.Net.Activations;
using Lucent.Net.Objectives;
using Lucent.Net.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.TestSupport;

/// <summary>An activation lookup over fixed tensors, for computing objectives directly.</summary>
public sealed class FixedActivations : IActivationLookup, IDisposable
{
    private readonly Dictionary<string, Tensor> tensors = new(StringComparer.Ordinal);

    public FixedActivations(long seed = 7)
    {
        LucentRuntime.EnsureInitialized();
        using var generator = new Generator((ulong)seed, torch.CPU);
        tensors["conv1"] = torch.randn([2, 8, 6, 6], generator: generator);
        tensors["conv2"] = torch.randn([2, 16, 4, 4], generator: generator);
        tensors[IActivationLookup.Input] = torch.rand([2, 3, 8, 8], generator: generator);
        tensors[IActivationLookup.Labels] = torch.randn([2, 10], generator: generator);
    }

    public Tensor this[string layer] => tensors.TryGetValue(layer, out var t) ? t : throw new UnknownLayerException(layer, tensors.Keys);

    public double Loss(IObjective objective)
    {
        using var loss = objective.Compute(this);
        return loss.ToDouble();
    }

    public void Dispose()
    {
        foreach (var t in tensors.Values)
        {
            t.Dispose();
        }
    }
}
