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

    /// <summary>The default parameterisation: the standard image <see cref="RenderOptions.Image"/> describes (Lucent's 128x128 FFT image with colour decorrelation, sd 0.01), on <paramref name="device"/>.</summary>
    /// <param name="options">The render's options.</param>
    /// <param name="generator">The render's generator (a CPU generator: the initial values are drawn there and moved).</param>
    /// <param name="device">The render's device.</param>
    /// <returns>A new parameterisation.</returns>
    public static IImageParameterization Parameterization(RenderOptions options, Generator generator, Device device) =>
        options.Image.Maco
            ? ImageParameterizations.Maco(options.Image.Width, options.Image.EffectiveHeight, options.Image.Batch, options.Image.Spectrum, generator, device: device)
            : ImageParameterizations.Image(options.Image with { Device = device }, generator);

    /// <summary>The transforms when <see cref="RenderOptions.Transforms"/> is null: MACO's crops for a MACO image, else Lucent's standard list.</summary>
    /// <param name="options">The render's options.</param>
    /// <returns>The transforms.</returns>
    public static IReadOnlyList<IImageTransform> Transforms(RenderOptions options) =>
        options.Transforms ?? (options.Image is { Maco: true } && options.Parameterization is null ? [new MacoCropTransform()] : StandardTransforms);

    /// <summary>
    /// The optimiser when <see cref="RenderOptions.OptimizerFactory"/> is null: Adam (Lucent), or for a MACO image NAdam
    /// with learning rate 1.0 unless <see cref="RenderOptions.LearningRate"/> was changed from Lucent's 0.05.
    /// </summary>
    /// <param name="options">The render's options.</param>
    /// <returns>The factory.</returns>
    public static Func<IReadOnlyList<Parameter>, optim.Optimizer> Optimizer(RenderOptions options)
    {
        if (options.OptimizerFactory is { } factory)
        {
            return factory;
        }

        if (options.Image is { Maco: true } && options.Parameterization is null)
        {
            double rate = options.LearningRate == RenderOptions.DefaultLearningRate ? RenderOptions.MacoLearningRate : options.LearningRate;
            return p => optim.NAdam(p, lr: rate);
        }

        return p => optim.Adam(p, lr: options.LearningRate);
    }
}
