using TorchSharp;
using static TorchSharp.torch;
using Lucent.Net.Declarations;

namespace Lucent.Net.Transforms;

/// <summary>
/// Rescales the images by a factor picked at random from a list (Lucent's <c>random_scale(scales)</c>).
/// </summary>
/// <remarks>
/// <para>For input height h and width w, the picked scale s gives new sizes <c>ceil(s*h)</c> and
/// <c>ceil(s*w)</c>; the images are resized there with bilinear interpolation (corners aligned). A
/// smaller result is then zero-padded, a larger one is kept as it is (never cropped).</para>
/// <para>Padding matches Lucent exactly, including its ordering: with <c>pad_y = max(0, ceil((h - new_h) / 2))</c>
/// and <c>pad_x = max(0, ceil((w - new_w) / 2))</c>, the left and top borders get <c>pad_y</c>, the right and
/// bottom borders get <c>pad_x</c>. For square images (the usual case) every side gets the same padding;
/// the output can be one pixel larger than the input when the size difference is odd.</para>
/// </remarks>
public sealed class RandomScaleTransform : IImageTransform, IResizingTransform
{
    /// <summary>The largest scale factor accepted (Lucent's standard transforms scale by 0.9 to 1.1).</summary>
    public const double MaxScale = 10;

    private readonly double[] _scales;

    /// <summary>Creates a random-scale transform.</summary>
    /// <param name="scales">The factors to pick from (uniformly, repeats allowed); each in (0, <see cref="MaxScale"/>].</param>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A scale is not positive and finite, or over <see cref="MaxScale"/>.</exception>
    [TextFunction("random_scale", "Rescale by a factor picked from the list, each in (0, {MaxScale}] (`RandomScaleTransform`, Lucent's `random_scale`).")]
    public RandomScaleTransform(IEnumerable<double> scales)
    {
        _scales = TransformHelpers.CopyFinite(scales, nameof(scales), "scales");
        foreach (double scale in _scales)
        {
            if (scale is <= 0 or > MaxScale)
            {
                throw new ArgumentOutOfRangeException(nameof(scales), scale, TransformHelpers.Invariant($"Every scale must be greater than 0 and at most {MaxScale}; got {scale}."));
            }
        }
    }

    /// <summary>The factors picked from.</summary>
    public IReadOnlyList<double> Scales => _scales;

    /// <inheritdoc />
    public string Name => $"random_scale({TransformHelpers.FormatList(_scales)})";

    /// <inheritdoc />
    public Tensor Apply(Tensor image, TransformContext context)
    {
        TransformHelpers.RequireImageBatch(image, Name);
        ArgumentNullException.ThrowIfNull(context);
        double scale = _scales[TransformHelpers.ChooseIndex(context, _scales.Length)];
        return Rescale(image, scale);
    }

    /// <inheritdoc />
    public (long Height, long Width) MaxOutputSize(long height, long width)
    {
        long maxHeight = 0, maxWidth = 0;
        foreach (double scale in _scales)
        {
            var (outHeight, outWidth) = OutputSize(height, width, scale);
            maxHeight = Math.Max(maxHeight, outHeight);
            maxWidth = Math.Max(maxWidth, outWidth);
        }

        return (maxHeight, maxWidth);
    }

    /// <summary>Applies one given scale, exactly as the random transform does after its draw.</summary>
    /// <param name="image">Images laid out (batch, channels, height, width).</param>
    /// <param name="scale">The factor; positive and finite.</param>
    /// <returns>A new tensor; the caller owns it.</returns>
    public static Tensor Rescale(Tensor image, double scale)
    {
        TransformHelpers.RequireImageBatch(image, "random_scale");
        if (!double.IsFinite(scale) || scale <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be a positive finite number.");
        }

        var (newHeight, newWidth, padY, padX) = Plan(image.shape[2], image.shape[3], scale);

        using var scope = torch.NewDisposeScope();
        var resized = torch.nn.functional.interpolate(image, [newHeight, newWidth], mode: InterpolationMode.Bilinear, align_corners: true);
        if (padX == 0 && padY == 0)
        {
            return resized.MoveToOuterDisposeScope();
        }

        // Lucent passes [pad_y, pad_x] * 2 to torch's pad: (left, right, top, bottom) = (pad_y, pad_x, pad_y, pad_x).
        var padded = torch.nn.functional.pad(resized, [padY, padX, padY, padX], PaddingModes.Constant, 0.0);
        return padded.MoveToOuterDisposeScope();
    }

    /// <summary>The output size of <see cref="Rescale"/> for an input of <paramref name="height"/> x <paramref name="width"/>.</summary>
    private static (long Height, long Width) OutputSize(long height, long width, double scale)
    {
        var (newHeight, newWidth, padY, padX) = Plan(height, width, scale);

        // Rows get pad_y on top and pad_x below, columns pad_y left and pad_x right (Lucent's ordering, see Rescale).
        return (newHeight + padY + padX, newWidth + padY + padX);
    }

    /// <summary>The resized size and Lucent's paddings for one scale.</summary>
    private static (long NewHeight, long NewWidth, long PadY, long PadX) Plan(long height, long width, double scale)
    {
        long newHeight = (long)Math.Ceiling(scale * height);
        long newWidth = (long)Math.Ceiling(scale * width);
        long padX = Math.Max(0, (long)Math.Ceiling((width - newWidth) / 2.0));
        long padY = Math.Max(0, (long)Math.Ceiling((height - newHeight) / 2.0));
        return (newHeight, newWidth, padY, padX);
    }
}

public static partial class Transform
{
    /// <summary>Lucent's <c>random_scale(scales)</c>; see <see cref="RandomScaleTransform"/>.</summary>
    /// <param name="scales">Factors to pick from.</param>
    /// <returns>The transform.</returns>
    public static RandomScaleTransform RandomScale(params double[] scales) => new(scales);
}

public sealed partial class TransformPipelineBuilder
{
    /// <summary>Appends <see cref="RandomScaleTransform"/>.</summary>
    /// <param name="scales">Factors to pick from.</param>
    /// <returns>This builder.</returns>
    public TransformPipelineBuilder RandomScale(IEnumerable<double> scales) => Add(new RandomScaleTransform(scales));

    /// <summary>Appends <see cref="RandomScaleTransform"/>.</summary>
    /// <param name="scales">Factors to pick from.</param>
    /// <returns>This builder.</returns>
    public TransformPipelineBuilder RandomScale(params double[] scales) => Add(Transform.RandomScale(scales));
}
