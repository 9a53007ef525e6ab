using System.Globalization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.Parameterization;

/// <summary>
/// The image is the parameter tensor itself, initialised to <c>randn(shape) * sd</c> (Lucent's
/// <c>pixel_image(shape, sd)</c>). Values are unbounded: wrap it in <see cref="ValidRgbParameterization"/>
/// (or use <see cref="ImageParameterizations.Image(int, int?, double, int, bool, bool, int?, Generator?, long?, Device?)"/>)
/// to get images in [0, 1].
/// </summary>
public sealed class PixelImageParameterization : ImageParameterizationBase
{
    private readonly Parameter _pixels;

    internal PixelImageParameterization(ImageShape shape, double standardDeviation, RandomSource random, Device? device)
        : base(shape, string.Create(CultureInfo.InvariantCulture, $"pixel({shape.Batch}x{shape.Channels}x{shape.Height}x{shape.Width}, sd {standardDeviation:G6})"))
    {
        _pixels = RandomSource.ToParameter(random.Normal(shape.ToDimensions(), standardDeviation, device));
        Parameters = [_pixels];
        StandardDeviation = standardDeviation;
    }

    /// <summary>The standard deviation of the initial values.</summary>
    public double StandardDeviation { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters { get; }

    /// <inheritdoc />
    protected override Tensor CreateImageCore() => _pixels.alias();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _pixels.Dispose();
        }
    }
}
