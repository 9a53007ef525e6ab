using System.Globalization;
using static TorchSharp.torch;

namespace Lucent.Net.Transforms;

/// <summary>
/// A model's input normalisation as one option: channel order (RGB or BGR), range (images in [0, 1] are multiplied by
/// <see cref="Scale"/>: 1 for a 0-1 model, 255 for a 0-255 one), then per channel <c>(x - mean) / std</c> (mean and std on
/// that range, in the model's channel order). It is a preprocessing transform: pass it as
/// <c>RenderOptions.Preprocessing</c> (it replaces the model's own <see cref="IPreprocessingProvider.Preprocessing"/>),
/// set <c>Lucent:InputNormalization</c> in configuration or <c>lucent render --normalize</c>.
/// Presets: <see cref="ImageNet"/>, <see cref="None"/>, <see cref="Range255"/>, <see cref="Caffe"/>, <see cref="Inception"/>;
/// <see cref="Parse"/> reads a preset name or a custom <c>mean=..;std=..;range=0-255;order=bgr</c>.
/// </summary>
public sealed class InputNormalization : IDeterministicTransform
{
    /// <summary>The syntax <see cref="Parse"/> reads, for messages and help.</summary>
    public const string Syntax = "imagenet, none, 0-255, caffe, inception, or mean=M,M,M;std=S,S,S;range=0-1|0-255;order=rgb|bgr";

    private const double MaxScale = 65535;

    private readonly float[] _mean;
    private readonly float[] _std;

    /// <summary>Creates a normalisation.</summary>
    /// <param name="preset">The name shown (a preset's name, or <c>custom</c>).</param>
    /// <param name="scale">What images in [0, 1] are multiplied by first: 1 (a 0-1 model) or 255 (a 0-255 model); in (0, 65535].</param>
    /// <param name="mean">Three channel means on the scaled range, in the model's channel order.</param>
    /// <param name="standardDeviation">Three positive channel standard deviations on the scaled range, in the model's channel order.</param>
    /// <param name="bgr">Whether the model takes its channels blue, green, red (images are RGB).</param>
    /// <exception cref="ArgumentException">A list is not 3 finite values, a deviation is not positive, or the scale is out of range.</exception>
    public InputNormalization(string preset, double scale, IReadOnlyList<double> mean, IReadOnlyList<double> standardDeviation, bool bgr)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(preset);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(standardDeviation);
        if (!double.IsFinite(scale) || scale <= 0 || scale > MaxScale)
        {
            throw new ArgumentException(Invariant($"The range scale must be in (0, {MaxScale}] (1 for a 0-1 model, 255 for a 0-255 one); got {scale}."), nameof(scale));
        }

        if (mean.Count != 3 || mean.Any(m => !double.IsFinite(m)))
        {
            throw new ArgumentException($"The mean needs 3 finite values (one per channel); got [{string.Join(", ", mean.Select(Format))}].", nameof(mean));
        }

        if (standardDeviation.Count != 3 || standardDeviation.Any(s => !double.IsFinite(s) || s <= 0))
        {
            throw new ArgumentException($"The standard deviation needs 3 positive finite values (one per channel); got [{string.Join(", ", standardDeviation.Select(Format))}].", nameof(standardDeviation));
        }

