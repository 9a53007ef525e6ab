using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.Parameterization;

/// <summary>
/// Maps another parameterisation's unbounded output to valid colours (Lucent's <c>to_valid_rgb(image_f, decorrelate)</c>):
/// optional <see cref="ColorDecorrelation"/>, then a sigmoid to [0, 1]. Owns and disposes the inner parameterisation.
/// </summary>
public sealed class ValidRgbParameterization : ImageParameterizationBase
{
    internal ValidRgbParameterization(IImageParameterization inner, bool decorrelate, string name)
        : base(inner.Shape, name)
    {
        Inner = inner;
        Decorrelate = decorrelate;
    }

    /// <summary>The wrapped parameterisation.</summary>
    public IImageParameterization Inner { get; }

    /// <summary>Whether colours are decorrelated before the sigmoid.</summary>
    public bool Decorrelate { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => Inner.Parameters;

    /// <inheritdoc />
    protected override Tensor CreateImageCore()
    {
        var raw = Inner.CreateImage();
        var colours = Decorrelate ? ColorDecorrelation.Decorrelate(raw) : raw;
        return colours.sigmoid();
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
