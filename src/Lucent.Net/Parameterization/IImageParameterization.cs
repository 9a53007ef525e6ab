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

    /// <summary>
    /// The shape of a Lucent shape tuple of rank 2, 3 or 4, as Lucent's <c>pixel_image(shape)</c> and
    /// <c>lowres_tensor(shape, underlying_shape)</c> accept them: <c>(height, width)</c> is one single-channel image
    /// (1, 1, height, width), <c>(channels, height, width)</c> one image (1, channels, height, width), and
    /// <c>(batch, channels, height, width)</c> itself. Parameterisations here always make image batches, so a
    /// rank-2 shape gives a (1, 1, height, width) tensor where Lucent gives a (height, width) one.
    /// </summary>
    /// <param name="dimensions">Two, three or four positive sizes.</param>
    /// <returns>The shape.</returns>
    /// <exception cref="ArgumentException">Not two to four sizes, or a size below 1.</exception>
    public static ImageShape FromDimensions(params int[] dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        for (int i = 0; i < dimensions.Length; i++)
        {
            if (dimensions[i] < 1)
            {
                throw new ArgumentException(
                    $"Shape ({string.Join(", ", dimensions)}) has size {dimensions[i]} at position {i}; every size must be at least 1.", nameof(dimensions));
            }
        }

        return dimensions.Length switch
        {
            2 => new ImageShape(1, 1, dimensions[0], dimensions[1]),
            3 => new ImageShape(1, dimensions[0], dimensions[1], dimensions[2]),
            4 => new ImageShape(dimensions[0], dimensions[1], dimensions[2], dimensions[3]),
            _ => throw new ArgumentException(
                $"Shape ({string.Join(", ", dimensions)}) has {dimensions.Length} sizes; give (height, width), (channels, height, width) or (batch, channels, height, width).",
                nameof(dimensions)),
        };
    }
}
