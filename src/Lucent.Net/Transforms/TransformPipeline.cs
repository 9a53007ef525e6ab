using System.Collections.ObjectModel;
using static TorchSharp.torch;
using Lucent.Net.Declarations;

namespace Lucent.Net.Transforms;

/// <summary>
/// A transform that applies others in order (Lucent's <c>compose(transforms)</c>). Immutable; build one
/// with <see cref="CreateBuilder"/>, <see cref="Transform.Compose(IImageTransform[])"/> or use
/// <see cref="Standard"/>.
/// </summary>
public sealed class TransformPipeline : IImageTransform, IResizingTransform
{
    /// <summary>
    /// The largest height or width, in pixels, that the images of a render may have at any step of its pipeline
    /// (the renderer refuses options whose transforms could make larger ones, see <see cref="LargestImageSize"/>).
    /// </summary>
    public const int MaxImageSide = 8192;

    /// <summary>Sizes are not tracked beyond this (far over any limit), so that no sum or product overflows.</summary>
    private const long SizeCap = 1L << 40;

    private static readonly Lazy<TransformPipeline> StandardPipeline = new(StandardTransforms.Create);

    /// <summary>Creates a pipeline that applies <paramref name="transforms"/> in order.</summary>
    /// <param name="transforms">The steps; may be empty (then the pipeline passes images through).</param>
    /// <exception cref="ArgumentException">A step is <see langword="null"/>.</exception>
    public TransformPipeline(IEnumerable<IImageTransform> transforms)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        var steps = transforms.ToArray();
        for (int i = 0; i < steps.Length; i++)
        {
            if (steps[i] is null)
            {
                throw new ArgumentException($"Transform {i} of the pipeline is null; pass only transforms.", nameof(transforms));
            }
        }

        Transforms = new ReadOnlyCollection<IImageTransform>(steps);
    }

    /// <summary>Lucent's standard transforms (see <see cref="StandardTransforms"/>); a shared immutable instance.</summary>
    public static TransformPipeline Standard => StandardPipeline.Value;

    /// <summary>The text form of <c>standard</c>: <see cref="Standard"/> as one step.</summary>
    [TextFunction("standard", "Lucent's standard transforms as one step: pad 12 constant 0.5, jitter 8, random scale 0.9..1.1, random rotate -10..10 degrees, jitter 4 (`TransformPipeline.Standard`).")]
    private static TransformPipeline StandardStep() => Standard;

    /// <summary>An empty pipeline: images pass through unchanged.</summary>
    public static TransformPipeline Identity { get; } = new([]);

    /// <summary>The steps, in the order they are applied.</summary>
    public IReadOnlyList<IImageTransform> Transforms { get; }

    /// <inheritdoc />
    public string Name => "compose([" + string.Join(", ", Transforms.Select(t => t.Name)) + "])";

    /// <summary>
    /// The largest height and the largest width the images can have on their way through <paramref name="transforms"/>,
    /// from <paramref name="height"/> x <paramref name="width"/> to the last step's output, over every random draw:
    /// each <see cref="IResizingTransform"/> says how large its output can be, nested pipelines are followed step
    /// by step, and other transforms are taken to keep the size.
    /// </summary>
    /// <param name="transforms">The steps, in order.</param>
    /// <param name="height">The input height in pixels.</param>
    /// <param name="width">The input width in pixels.</param>
    /// <returns>The largest height and width at any step (the input's included).</returns>
    public static (long Height, long Width) LargestImageSize(IEnumerable<IImageTransform> transforms, long height, long width)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        var largest = Walk(transforms, (Clamp(height), Clamp(width)), long.MaxValue);
        return (largest.MaxHeight, largest.MaxWidth);
    }

    /// <summary>The first step whose output can exceed <paramref name="limit"/> pixels a side, with that size; null when none does.</summary>
    internal static (IImageTransform Step, long Height, long Width)? FirstOverLimit(IEnumerable<IImageTransform> transforms, long height, long width, long limit)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        var walk = Walk(transforms, (Clamp(height), Clamp(width)), limit);
        return walk.Over;
    }

    /// <inheritdoc />
    public (long Height, long Width) MaxOutputSize(long height, long width)
    {
        var walk = Walk(Transforms, (Clamp(height), Clamp(width)), long.MaxValue);
        return walk.Output;
    }

    /// <summary>Starts a fluent builder for a new pipeline.</summary>
    /// <returns>An empty builder.</returns>
    public static TransformPipelineBuilder CreateBuilder() => new();

    /// <summary>A new pipeline with this one's steps followed by <paramref name="transforms"/>.</summary>
    /// <param name="transforms">Steps to append.</param>
    /// <returns>A new pipeline; this one is unchanged.</returns>
    public TransformPipeline Append(params IImageTransform[] transforms)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        return new TransformPipeline(Transforms.Concat(transforms));
    }

    /// <inheritdoc />
    /// <remarks>Intermediate results are disposed as soon as the next step has run.</remarks>
    public Tensor Apply(Tensor image, TransformContext context)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(context);
        Tensor current = image;
        bool owned = false;
        try
        {
            foreach (var transform in Transforms)
            {
                var next = transform.Apply(current, context)
                    ?? throw new InvalidOperationException($"Transform '{transform.Name}' returned null; a transform must return a tensor.");
                if (owned)
                {
                    current.Dispose();
                }

                current = next;
                owned = true;
            }
        }
        catch
        {
            if (owned)
            {
                current.Dispose();
            }

            throw;
        }

        return owned ? current : image.alias();
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    private static long Clamp(long side) => Math.Clamp(side, 0, SizeCap);

    /// <summary>Follows the sizes through the steps; stops at the first step whose output is over <paramref name="limit"/>.</summary>
    private static WalkResult Walk(IEnumerable<IImageTransform> transforms, (long Height, long Width) size, long limit)
    {
        long maxHeight = size.Height, maxWidth = size.Width;
        foreach (var transform in transforms)
        {
            if (transform is TransformPipeline nested)
            {
                var inner = Walk(nested.Transforms, size, limit);
                maxHeight = Math.Max(maxHeight, inner.MaxHeight);
                maxWidth = Math.Max(maxWidth, inner.MaxWidth);
                if (inner.Over is not null)
                {
                    return new WalkResult(inner.Output, maxHeight, maxWidth, inner.Over);
                }

                size = inner.Output;
                continue;
            }

            if (transform is IResizingTransform resizing)
            {
                var (h, w) = resizing.MaxOutputSize(size.Height, size.Width);
                size = (Clamp(h), Clamp(w));
                maxHeight = Math.Max(maxHeight, size.Height);
                maxWidth = Math.Max(maxWidth, size.Width);
                if (size.Height > limit || size.Width > limit)
                {
                    return new WalkResult(size, maxHeight, maxWidth, (transform, size.Height, size.Width));
                }
            }
        }

        return new WalkResult(size, maxHeight, maxWidth, null);
    }

    private readonly record struct WalkResult((long Height, long Width) Output, long MaxHeight, long MaxWidth, (IImageTransform Step, long Height, long Width)? Over);
}
