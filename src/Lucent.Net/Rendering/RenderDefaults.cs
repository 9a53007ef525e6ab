using Lucent.Net.Parameterization;
using Lucent.Net.Transforms;
using static TorchSharp.torch;

namespace Lucent.Net.Rendering;

/// <summary>Lucent's defaults for the parts of a render the options leave out.</summary>
internal static class RenderDefaults
{
    /// <summary>The default transforms: Lucent's standard list.</summary>
    public static IReadOnlyList<IImageTransform> StandardTransforms { get; } = [TransformPipeline.Standard];

    /// <summary>The default parameterisation: a 128x128 FFT image with colour decorrelation, sd 0.01.</summary>
    /// <param name="generator">The render's generator.</param>
    /// <returns>A new parameterisation.</returns>
    public static IImageParameterization Parameterization(Generator generator) =>
        ImageParameterizations.Image(RenderOptions.DefaultImageSize, generator: generator);
}
