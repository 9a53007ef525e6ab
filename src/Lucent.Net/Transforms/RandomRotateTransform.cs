using TorchSharp;
using static TorchSharp.torch;
using Lucent.Net.Declarations;

namespace Lucent.Net.Transforms;

/// <summary>The unit of the angles given to <see cref="RandomRotateTransform"/>.</summary>
public enum AngleUnit
{
    /// <summary>Degrees (Lucent's default, <c>units="degrees"</c>).</summary>
    Degrees,

    /// <summary>Radians (Lucent's <c>units="radians"</c>, <c>"rads"</c> or <c>"rad"</c>).</summary>
    Radians,
}

/// <summary>
/// Rotates the images by an angle picked at random from a list (Lucent's <c>random_rotate(angles, units)</c>).
/// </summary>
/// <remarks>
/// The rotation is about the centre <c>((w - 1) / 2, (h - 1) / 2)</c> in pixel coordinates; positive angles
/// turn the content counter-clockwise as displayed (y pointing down), like kornia's
/// <c>get_rotation_matrix2d</c> and OpenCV. Each output pixel samples the input bilinearly at the
/// inversely rotated position, pixel centres aligned with the corners convention (kornia 0.5 and later,
/// <c>align_corners=True</c>); positions outside the input read 0. The output has the input's size and the
/// whole batch turns by the same angle.
/// </remarks>
public sealed class RandomRotateTransform : IImageTransform
{
    /// <summary>The largest angle accepted, in degrees either way (one full turn; 2π in radians).</summary>
    public const double MaxDegrees = 360;

    private readonly double[] _angles;

    /// <summary>Creates a random-rotate transform.</summary>
    /// <param name="angles">The angles to pick from (uniformly, repeats allowed, so repeating 0 makes "no rotation" likelier).</param>
    /// <param name="unit">The unit of <paramref name="angles"/>.</param>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An angle is not finite or turns more than <see cref="MaxDegrees"/> either way, or the unit is unknown.</exception>
    [TextFunction("random_rotate", "Rotate by an angle picked from the list, each at most {MaxDegrees} degrees (2π radians) either way; unit is `degrees` (default) or `radians` (`RandomRotateTransform`, Lucent's `random_rotate`).")]
    public RandomRotateTransform(IEnumerable<double> angles, [TextName("unit", "units")] AngleUnit unit = AngleUnit.Degrees)
    {
        if (!Enum.IsDefined(unit))
        {
            throw new ArgumentOutOfRangeException(nameof(unit), unit, "Unknown angle unit; use Degrees or Radians.");
        }

        _angles = TransformHelpers.CopyFinite(angles, nameof(angles), "angles");
        double max = unit == AngleUnit.Radians ? MaxDegrees / 180.0 * Math.PI : MaxDegrees;
        foreach (double angle in _angles)
        {
            if (Math.Abs(angle) > max)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(angles),
                    angle,
                    TransformHelpers.Invariant($"Every angle must be between -{max} and {max} {unit.ToString().ToLowerInvariant()} (one full turn); got {angle}."));
            }
        }

        Unit = unit;
    }

    /// <summary>The angles picked from, in <see cref="Unit"/>.</summary>
    public IReadOnlyList<double> Angles => _angles;

    /// <summary>The unit of <see cref="Angles"/>.</summary>
    public AngleUnit Unit { get; }

    /// <inheritdoc />
    public string Name => $"random_rotate({TransformHelpers.FormatList(_angles)}, {Unit.ToString().ToLowerInvariant()})";

    /// <inheritdoc />
    public Tensor Apply(Tensor image, TransformContext context)
    {
        TransformHelpers.RequireImageBatch(image, Name);
        ArgumentNullException.ThrowIfNull(context);
        double angle = _angles[TransformHelpers.ChooseIndex(context, _angles.Length)];
        double degrees = Unit == AngleUnit.Radians ? angle * 180.0 / Math.PI : angle;
        return Rotate(image, degrees);
    }

    /// <summary>Rotates by one given angle, exactly as the random transform does after its draw.</summary>
    /// <param name="image">Images laid out (batch, channels, height, width).</param>
    /// <param name="degrees">The angle in degrees, counter-clockwise as displayed; any finite angle (whole turns are removed first).</param>
    /// <returns>A new tensor; the caller owns it.</returns>
    public static Tensor Rotate(Tensor image, double degrees)
    {
        TransformHelpers.RequireImageBatch(image, "random_rotate");
        if (!double.IsFinite(degrees))
        {
            throw new ArgumentOutOfRangeException(nameof(degrees), degrees, "The angle must be a finite number.");
        }

        // The remainder is exact, and keeps the conversion to radians finite for any finite angle (1e308 degrees included).
        degrees %= 360.0;
        if (degrees == 0.0)
        {
            return image.alias();
        }

        long batch = image.shape[0];
        long height = image.shape[2];
        long width = image.shape[3];
        double radians = degrees * Math.PI / 180.0;
        double cos = Math.Cos(radians);
        double sin = Math.Sin(radians);
        double centreX = (width - 1) / 2.0;
        double centreY = (height - 1) / 2.0;

        using var scope = torch.NewDisposeScope();
        // Build the sampling grid in double precision: for output pixel (x, y), the source position is the
        // inverse rotation about the centre, then normalised to [-1, 1] with the corners-aligned convention.
        var offsetX = torch.arange(width, dtype: ScalarType.Float64).sub(centreX).view(1, width);
        var offsetY = torch.arange(height, dtype: ScalarType.Float64).sub(centreY).view(height, 1);
        var sourceX = offsetX.mul(cos).sub(offsetY.mul(sin)).add(centreX);
        var sourceY = offsetX.mul(sin).add(offsetY.mul(cos)).add(centreY);
        var gridX = sourceX.mul(2.0 / Math.Max(width - 1, 1)).sub(1.0);
        var gridY = sourceY.mul(2.0 / Math.Max(height - 1, 1)).sub(1.0);
        var grid = torch.stack([gridX, gridY], dim: -1)
            .to(image.dtype, image.device)
            .unsqueeze(0)
            .expand(batch, height, width, 2);
        var rotated = torch.nn.functional.grid_sample(
            image,
            grid,
            mode: GridSampleMode.Bilinear,
            padding_mode: GridSamplePaddingMode.Zeros,
            align_corners: true);
        return rotated.MoveToOuterDisposeScope();
    }
}

public static partial class Transform
{
    /// <summary>Lucent's <c>random_rotate(angles, units)</c>; see <see cref="RandomRotateTransform"/>.</summary>
    /// <param name="angles">Angles to pick from.</param>
    /// <param name="unit">Their unit (default degrees).</param>
    /// <returns>The transform.</returns>
    public static RandomRotateTransform RandomRotate(IEnumerable<double> angles, AngleUnit unit = AngleUnit.Degrees) => new(angles, unit);
}

public sealed partial class TransformPipelineBuilder
{
    /// <summary>Appends <see cref="RandomRotateTransform"/>.</summary>
    /// <param name="angles">Angles to pick from.</param>
    /// <param name="unit">Unit of the angles.</param>
    /// <returns>This builder.</returns>
    public TransformPipelineBuilder RandomRotate(IEnumerable<double> angles, AngleUnit unit = AngleUnit.Degrees) =>
        Add(Transform.RandomRotate(angles, unit));
}
