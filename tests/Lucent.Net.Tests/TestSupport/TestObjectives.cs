using Lucent.Net.Activations;
using Lucent.Net.Objectives;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.TestSupport;

/// <summary>A user-written objective (the plugin interface): minus the mean of one channel.</summary>
public sealed class ChannelMeanObjective(string layer, int channel) : IObjective
{
    public string Name => $"test_channel({layer}, {channel})";

    public string Description => "Minus the mean of one channel.";

    public IReadOnlyCollection<string> Layers => [layer];

    public Tensor Compute(IActivationLookup activations)
    {
        var a = activations[layer];
        return a.dim() == 4 ? -a[.., channel].mean() : -a[.., channel].mean();
    }
}

/// <summary>An objective from a lambda.</summary>
public sealed class LambdaObjective(string name, IReadOnlyCollection<string> layers, Func<IActivationLookup, Tensor> compute) : IObjective
{
    public string Name => name;

    public string Description => name;

    public IReadOnlyCollection<string> Layers => layers;

    public Tensor Compute(IActivationLookup activations) => compute(activations);
}
