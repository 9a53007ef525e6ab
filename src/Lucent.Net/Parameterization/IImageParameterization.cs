using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.Parameterization;

/// <summary>
/// Makes an image batch from trainable parameters (Lucent's <c>param_f</c>: the pair of
/// parameters and image function). The renderer optimises <see cref="Parameters"/> and calls
/// <see cref="CreateImage"/> on every step.
/// </summary>
public interface IImageParameterization : IDisposable
{
    /// <summary>The tensors the optimiser updates.</summary>
    IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The shape of the images <see cref="CreateImage"/> returns.</summary>
    ImageShape Shape { get; }

    /// <summary>A short readable description, e.g. <c>image(128, fft, decorrelate)</c>.</summary>
    string Name { get; }

    /// <summary>Builds the image batch from the current parameters, differentiably.</summary>
    /// <returns>A (batch, channels, height, width) tensor, values in [0, 1] for RGB images; the caller owns it.</returns>
    Tensor CreateImage();
}

/// <summary>The shape of an image batch laid out (batch, channels, height, width).</summary>
/// <param name="Batch">Number of images.</param>
/// <param name="Channels">Channels per image (3 for RGB).</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Width">Width in pixels.</param>
public readonly record struct ImageShape(int Batch, int Channels, int Height, int Width)
{
    /// <summary>The shape as TorchSharp dimensions (batch, channels, height, width).</summary>
    /// <returns>The four dimensions.</returns>
    public long[] ToDimensions() => [Batch, Channels, Height, Width];
}
