using Lucent.Net.Activations;
using System.Globalization;
using Lucent.Net.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace CustomObjectiveSample;

/// <summary>A plugin objective as a class: minus the mean of a channel over the central half of the image.</summary>
public sealed class CenterChannelObjective(string layer, int channel) : IObjective
{
    public string Name => string.Create(CultureInfo.InvariantCulture, $"center_channel_class({layer}, {channel})");

    public string Description => "Minus the mean of one channel over the central half of the image.";

    public IReadOnlyCollection<string> Layers => [layer];

    public Tensor Compute(IActivationLookup activations)
    {
        using var scope = torch.NewDisposeScope();
        Tensor a = activations[layer].select(1, channel);
        long h = a.shape[1], w = a.shape[2];
        Tensor centre = a.narrow(1, h / 4, Math.Max(1, h / 2)).narrow(2, w / 4, Math.Max(1, w / 2));
        return centre.mean().neg().MoveToOuterDisposeScope();
    }
}
