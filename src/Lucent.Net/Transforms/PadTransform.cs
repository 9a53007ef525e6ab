using TorchSharp;
using static TorchSharp.torch;
using Lucent.Net.Declarations;

namespace Lucent.Net.Transforms;

/// <summary>How <see cref="PadTransform"/> fills the new border.</summary>
public enum PadMode
{
    /// <summary>Mirror the image at its edge, without repeating the edge pixel (Lucent's default, <c>"reflect"</c>).</summary>
    Reflect,

    /// <summary>Fill with a constant value (<c>"constant"</c>; 0.5 by default, a neutral grey).</summary>
    Constant,

    /// <summary>Repeat the edge pixel (<c>"replicate"</c>).</summary>
    Replicate,

    /// <summary>Wrap around to the opposite edge (<c>"circular"</c>).</summary>
    Circular,
}

/// <summary>
/// Pads every side of the images by the same number of pixels (Lucent's <c>pad(w, mode, constant_value)</c>).
/// The output is <c>2 * Width</c> larger in each spatial dimension.
/// </summary>
public sealed class PadTransform : IDeterministicTransform, IResizingTransform
{
    /// <summary>The fill value Lucent uses in constant mode when none is given.</summary>
    public const double DefaultConstantValue = 0.5;

    /// <summary>The largest width accepted, in pixels per side (Lucent's standard transforms pad by 12).</summary>
    public const int MaxWidth = 4096;

    /// <summary>Creates a pad transform.</summary>
    /// <param name="width">Pixels added on each side; 0 to <see cref="MaxWidth"/>.</param>
    /// <param name="mode">How to fill the border; Lucent's default is <see cref="PadMode.Reflect"/>.</param>
    /// <param name="constantValue">The fill value for <see cref="PadMode.Constant"/> (ignored otherwise, as in Lucent).</param>
    /// <exception cref="ArgumentOutOfRangeException">Width is negative or over <see cref="MaxWidth"/>, the mode is unknown, or the value is not finite.</exception>
    [TextFunction("pad", "Pad every side by width pixels (0 to {MaxWidth}); mode is `reflect` (default), `constant`, `replicate` or `circular`; value is the constant fill, default 0.5 (`PadTransform`, Lucent's `pad`).")]
    public PadTransform([TextName("width", "w")] int width, PadMode mode = PadMode.Reflect, [TextName("value", "constant_value")] double constantValue = DefaultConstantValue)
    {
        if (width is < 0 or > MaxWidth)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, TransformHelpers.Invariant($"The pad width must be between 0 and {MaxWidth} pixels per side; got {width}."));
        }
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown pad mode; use Reflect, Constant, Replicate or Circular.");
        }

        if (!double.IsFinite(constantValue))
        {
            throw new ArgumentOutOfRangeException(nameof(constantValue), constantValue, "The constant fill value must be a finite number.");
        }

        Width = width;
        Mode = mode;
        ConstantValue = mode == PadMode.Constant ? constantValue : 0.0;
    }

    /// <summary>Pixels added on each side.</summary>
    public int Width { get; }

    /// <summary>How the border is filled.</summary>
    public PadMode Mode { get; }

    /// <summary>The fill value (0 unless <see cref="Mode"/> is <see cref="PadMode.Constant"/>).</summary>
    public double ConstantValue { get; }

    /// <inheritdoc />
    public string Name => Mode == PadMode.Constant
        ? $"pad({Width}, constant, {TransformHelpers.Format(ConstantValue)})"
        : $"pad({Width}, {Mode.ToString().ToLowerInvariant()})";

    /// <inheritdoc />
    public Tensor Apply(Tensor image, TransformContext context) => Apply(image);

    /// <inheritdoc />
    public (long Height, long Width) MaxOutputSize(long height, long width) => (height + (2L * Width), width + (2L * Width));

    /// <inheritdoc />
    public Tensor Apply(Tensor image)
    {
        TransformHelpers.RequireImageBatch(image, Name);
        if (Width == 0)
        {
            return image.alias();
        }

        long height = image.shape[2];
        long width = image.shape[3];
        if (Mode == PadMode.Reflect && (Width >= height || Width >= width))
        {
            throw new ArgumentException(
                $"Reflect padding by {Width} needs images larger than {Width} pixels in each side; got {height}x{width}. Use a smaller pad or PadMode.Constant.",
                nameof(image));
        }

        if (Mode == PadMode.Circular && (Width > height || Width > width))
        {
            throw new ArgumentException(
                $"Circular padding by {Width} needs images at least {Width} pixels in each side; got {height}x{width}. Use a smaller pad or PadMode.Constant.",
                nameof(image));
        }

        var mode = Mode switch
        {
            PadMode.Reflect => PaddingModes.Reflect,
            PadMode.Replicate => PaddingModes.Replicate,
            PadMode.Circular => PaddingModes.Circular,
            _ => PaddingModes.Constant,
        };
        return torch.nn.functional.pad(image, [Width, Width, Width, Width], mode, ConstantValue);
    }
}

public static partial class Transform
{
    /// <summary>Lucent's <c>pad(w, mode, constant_value)</c>; see <see cref="PadTransform"/>.</summary>
    /// <param name="width">Pixels added on each side.</param>
    /// <param name="mode">Border fill (default reflect, as in Lucent).</param>
    /// <param name="constantValue">Fill value for constant mode (default 0.5).</param>
    /// <returns>The transform.</returns>
    public static PadTransform Pad(int width, PadMode mode = PadMode.Reflect, double constantValue = PadTransform.DefaultConstantValue) =>
        new(width, mode, constantValue);
}

public sealed partial class TransformPipelineBuilder
{
    /// <summary>Appends <see cref="PadTransform"/>.</summary>
    /// <param name="width">Pixels added on each side.</param>
    /// <param name="mode">How to fill the border (Lucent's default: reflect).</param>
    /// <param name="constantValue">Fill value for constant mode.</param>
    /// <returns>This builder.</returns>
    public TransformPipelineBuilder Pad(int width, PadMode mode = PadMode.Reflect, double constantValue = PadTransform.DefaultConstantValue) =>
        Add(Transform.Pad(width, mode, constantValue));
}
