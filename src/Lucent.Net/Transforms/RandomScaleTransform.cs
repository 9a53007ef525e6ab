using TorchSharp;
using static TorchSharp.torch;

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
public sealed class RandomScaleTransform : IImageTransform
{
    private readonly double[] _scales;

    /// <summary>Creates a random-scale transform.</summary>
    /// <param name="scales">The factors to pick from (uniformly, repeats allowed); each must be positive and finite.</param>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A scale is not positive and finite.</exception>
    public RandomScaleTransform(IEnumerable<double> scales)
    {
        _scales = TransformHelpers.CopyFinite(scales, nameof(scales), "scales");
        foreach (double scale in _scales)
        {
            if (scale <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(scales), scale, "Every scale must be greater than 0.");
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

        long height = image.shape[2];
        long width = image.shape[3];
        long newHeight = (long)Math.Ceiling(scale * height);
        long newWidth = (long)Math.Ceiling(scale * width);
        long padX = Math.Max(0, (long)Math.Ceiling((width - newWidth) / 2.0));
        long padY = Math.Max(0, (long)Math.Ceiling((height - newHeight) / 2.0));

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
}
