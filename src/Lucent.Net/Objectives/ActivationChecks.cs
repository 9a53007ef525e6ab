using System.Globalization;
using static TorchSharp.torch;

namespace Lucent.Net.Objectives;

/// <summary>
/// Cheap shape checks run on every step before an objective indexes an activation. Each reads a
/// few sizes of the tensor and builds a message only when something is wrong.
/// </summary>
internal static class ActivationChecks
{
    /// <summary>Writes a shape as <c>[1, 508, 14, 14]</c>.</summary>
    public static string FormatShape(IReadOnlyList<long> shape) =>
        "[" + string.Join(", ", shape.Select(s => s.ToString(CultureInfo.InvariantCulture))) + "]";

    /// <summary>Fails unless <paramref name="activation"/> has at least <paramref name="minRank"/> dimensions.</summary>
    public static void RequireRank(Tensor activation, string layer, int minRank, string objective, string layout)
    {
        if (activation.dim() < minRank)
        {
            long[] shape = activation.shape;
            throw new ObjectiveArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{objective} needs activations laid out {layout}, but layer '{layer}' has shape {FormatShape(shape)}. Pick a layer with at least {minRank} dimensions (e.g. a convolution's output)."),
                "layer",
                layer,
                shape);
        }
    }

    /// <summary>
    /// Fails unless <paramref name="channel"/> indexes axis 1 of <paramref name="activation"/>; the message
    /// shows <paramref name="layerShape"/> when <paramref name="activation"/> is a view of the layer (a token
    /// layer's features moved to axis 1).
    /// </summary>
    public static void RequireChannel(Tensor activation, string layer, long channel, string what = "Channel", string plural = "channels", long[]? layerShape = null)
    {
        RequireRank(activation, layer, 2, what, "(batch, channels, ...)");
        long count = activation.size(1);
        if (channel >= count)
        {
            long[] shape = layerShape ?? activation.shape;
            throw new ObjectiveArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{what} {channel} is out of range for layer '{layer}' with shape {FormatShape(shape)}: valid {plural} are 0..{count - 1}."),
                "channel",
                layer,
                shape);
        }
    }

    /// <summary>Fails unless <paramref name="index"/> indexes axis <paramref name="axis"/>.</summary>
    public static void RequireIndex(Tensor activation, string layer, int axis, long index, string paramName, string meaning)
    {
        long count = activation.size(axis);
        if (index >= count)
        {
            long[] shape = activation.shape;
            throw new ObjectiveArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Position {paramName} {index} is out of range for layer '{layer}' with shape {FormatShape(shape)}: valid {paramName} positions are 0..{count - 1} ({paramName} indexes the {meaning})."),
                paramName,
                layer,
                shape);
        }
    }

    /// <summary>Fails unless <paramref name="length"/> equals the channel count of <paramref name="activation"/> (whose layer has <paramref name="layerShape"/> when given).</summary>
    public static void RequireChannelVector(Tensor activation, string layer, long length, string vectorName, string objective, long[]? layerShape = null)
    {
        RequireRank(activation, layer, 2, objective, "(batch, channels, ...)");
        long count = activation.size(1);
        if (length != count)
        {
            long[] shape = layerShape ?? activation.shape;
            throw new ObjectiveArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The {vectorName} vector has {length} elements but layer '{layer}' with shape {FormatShape(shape)} has {count} channels: pass one value per channel."),
                vectorName,
                layer,
                shape);
        }
    }

    /// <summary>Fails unless <paramref name="batch"/> indexes axis 0 of <paramref name="activation"/>.</summary>
    public static void RequireBatch(Tensor activation, string layer, long batch)
    {
        if (activation.dim() < 1)
        {
            throw new ObjectiveArgumentException(
                $"Layer '{layer}' is a scalar, so a batch element cannot be selected from it: leave batch unset.",
                "batch",
                layer,
                []);
        }

        long count = activation.size(0);
        if (batch >= count)
        {
            long[] shape = activation.shape;
            throw new ObjectiveArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Batch element {batch} is out of range for layer '{layer}' with shape {FormatShape(shape)}: valid batch indices are 0..{count - 1} (the batch size of the image parameterisation is {count})."),
                "batch",
                layer,
                shape);
        }
    }

    /// <summary>Formats a number for an objective's name: shortest round-trip form, invariant culture.</summary>
    public static string FormatNumber(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
