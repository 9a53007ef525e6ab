using static TorchSharp.torch;

namespace Lucent.Net.Transforms;

/// <summary>
/// Builds a <see cref="TransformPipeline"/> fluently, e.g.
/// <c>TransformPipeline.CreateBuilder().Pad(12, PadMode.Constant, 0.5).Jitter(8).Build()</c>. The method that
/// appends a built-in transform is declared in that transform's file.
/// </summary>
public sealed partial class TransformPipelineBuilder
{
    private readonly List<IImageTransform> _transforms = [];

    /// <summary>Appends any transform.</summary>
    /// <param name="transform">The transform.</param>
    /// <returns>This builder.</returns>
    public TransformPipelineBuilder Add(IImageTransform transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        _transforms.Add(transform);
        return this;
    }

    /// <summary>Appends a transform written as a function (see <see cref="Transform.FromDelegate(string, Func{Tensor, TransformContext, Tensor})"/>).</summary>
    /// <param name="name">Its readable name.</param>
    /// <param name="apply">The function; it returns a new tensor the caller owns.</param>
    /// <returns>This builder.</returns>
    public TransformPipelineBuilder Add(string name, Func<Tensor, TransformContext, Tensor> apply) =>
        Add(Transform.FromDelegate(name, apply));

    /// <summary>Appends every step of <paramref name="transforms"/>.</summary>
    /// <param name="transforms">Transforms to append in order.</param>
    /// <returns>This builder.</returns>
    public TransformPipelineBuilder AddRange(IEnumerable<IImageTransform> transforms)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        foreach (var transform in transforms)
        {
            Add(transform);
        }

        return this;
    }

    /// <summary>Creates the pipeline. The builder can be used again afterwards.</summary>
    /// <returns>A new immutable pipeline.</returns>
    public TransformPipeline Build() => new(_transforms);
}
