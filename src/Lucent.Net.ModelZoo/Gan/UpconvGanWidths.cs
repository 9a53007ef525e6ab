namespace Lucent.Net.ModelZoo.Gan;

/// <summary>
/// The layer widths of an upconvolutional generator. <see cref="For"/> gives the published ones; tests build
/// narrow copies of the same architecture to compare with small files saved by PyTorch.
/// </summary>
/// <param name="Code">The code length (fc variants) or code channels (pool5).</param>
/// <param name="Hidden">The width of the fully connected layers; 16 times <paramref name="C256"/> (it is reshaped to 4x4 maps).</param>
/// <param name="C512">The channels written 512 in the published architecture.</param>
/// <param name="C256">The channels written 256.</param>
/// <param name="C128">The channels written 128.</param>
/// <param name="C64">The channels written 64.</param>
/// <param name="C32">The channels written 32.</param>
internal sealed record UpconvGanWidths(int Code, int Hidden, int C512, int C256, int C128, int C64, int C32)
{
    /// <summary>The published widths of <paramref name="variant"/>.</summary>
    public static UpconvGanWidths For(UpconvGanVariant variant) => variant switch
    {
        UpconvGanVariant.Fc6 or UpconvGanVariant.Fc7 => new(4096, 4096, 512, 256, 128, 64, 32),
        UpconvGanVariant.Fc8 => new(1000, 4096, 512, 256, 128, 64, 32),
        UpconvGanVariant.Pool5 => new(256, 4096, 512, 256, 128, 64, 32),
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, "Unknown upconvGAN variant; use Fc6, Fc7, Fc8 or Pool5."),
    };
}
