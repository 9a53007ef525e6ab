using static TorchSharp.torch;
using Lucent.Net.Declarations;

namespace Lucent.Net.Transforms;

/// <summary>
/// Shifts the images by a random whole number of pixels (Lucent's <c>jitter(d)</c>): dx and dy are each
/// drawn from 0..d-1, the content moves right by dx and down by dy, the vacated pixels are 0 and the
/// output has the input's size. The whole batch moves together.
/// </summary>
/// <remarks>
/// Lucent shifts with kornia's <c>translate</c> (bilinear warp, zero fill, same size), which is an exact
/// shift for whole-pixel offsets; Lucid (TensorFlow) instead cropped to <c>size - d</c>. We follow Lucent.
/// </remarks>
public sealed class JitterTransform : IImageTransform
{
    /// <summary>The largest distance d accepted, in pixels (Lucent's standard transforms use 8 and 4).</summary>
    public const int MaxDistance = 4096;

    /// <summary>Creates a jitter transform.</summary>
    /// <param name="distance">d: shifts are drawn from 0..d-1; from 2 to <see cref="MaxDistance"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="distance"/> is 1 or less, or over <see cref="MaxDistance"/>.</exception>
    [TextFunction("jitter", "Shift by a random 0..d-1 pixels down and right, 2 <= d <= {MaxDistance} (`JitterTransform`, Lucent's `jitter`).")]
    public JitterTransform([TextName("d", "distance")] int distance)
    {
        if (distance <= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(distance), distance, $"Jitter distance d must be > 1 (shifts are drawn from 0..d-1), got {distance}. Use d = 2 or more, or leave jitter out.");
        }

        if (distance > MaxDistance)
        {
            throw new ArgumentOutOfRangeException(nameof(distance), distance, TransformHelpers.Invariant($"Jitter distance d must be at most {MaxDistance} pixels, got {distance}."));
        }

        Distance = distance;
    }

    /// <summary>d: the exclusive upper bound of each shift.</summary>
    public int Distance { get; }

    /// <inheritdoc />
    public string Name => $"jitter({Distance})";

    /// <inheritdoc />
    public Tensor Apply(Tensor image, TransformContext context)
    {
        TransformHelpers.RequireImageBatch(image, Name);
        ArgumentNullException.ThrowIfNull(context);
        int dx = TransformHelpers.ChooseIndex(context, Distance);
        int dy = TransformHelpers.ChooseIndex(context, Distance);
        return TransformHelpers.Shift(image, dx, dy);
    }
}

public static partial class Transform
{
    /// <summary>Lucent's <c>jitter(d)</c>; see <see cref="JitterTransform"/>.</summary>
    /// <param name="distance">d &gt; 1.</param>
    /// <returns>The transform.</returns>
    public static JitterTransform Jitter(int distance) => new(distance);
}

public sealed partial class TransformPipelineBuilder
{
    /// <summary>Appends <see cref="JitterTransform"/>.</summary>
    /// <param name="distance">d &gt; 1: shifts are drawn from 0..d-1.</param>
    /// <returns>This builder.</returns>
    public TransformPipelineBuilder Jitter(int distance) => Add(Transform.Jitter(distance));
}
