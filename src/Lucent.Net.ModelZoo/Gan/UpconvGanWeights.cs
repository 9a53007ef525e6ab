using Lucent.Net.ModelZoo.Weights;

namespace Lucent.Net.ModelZoo.Gan;

/// <summary>
/// Lucent's pretrained upconvGAN weights (Binxu Wang's PyTorch translation of Dosovitskiy and Brox's Caffe models),
/// as <see cref="PretrainedWeights"/> for the <see cref="WeightStore"/>: the OneDrive URLs and file names
/// (<c>upconvGAN_&lt;name&gt;.pt</c>) of <c>lucent/optvis/param/gan.py</c>.
/// </summary>
/// <remarks>
/// The files are not pinned by a hash: Lucent downloads them with <c>hash_prefix=None</c> and publishes no digest,
/// and they could not be downloaded where this was written. Each download is instead bounded in size
/// (<see cref="PretrainedWeights.MaxSize"/>: the float32 weights plus 1 MiB) and must read as a state dict of
/// <see cref="UpconvGenerator.TensorCount"/> tensors; the store records the SHA-256 of the first good copy and
/// checks the cached file against it afterwards. To pin a copy you trust, pass it explicitly or serve it from a
/// mirror (<see cref="PretrainedWeights.WithUrl"/>).
/// </remarks>
public static class UpconvGanWeights
{
    /// <summary>The slack allowed over the float32 weights for the file's zip and pickle structure: 1 MiB.</summary>
    public const long FormatSlack = 1L << 20;

    /// <summary>The fc6 generator's weights (<c>upconvGAN_fc6.pt</c>: 56,097,891 float32 weights, about 224 MB).</summary>
    public static PretrainedWeights Fc6 { get; } = Create(
        UpconvGanVariant.Fc6,
        "https://onedrive.live.com/download?cid=9CFFF6BCB39F6829&resid=9CFFF6BCB39F6829%2145339&authkey=AC2rQMt7Obr0Ba4");

    /// <summary>The fc7 generator's weights (<c>upconvGAN_fc7.pt</c>: 56,097,891 float32 weights, about 224 MB).</summary>
    public static PretrainedWeights Fc7 { get; } = Create(
        UpconvGanVariant.Fc7,
        "https://onedrive.live.com/download?cid=9CFFF6BCB39F6829&resid=9CFFF6BCB39F6829%2145338&authkey=AJ0R-daUAVYjQIw");

    /// <summary>The fc8 generator's weights (<c>upconvGAN_fc8.pt</c>: 43,416,675 float32 weights, about 174 MB).</summary>
    public static PretrainedWeights Fc8 { get; } = Create(
        UpconvGanVariant.Fc8,
        "https://onedrive.live.com/download?cid=9CFFF6BCB39F6829&resid=9CFFF6BCB39F6829%2145340&authkey=AKIfNk7s5MGrRkU");

    /// <summary>The pool5 generator's weights (<c>upconvGAN_pool5.pt</c>: 12,702,307 float32 weights, about 51 MB).</summary>
    public static PretrainedWeights Pool5 { get; } = Create(
        UpconvGanVariant.Pool5,
        "https://onedrive.live.com/download?cid=9CFFF6BCB39F6829&resid=9CFFF6BCB39F6829%2145337&authkey=AFaUAgeoIg0WtmA");

    /// <summary>The weights of <paramref name="variant"/>.</summary>
    /// <param name="variant">Which generator.</param>
    /// <returns>The descriptor.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="variant"/> is not a defined value.</exception>
    public static PretrainedWeights For(UpconvGanVariant variant) => variant switch
    {
        UpconvGanVariant.Fc6 => Fc6,
        UpconvGanVariant.Fc7 => Fc7,
        UpconvGanVariant.Fc8 => Fc8,
        UpconvGanVariant.Pool5 => Pool5,
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, "Unknown upconvGAN variant; use Fc6, Fc7, Fc8 or Pool5."),
    };

    /// <summary>The number of float32 weights of <paramref name="variant"/>'s generator.</summary>
    /// <param name="variant">Which generator.</param>
    /// <returns>The count (for example 56,097,891 for fc6).</returns>
    public static long ParameterCount(UpconvGanVariant variant) => UpconvGenerator.CountParameters(variant, UpconvGanWidths.For(variant));

    private static PretrainedWeights Create(UpconvGanVariant variant, string url)
    {
        string name = UpconvGenerator.Name(variant);
        return new PretrainedWeights("UpconvGan" + char.ToUpperInvariant(name[0]) + name[1..], $"upconvGAN_{name}.pt", new Uri(url))
        {
            MaxSize = (4 * ParameterCount(variant)) + FormatSlack,
            Validator = path => PretrainedWeights.RequireStateDict(path, UpconvGenerator.TensorCount),
        };
    }
}
