using Lucent.Net.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.ResNet;

/// <summary>The channel order a model expects its input in.</summary>
public enum ChannelOrder
{
    /// <summary>Red, green, blue (the order of images in Lucent.Net).</summary>
    Rgb,

    /// <summary>Blue, green, red (OpenCV/Caffe/CNTK convention).</summary>
    Bgr,
}

/// <summary>
/// Maps images in [0, 1] (batch, 3, height, width), RGB, to a Caffe/CNTK-style input: optionally
/// reorder to BGR, scale to 0..255 and subtract a per-channel mean.
/// </summary>
public sealed class ResNetPreprocessing : IImageTransform
{
    /// <summary>Creates the transform.</summary>
    /// <param name="order">The channel order of the model's input.</param>
    /// <param name="mean">The mean to subtract per channel, on the 0..255 scale, in the model's channel order.</param>
    public ResNetPreprocessing(ChannelOrder order, IReadOnlyList<double> mean)
    {
        ArgumentNullException.ThrowIfNull(mean);
        if (mean.Count != 3)
        {
            throw new ArgumentException($"The mean needs 3 values (one per channel); got {mean.Count}.", nameof(mean));
        }

        Order = order;
        Mean = mean.ToArray();
    }

    /// <summary>The channel order of the model's input.</summary>
    public ChannelOrder Order { get; }

    /// <summary>The subtracted mean (0..255 scale), in the model's channel order.</summary>
    public IReadOnlyList<double> Mean { get; }

    /// <inheritdoc />
    public string Name => FormattableString.Invariant(
        $"resnet_preprocess({Order.ToString().ToUpperInvariant()}, x*255 - [{Mean[0]:0.##}, {Mean[1]:0.##}, {Mean[2]:0.##}])");

    /// <inheritdoc />
    public Tensor Apply(Tensor image, TransformContext context)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.dim() != 4 || image.shape[1] != 3)
        {
            throw new ArgumentException(
                $"ResNet preprocessing expects images laid out (batch, 3, height, width); got [{string.Join(", ", image.shape)}].", nameof(image));
        }

        using var scope = NewDisposeScope();
        var ordered = Order == ChannelOrder.Bgr ? image.flip(1) : image;
        var mean = torch.tensor(Mean.Select(m => (float)m).ToArray(), [1, 3, 1, 1], dtype: image.dtype, device: image.device);
        return ((ordered * 255.0) - mean).MoveToOuterDisposeScope();
    }
}
