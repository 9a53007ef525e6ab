using Lucent.Net.Parameterization;
using Lucent.Net.Transforms;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.Rendering;

/// <summary>Lucent's defaults for the parts of a render the options leave out.</summary>
internal static class RenderDefaults
{
    /// <summary>The default transforms: Lucent's standard list.</summary>
    public static IReadOnlyList<IImageTransform> StandardTransforms { get; } = [TransformPipeline.Standard];

    /// <summary>The transforms when <see cref="RenderOptions.Transforms"/> is null: MACO's crops for a MACO image, else Lucent's standard list.</summary>
    /// <param name="options">The render's options.</param>
    /// <returns>The transforms.</returns>
    public static IReadOnlyList<IImageTransform> Transforms(RenderOptions options) =>
        options.Transforms ?? (options.Parameterization is ImageOptions { Maco: true } ? [new MacoCropTransform()] : StandardTransforms);

    /// <summary>
    /// The optimiser when <see cref="RenderOptions.OptimizerFactory"/> is null: Adam (Lucent), or for a MACO image NAdam
    /// with learning rate 1.0 unless <see cref="RenderOptions.LearningRate"/> was set.
    /// </summary>
    /// <param name="options">The render's options.</param>
    /// <returns>The factory.</returns>
    public static Func<IReadOnlyList<Parameter>, optim.Optimizer> Optimizer(RenderOptions options)
    {
        if (options.OptimizerFactory is { } factory)
        {
            return factory;
        }

        if (options.Parameterization is ImageOptions { Maco: true })
        {
            double rate = options.LearningRateSet ? options.LearningRate : RenderOptions.MacoLearningRate;
            return p => optim.NAdam(p, lr: rate);
        }

        return p => optim.Adam(p, lr: options.LearningRate);
    }
}
