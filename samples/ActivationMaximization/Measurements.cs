using Lucent.Net.Activations;
using Lucent.Net.Images;
using Lucent.Net.Objectives;
using Lucent.Net.Rendering;
using Lucent.Net.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace ActivationMaximization;

/// <summary>
/// Reads the mean activation of one channel of one layer for images in [0, 1], through the same preprocessing and
/// resize as a render (so the value is the render's objective, negated: the activation being maximised).
/// </summary>
public sealed class ChannelProbe
{
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly Objective objective;
    private readonly int? inputSize;

    /// <summary>Creates a probe.</summary>
    /// <param name="model">The model.</param>
    /// <param name="layer">A hook name or alias (e.g. <c>mixed4a</c>, <c>layer3</c>).</param>
    /// <param name="channel">The channel.</param>
    /// <param name="inputSize">Size the model sees; null for Lucent's rule (upsample to 224 when smaller).</param>
    public ChannelProbe(nn.Module<Tensor, Tensor> model, string layer, int channel, int? inputSize = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(layer);
        if (!ModelLayers.Names(model).Contains(layer, StringComparer.Ordinal))
        {
            throw new ArgumentException($"The model has no layer '{layer}'. Run the 'layers' command to list them.", nameof(layer));
        }

        this.model = model;
        this.inputSize = inputSize;
        objective = Objective.Channel(layer, channel);
    }

    /// <summary>The channel's mean activation for each transformed copy of <paramref name="image"/>.</summary>
    /// <param name="image">One image (1, 3, H, W) in [0, 1]; not disposed.</param>
    /// <param name="transforms">Transforms applied before preprocessing (empty for the plain image).</param>
    /// <param name="samples">How many random draws.</param>
    /// <param name="seed">Seed of the draws.</param>
    /// <returns>One value per draw.</returns>
    public double[] Measure(Tensor image, IReadOnlyList<IImageTransform> transforms, int samples, long seed)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        var options = new RenderOptions { Transforms = transforms, FixedImageSize = inputSize is int n ? (n, n) : null, Seed = seed };

        // The channel objective is minus the mean activation.
        return ObjectiveEvaluator.Evaluate(model, objective, image, options, samples).Select(loss => -loss).ToArray();
    }
}

/// <summary>
/// Shifts images by a random whole number of pixels in both directions, up to <see cref="MaxShift"/>, filling the
/// uncovered border with grey 0.5 (as the standard transforms' padding does).
/// </summary>
/// <param name="maxShift">The largest shift in pixels, each way.</param>
public sealed class RandomShiftTransform(int maxShift) : IImageTransform
{
    /// <summary>The largest shift in pixels, each way.</summary>
    public int MaxShift { get; } = maxShift;

    /// <inheritdoc />
    public string Name => $"random_shift(+-{MaxShift}, fill 0.5)";

    /// <inheritdoc />
    public Tensor Apply(Tensor image, TransformContext context)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(context);
        using var scope = NewDisposeScope();
        using var draw = torch.randint(0, (2 * MaxShift) + 1, [2], generator: context.Generator);
        long dx = draw[0].ToInt64() - MaxShift, dy = draw[1].ToInt64() - MaxShift;
        long h = image.shape[2], w = image.shape[3];
        var padded = nn.functional.pad(image, [MaxShift, MaxShift, MaxShift, MaxShift], PaddingModes.Constant, 0.5);
        return padded.narrow(2, MaxShift - dy, h).narrow(3, MaxShift - dx, w).contiguous().MoveToOuterDisposeScope();
    }
}

/// <summary>The measurements that turn the tutorial's claims into numbers.</summary>
public static class ClaimMeasurements
{
    /// <summary>The frequency above which spectral energy counts as "high" (cycles per pixel).</summary>
    public const double HighFrequencyCutoff = 0.25;

    /// <summary>Random draws per robustness measurement.</summary>
    public const int RobustnessSamples = 16;

    /// <summary>The largest shift of the robustness test, in pixels each way.</summary>
    public const int RobustnessShift = 12;

    /// <summary>
    /// The random transforms of the robustness measurement: a shift of up to 12 pixels each way (grey fill), a scale
    /// from 0.9 to 1.1 and a rotation of up to 10 degrees either way.
    /// </summary>
    public static IReadOnlyList<IImageTransform> RobustnessTransforms { get; } =
    [
        new RandomShiftTransform(RobustnessShift),
        Transform.RandomScale(0.9, 0.95, 1.0, 1.05, 1.1),
        Transform.RandomRotate(Enumerable.Range(-10, 21).Select(a => (double)a)),
    ];

    /// <summary>A readable description of <see cref="RobustnessTransforms"/>.</summary>
    public static string RobustnessDescription =>
        $"mean over {RobustnessSamples} seeded draws of: " + string.Join(", ", RobustnessTransforms.Select(t => t.Name));

    /// <summary>The channel's activation on the plain image, and averaged over random transforms, and their ratio.</summary>
    /// <param name="model">The model.</param>
    /// <param name="layer">The layer.</param>
    /// <param name="channel">The channel.</param>
    /// <param name="images">The images.</param>
    /// <param name="index">Which image.</param>
    /// <param name="seed">Seed of the random transforms.</param>
    /// <param name="inputSize">Size the model sees; null for Lucent's rule.</param>
    /// <returns>(untransformed activation, mean transformed activation, ratio).</returns>
    public static (double Plain, double Transformed, double Ratio) Robustness(nn.Module<Tensor, Tensor> model, string layer, int channel, ImageBatch images, int index, long seed, int? inputSize = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        var probe = new ChannelProbe(model, layer, channel, inputSize);
        using var batch = TensorImages.ToTensor(images.Select(index));
        double plain = probe.Measure(batch, [], 1, seed)[0];
        double transformed = probe.Measure(batch, RobustnessTransforms, RobustnessSamples, seed).Average();
        return (plain, transformed, transformed / plain);
    }

    /// <summary>The channel's activation on the plain image.</summary>
    /// <param name="model">The model.</param>
    /// <param name="layer">The layer.</param>
    /// <param name="channel">The channel.</param>
    /// <param name="images">The images.</param>
    /// <param name="index">Which image.</param>
    /// <param name="inputSize">Size the model sees; null for Lucent's rule.</param>
    /// <returns>The mean activation.</returns>
    public static double PlainActivation(nn.Module<Tensor, Tensor> model, string layer, int channel, ImageBatch images, int index, int? inputSize = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var batch = TensorImages.ToTensor(images.Select(index));
        return new ChannelProbe(model, layer, channel, inputSize).Measure(batch, [], 1, 0)[0];
    }
}
