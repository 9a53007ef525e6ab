using System.Collections.ObjectModel;
using static TorchSharp.torch;

namespace Lucent.Net.Transforms;

/// <summary>
/// A transform that applies others in order (Lucent's <c>compose(transforms)</c>). Immutable; build one
/// with <see cref="CreateBuilder"/>, <see cref="Transform.Compose(IImageTransform[])"/> or use
/// <see cref="Standard"/>.
/// </summary>
public sealed class TransformPipeline : IImageTransform
{
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

    /// <summary>An empty pipeline: images pass through unchanged.</summary>
    public static TransformPipeline Identity { get; } = new([]);

    /// <summary>The steps, in the order they are applied.</summary>
    public IReadOnlyList<IImageTransform> Transforms { get; }

    /// <inheritdoc />
    public string Name => "compose([" + string.Join(", ", Transforms.Select(t => t.Name)) + "])";

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
}
