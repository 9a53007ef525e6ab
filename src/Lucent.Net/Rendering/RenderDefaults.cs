using Lucent.Net.Parameterization;
using Lucent.Net.Transforms;
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
        ImageParameterizations.Image(options.Image with { Device = device }, generator);
}
