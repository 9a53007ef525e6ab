using Lucent.Net.Parameterization;
using Lucent.Net.Transforms;
using static TorchSharp.torch;

namespace Lucent.Net.Rendering;

/// <summary>Lucent's defaults for the parts of a render the options leave out.</summary>
internal static class RenderDefaults
{
    /// <summary>The default parameterisation.</summary>
    public static IImageParameterization Parameterization(Generator generator) =>
        throw new InvalidRenderOptionsException(nameof(RenderOptions.Parameterization), "Set RenderOptions.Parameterization (default parameterisations arrive with the Parameterization module).");

    /// <summary>The default transforms.</summary>
    public static IReadOnlyList<IImageTransform> StandardTransforms() => [];
}
