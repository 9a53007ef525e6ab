using TorchSharp;
using static TorchSharp.torch;
using Lucent.Net.Declarations;

namespace Lucent.Net.Transforms;

/// <summary>
/// Resizes the images to a fixed size with bilinear interpolation, corners aligned (Lucent's
/// <c>torch.nn.Upsample(size, mode="bilinear", align_corners=True)</c> step that <c>render_vis</c>
/// appends after preprocessing).
/// </summary>
public sealed class ResizeTransform : IDeterministicTransform, IResizingTransform
{
    /// <summary>The side below which the renderer upsamples model inputs (Lucent: 224).</summary>
    public const int DefaultMinimumModelInputSize = 224;

    /// <summary>The largest output height or width accepted, in pixels.</summary>
    public const int MaxSize = 4096;

    /// <summary>Creates a resize to <paramref name="height"/> x <paramref name="width"/>.</summary>
    /// <param name="height">Output height in pixels; 1 to <see cref="MaxSize"/>.</param>
    /// <param name="width">Output width in pixels; 1 to <see cref="MaxSize"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1 or over <see cref="MaxSize"/>.</exception>
    public ResizeTransform(int height, int width)
    {
        if (height is < 1 or > MaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(height), height, TransformHelpers.Invariant($"The output height must be between 1 and {MaxSize} pixels; got {height}."));
        }

        if (width is < 1 or > MaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, TransformHelpers.Invariant($"The output width must be between 1 and {MaxSize} pixels; got {width}."));
        }

        Height = height;
        Width = width;
    }

    /// <summary>Creates a resize to a square <paramref name="size"/> x <paramref name="size"/>.</summary>
    /// <param name="size">Output side in pixels; 1 to <see cref="MaxSize"/>.</param>
    public ResizeTransform(int size)
        : this(size, size)
    {
    }

    /// <summary>The text form of <c>resize</c>: the width defaults to the height.</summary>
    [TextFunction("resize", "Resize bilinearly to height x width pixels (1 to {MaxSize} each); width defaults to height (`ResizeTransform`).")]
    private static ResizeTransform FromText(int height, int? width = null) => new(height, width ?? height);

    /// <summary>Output height in pixels.</summary>
    public int Height { get; }

    /// <summary>Output width in pixels.</summary>
    public int Width { get; }

    /// <inheritdoc />
    public string Name => $"resize({Height}, {Width})";

    /// <inheritdoc />
    public Tensor Apply(Tensor image, TransformContext context) => Apply(image);

    /// <inheritdoc />
    public (long Height, long Width) MaxOutputSize(long height, long width) => (Height, Width);

    /// <inheritdoc />
    public Tensor Apply(Tensor image)
    {
        TransformHelpers.RequireImageBatch(image, Name);
        return torch.nn.functional.interpolate(image, [Height, Width], mode: InterpolationMode.Bilinear, align_corners: true);
    }

    /// <summary>
    /// The resize step Lucent's <c>render_vis</c> appends for a parameterised image of shape
    /// <paramref name="imageSize"/> (decided on the untransformed image): a resize to
    /// <paramref name="fixedSize"/> when one is given; otherwise a resize to
    /// <paramref name="minimumSize"/> x <paramref name="minimumSize"/> when either side of the image is
    /// smaller than that; otherwise none.
    /// </summary>
    /// <param name="imageSize">The height and width of the image the parameterisation produces.</param>
    /// <param name="fixedSize">An optional fixed model input size (height, width).</param>
    /// <param name="minimumSize">The smallest side passed through unchanged (224 in Lucent).</param>
    /// <returns>The transform to append, or <see langword="null"/> when no resize is needed.</returns>
    public static ResizeTransform? ForModelInput((int Height, int Width) imageSize, (int Height, int Width)? fixedSize = null, int minimumSize = DefaultMinimumModelInputSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumSize, 1);
        if (fixedSize is { } size)
        {
            // Kept even when it equals the image's size: the transforms before it may change the size.
            return new ResizeTransform(size.Height, size.Width);
        }

        return imageSize.Height < minimumSize || imageSize.Width < minimumSize
            ? new ResizeTransform(minimumSize, minimumSize)
            : null;
    }
}

public static partial class Transform
{
    /// <summary>A bilinear, corners-aligned resize; see <see cref="ResizeTransform"/>.</summary>
    /// <param name="height">Output height.</param>
    /// <param name="width">Output width.</param>
    /// <returns>The transform.</returns>
    public static ResizeTransform Resize(int height, int width) => new(height, width);
}

public sealed partial class TransformPipelineBuilder
{
    /// <summary>Appends <see cref="ResizeTransform"/>.</summary>
    /// <param name="height">Output height.</param>
    /// <param name="width">Output width.</param>
    /// <returns>This builder.</returns>
    public TransformPipelineBuilder Resize(int height, int width) => Add(Transform.Resize(height, width));
}