        Preset = preset;
        Scale = scale;
        Mean = [.. mean];
        StandardDeviation = [.. standardDeviation];
        Bgr = bgr;
        _mean = [.. mean.Select(m => (float)m)];
        _std = [.. standardDeviation.Select(s => (float)s)];
    }

    /// <summary>torchvision's and timm's ImageNet models: RGB, 0-1, mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225) (the renderer's default).</summary>
    public static InputNormalization ImageNet { get; } = new("imagenet", 1, ImageNetNormalizeTransform.Mean, ImageNetNormalizeTransform.StandardDeviation, bgr: false);

    /// <summary>Models that take the image as it is: RGB, 0-1.</summary>
    public static InputNormalization None { get; } = new("none", 1, [0, 0, 0], [1, 1, 1], bgr: false);

    /// <summary>Models that take RGB pixels 0-255, without a mean (many Keras and TensorFlow exports).</summary>
    public static InputNormalization Range255 { get; } = new("0-255", 255, [0, 0, 0], [1, 1, 1], bgr: false);

    /// <summary>Caffe-style models (Keras <c>preprocess_input</c> "caffe", VGG, the original ResNets): BGR, 0-255, minus the ImageNet mean (103.939, 116.779, 123.68).</summary>
    public static InputNormalization Caffe { get; } = new("caffe", 255, [103.939, 116.779, 123.68], [1, 1, 1], bgr: true);

    /// <summary>Inception-style models (Keras/TensorFlow "tf" mode): RGB, 0-1 mapped to [-1, 1] (mean 0.5, std 0.5).</summary>
    public static InputNormalization Inception { get; } = new("inception", 1, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], bgr: false);

    /// <summary>The presets by name (case-insensitive): imagenet, none, 0-255, caffe, inception.</summary>
    public static IReadOnlyDictionary<string, InputNormalization> Presets { get; } =
        new Dictionary<string, InputNormalization>(StringComparer.OrdinalIgnoreCase)
        {
            [ImageNet.Preset] = ImageNet,
            [None.Preset] = None,
            [Range255.Preset] = Range255,
            [Caffe.Preset] = Caffe,
            [Inception.Preset] = Inception,
        };

    /// <summary>The preset's name, or <c>custom</c>.</summary>
    public string Preset { get; }

    /// <summary>What images in [0, 1] are multiplied by before the mean is subtracted (1: a 0-1 model; 255: a 0-255 model).</summary>
    public double Scale { get; }

    /// <summary>The channel means on the scaled range, in the model's channel order.</summary>
    public IReadOnlyList<double> Mean { get; }

    /// <summary>The channel standard deviations on the scaled range, in the model's channel order.</summary>
    public IReadOnlyList<double> StandardDeviation { get; }

    /// <summary>Whether the model takes blue, green, red (images are reordered from RGB first).</summary>
    public bool Bgr { get; }

    /// <summary>One line for logs and the CLI, e.g. <c>imagenet (RGB, 0-1, mean 0.485,0.456,0.406, std 0.229,0.224,0.225)</c>.</summary>
    public string Description =>
        $"{Preset} ({(Bgr ? "BGR" : "RGB")}, 0-{Format(Scale)}, mean {string.Join(",", Mean.Select(Format))}, std {string.Join(",", StandardDeviation.Select(Format))})";

    /// <inheritdoc />
    public string Name => $"normalize_input({Description})";

    /// <summary>
    /// Reads a preset name (<c>imagenet</c>, <c>none</c>, <c>0-255</c>, <c>caffe</c>, <c>inception</c>; case-insensitive) or a
    /// custom normalisation <c>mean=M,M,M;std=S,S,S;range=0-1|0-255;order=rgb|bgr</c> (every part optional: mean 0, std 1,
    /// range 0-1, order rgb; mean and std on the chosen range, in the model's channel order).
    /// </summary>
    /// <param name="text">The text.</param>
    /// <returns>The normalisation.</returns>
    /// <exception cref="FormatException">The text is neither a preset nor a valid custom normalisation; the message says what is accepted.</exception>
    public static InputNormalization Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.Length > 512)
        {
            throw new FormatException($"An input normalisation is at most 512 characters; got {trimmed.Length}. Use {Syntax}.");
        }

        if (Presets.TryGetValue(trimmed, out var preset))
        {
            return preset;
        }

        if (!trimmed.Contains('=', StringComparison.Ordinal))
        {
            throw new FormatException($"Unknown input normalisation '{trimmed}'. Use {Syntax}.");
        }

        double[] mean = [0, 0, 0];
        double[] std = [1, 1, 1];
        double scale = 1;
        bool bgr = false;
        foreach (var part in trimmed.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            var key = pair[0].ToLowerInvariant();
            var value = pair.Length == 2 ? pair[1] : string.Empty;
            switch (key)
            {
                case "mean":
                    mean = ParseTriple(value, "mean");
                    break;
                case "std":
                    std = ParseTriple(value, "std");
                    break;
                case "range":
                    scale = value switch
                    {
                        "0-1" => 1,
                        "0-255" => 255,
                        _ => throw new FormatException($"Input normalisation range must be 0-1 or 0-255; got '{value}'."),
                    };
                    break;
                case "order":
                    bgr = value.ToLowerInvariant() switch
                    {
                        "rgb" => false,
                        "bgr" => true,
                        _ => throw new FormatException($"Input normalisation order must be rgb or bgr; got '{value}'."),
                    };
                    break;
                default:
                    throw new FormatException($"Unknown input normalisation part '{pair[0]}'. Use {Syntax}.");
            }
        }

        try
        {
            return new InputNormalization("custom", scale, mean, std, bgr);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"Invalid input normalisation '{trimmed}': {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public Tensor Apply(Tensor image, TransformContext context) => Apply(image);

    /// <inheritdoc />
    public Tensor Apply(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.dim() != 4 || image.shape[1] != 3)
        {
            throw new ArgumentException($"Input normalisation needs RGB images laid out (batch, 3, height, width); got shape [{string.Join(", ", image.shape)}].", nameof(image));
        }

        using var scope = NewDisposeScope();
        var ordered = Bgr ? image.flip(1) : image;
        var mean = tensor(_mean, [1, 3, 1, 1], dtype: image.dtype, device: image.device);
        var std = tensor(_std, [1, 3, 1, 1], dtype: image.dtype, device: image.device);
        var scaled = Scale == 1 ? ordered : ordered * Scale;
        return ((scaled - mean) / std).MoveToOuterDisposeScope();
    }

    private static double[] ParseTriple(string value, string what)
    {
        var items = value.Split(',', StringSplitOptions.TrimEntries);
        if (items.Length != 3)
        {
            throw new FormatException($"Input normalisation {what} needs 3 comma-separated numbers (one per channel); got '{value}'.");
        }

        var result = new double[3];
        for (int i = 0; i < 3; i++)
        {
            if (!double.TryParse(items[i], NumberStyles.Float, CultureInfo.InvariantCulture, out result[i]))
            {
                throw new FormatException($"Input normalisation {what} value '{items[i]}' is not a number.");
            }
        }

        return result;
    }

    private static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
