using static TorchSharp.torch;

namespace Lucent.Net.Transforms;

/// <summary>
/// Builds a <see cref="TransformPipeline"/> fluently, e.g.
/// <c>TransformPipeline.CreateBuilder().Pad(12, PadMode.Constant, 0.5).Jitter(8).Build()</c>.
/// </summary>
public sealed class TransformPipelineBuilder
{
    private readonly List<IImageTransform> _transforms = [];

    /// <summary>Appends <see cref="PadTransform"/>.</summary>
    /// <param name="width">Pixels added on each side.</param>
    /// <param name="mode">How to fill the border (Lucent's default: reflect).</param>
    /// <param name="constantValue">Fill value for constant mode.</param>
    /// <returns>This builder.</returns>
    public TransformPipelineBuilder Pad(int width, PadMode mode = PadMode.Reflect, double constantValue = PadTransform.DefaultConstantValue) =>
        Add(new PadTransform(width, mode, constantValue));

    /// <summary>Appends <see cref="JitterTransform"/>.</summary>
    /// <param name="distance">d &gt; 1: shifts are drawn from 0..d-1.</param>
    /// <returns>This builder.</returns>
    public TransformPipelineBuilder Jitter(int distance) => Add(new JitterTransform(distance));

    /// <summary>Appends <see cref="RandomScaleTransform"/>.</summary>
    /// <param name="scales">Factors to pick from.</param>
    /// <returns>This builder.</returns>
    public TransformPipelineBuilder RandomScale(IEnumerable<double> scales) => Add(new RandomScaleTransform(scales));

    /// <summary>Appends <see cref="RandomScaleTransform"/>.</summary>
    /// <param name="scales">Factors to pick from.</param>
    /// <returns>This builder.</returns>
    public TransformPipelineBuilder RandomScale(params double[] scales) => Add(new RandomScaleTransform(scales));

    /// <summary>Appends <see cref="RandomRotateTransform"/>.</summary>
    /// <param name="angles">Angles to pick from.</param>
    /// <param name="unit">Unit of the angles.</param>
    /// <returns>This builder.</returns>
    public TransformPipelineBuilder RandomRotate(IEnumerable<double> angles, AngleUnit unit = AngleUnit.Degrees) =>
        Add(new RandomRotateTransform(angles, unit));

    /// <summary>Appends <see cref="ResizeTransform"/>.</summary>
    /// <param name="height">Output height.</param>
    /// <param name="width">Output width.</param>
    /// <returns>This builder.</returns>
    public TransformPipelineBuilder Resize(int height, int width) => Add(new ResizeTransform(height, width));

    /// <summary>Appends ImageNet normalisation (<see cref="ImageNetNormalizeTransform"/>).</summary>
    /// <returns>This builder.</returns>
    public TransformPipelineBuilder Normalize() => Add(new ImageNetNormalizeTransform());

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
