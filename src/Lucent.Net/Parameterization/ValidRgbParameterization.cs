using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.Parameterization;

/// <summary>
/// Maps another parameterisation's unbounded output to valid colours (Lucent's <c>to_valid_rgb(image_f, decorrelate)</c>):
/// optional <see cref="ColorDecorrelation"/>, then a sigmoid to [0, 1]. Owns and disposes the inner parameterisation.
/// With <see cref="Alpha"/> (Lucid's <c>image(..., alpha=True)</c>) the inner image has 4 channels: the first 3 take
/// that path and the fourth, alpha, goes through a sigmoid alone.
/// </summary>
public sealed class ValidRgbParameterization : ImageParameterizationBase
{
    internal ValidRgbParameterization(IImageParameterization inner, bool decorrelate, string name, bool alpha = false)
        : base(inner.Shape, name)
    {
        Inner = inner;
        Decorrelate = decorrelate;
        Alpha = alpha;
    }

    /// <summary>The wrapped parameterisation.</summary>
    public IImageParameterization Inner { get; }

    /// <summary>Whether colours are decorrelated before the sigmoid.</summary>
    public bool Decorrelate { get; }

    /// <summary>Whether the fourth channel is alpha (sigmoid only, never decorrelated).</summary>
    public bool Alpha { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => Inner.Parameters;

    /// <inheritdoc />
    protected override Tensor CreateImageCore()
    {
        var raw = Inner.CreateImage();
        if (Alpha)
        {
            var rgb = raw.narrow(1, 0, 3);
            var colours = Decorrelate ? ColorDecorrelation.Decorrelate(rgb) : rgb;
            return torch.cat([colours.sigmoid(), raw.narrow(1, 3, 1).sigmoid()], 1);
        }

        var mixed = Decorrelate ? ColorDecorrelation.Decorrelate(raw) : raw;
        return mixed.sigmoid();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Inner.Dispose();
        }
    }
}
