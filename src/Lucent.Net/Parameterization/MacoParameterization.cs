using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.Parameterization;

/// <summary>
/// MACO (Fel et al., "Unlocking Feature Visualization for Deeper Networks with MAgnitude Constrained
/// Optimization", NeurIPS 2023): the image's spectrum has a fixed magnitude, an average spectrum of natural
/// images (<see cref="MagnitudeSpectrum"/>), and only its phase is optimised.
/// </summary>
/// <remarks>
/// <para>The only parameter is the phase φ, shape (batch, channels, height, width/2 + 1). The raw image
/// (<see cref="CreateRawImage"/>) is <c>irfft2(M · exp(iψ), size (h, w), orthonormal)</c>, where M is the
/// magnitude and ψ is φ made Hermitian-consistent: in the columns whose spectrum must be conjugate-symmetric
/// (column 0, and column w/2 for even widths) ψ[k] = (φ[k] − φ[−k]) / 2, elsewhere ψ = φ. The few
/// self-conjugate entries (zero frequency and the Nyquist ones) get ψ = 0, a positive real coefficient. The
/// magnitude is symmetrised the same way. So <c>|rfft2(raw image, orthonormal)|</c> equals <see cref="Magnitude"/>
/// exactly (to float error): that is MACO's invariant.</para>
/// <para>The image the renderer sees (<see cref="ImageParameterizationBase.CreateImage"/>) is the raw image
/// standardised per image (mean 0 and standard deviation 1 over its channels and pixels, as in the method's
/// public descriptions) and mapped to [0, 1] by a sigmoid. That final mapping changes the spectrum; the
/// invariant holds for the raw image.</para>
/// </remarks>
public sealed class MacoParameterization : ImageParameterizationBase
{
    private const double StandardiseEpsilon = 1e-5;

    private readonly Parameter _phase;
    private readonly Tensor _magnitude;
    private readonly Tensor _symmetricColumns;
    private readonly Tensor _mirroredRows;

    internal MacoParameterization(ImageShape shape, MagnitudeSpectrum spectrum, RandomSource? random, Tensor? initialPhase, Device? device)
        : base(shape, string.Create(CultureInfo.InvariantCulture, $"maco({shape.Batch}x{shape.Channels}x{shape.Height}x{shape.Width})"))
    {
        int columns = (shape.Width / 2) + 1;
        using var scope = torch.NewDisposeScope();
        var resized = spectrum.Resize(shape.Height, shape.Width);
        var magnitude = resized.ToTensor();
        var mirrored = MirrorIndex(shape.Height);
        var columnFlags = new bool[columns];
        columnFlags[0] = true;
        columnFlags[columns - 1] |= shape.Width % 2 == 0;
        var symmetric = torch.tensor(columnFlags, [1, 1, 1, columns]);

        // Hermitian symmetry of the magnitude in the conjugate-symmetric columns: M[k] = M[-k].
        var averaged = magnitude.add(magnitude.index_select(1, mirrored)).div(2);
        magnitude = torch.where(symmetric.squeeze(0), averaged, magnitude);
        Tensor phase;
        if (initialPhase is not null)
        {
            phase = initialPhase.to_type(ScalarType.Float32).detach().clone();
        }
        else
        {
            var draw = torch.rand([shape.Batch, shape.Channels, shape.Height, columns], ScalarType.Float32, device: random!.Generator.device, generator: random.Generator);
            phase = draw.mul(2 * Math.PI).sub(Math.PI);
        }

        if (device is not null)
        {
            magnitude = magnitude.to(device);
            mirrored = mirrored.to(device);
            symmetric = symmetric.to(device);
            phase = phase.to(device);
        }

        _magnitude = RandomSource.Keep(magnitude.contiguous());
        _mirroredRows = RandomSource.Keep(mirrored);
        _symmetricColumns = RandomSource.Keep(symmetric);
        _phase = RandomSource.ToParameter(phase.contiguous());
        Parameters = [_phase];
        Spectrum = resized;
    }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The magnitude spectrum used, resampled to this image size (before symmetrisation).</summary>
    public MagnitudeSpectrum Spectrum { get; }

    /// <summary>
    /// The fixed magnitude M actually used, shape (channels, height, width/2 + 1): <see cref="Spectrum"/> with the
    /// conjugate-symmetric columns symmetrised. Not a parameter; the caller must not modify it.
    /// </summary>
    public Tensor Magnitude => _magnitude;

    /// <summary>The phase parameter φ, shape (batch, channels, height, width/2 + 1).</summary>
    public Parameter Phase => _phase;

    /// <summary>
    /// The raw image <c>irfft2(M · exp(iψ))</c> before standardisation and sigmoid (see the remarks); its
    /// orthonormal <c>|rfft2|</c> is <see cref="Magnitude"/>. Differentiable.
    /// </summary>
    /// <returns>A (batch, channels, height, width) tensor; the caller owns it.</returns>
    public Tensor CreateRawImage()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        using var scope = torch.NewDisposeScope();
        return RawImage().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The phase of a photo's spectrum, shaped for this parameterisation: <c>angle(rfft2(photo))</c>. Used to
    /// start MACO from a photo (feature accentuation).
    /// </summary>
    /// <param name="photo">(batch, channels, height, width) with this parameterisation's shape.</param>
    /// <returns>A new tensor; the caller owns it.</returns>
    internal static Tensor PhotoPhase(Tensor photo)
    {
        using var scope = torch.NewDisposeScope();
        var spectrum = torch.fft.rfft2(photo.to_type(ScalarType.Float32), norm: FFTNormType.Ortho);
        return spectrum.angle().MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override Tensor CreateImageCore()
    {
        var raw = RawImage();
        var mean = raw.mean([1, 2, 3], keepdim: true);
        var centred = raw.sub(mean);
        var deviation = centred.square().mean([1, 2, 3], keepdim: true).sqrt().add(StandardiseEpsilon);
        return centred.div(deviation).sigmoid();
    }

    private Tensor RawImage()
    {
        var antisymmetric = _phase.sub(_phase.index_select(2, _mirroredRows)).div(2);
        var phase = torch.where(_symmetricColumns, antisymmetric, _phase);
        var real = _magnitude.mul(phase.cos());
        var imaginary = _magnitude.mul(phase.sin());
        var spectrum = torch.complex(real, imaginary);
        return torch.fft.irfftn(spectrum, s: [Shape.Height, Shape.Width], dim: [-2, -1], norm: FFTNormType.Ortho);
    }

    /// <summary>Row k maps to row (−k) mod h.</summary>
    private static Tensor MirrorIndex(int height)
    {
        var index = new long[height];
        for (int k = 0; k < height; k++)
        {
            index[k] = (height - k) % height;
        }

        return torch.tensor(index, ScalarType.Int64);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _phase.Dispose();
            _magnitude.Dispose();
            _symmetricColumns.Dispose();
            _mirroredRows.Dispose();
        }
    }
}
