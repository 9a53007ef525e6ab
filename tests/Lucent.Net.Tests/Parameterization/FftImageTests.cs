using System.Numerics;
using Lucent.Net.Parameterization;
using Lucent.Net.Runtime;
using Lucent.Net.Tests.Transforms;

namespace Lucent.Net.Tests.Parameterization;

public class FftImageTests
{
    public FftImageTests() => LucentRuntime.EnsureInitialized();

    // numpy.fft.fftfreq(n)[k]
    private static double FftFreq(int k, int n) => (k < (n + 1) / 2 ? k : k - n) / (double)n;

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(4, 6, 4)]
    [InlineData(5, 7, 5)]
    [InlineData(7, 5, 4)]
    [InlineData(3, 2, 2)]
    [InlineData(128, 128, 65)]
    public void Frequency_grid_matches_numpy_fftfreq_semantics(int h, int w, int expectedColumns)
    {
        FftImageParameterization.SpectrumColumns(w).Should().Be(expectedColumns);
        var grid = FftImageParameterization.FrequencyGrid(h, w);
        grid.GetLength(0).Should().Be(h);
        grid.GetLength(1).Should().Be(expectedColumns);
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < expectedColumns; x++)
            {
                // Columns: numpy rfftfreq(w) = x / w for x <= w // 2; for odd w one more column, fftfreq(w)[w // 2 + 1] (negative).
                double fx = x <= w / 2 ? x / (double)w : FftFreq(x, w);
                double fy = FftFreq(y, h);
                grid[y, x].Should().BeApproximately(Math.Sqrt((fx * fx) + (fy * fy)), 1e-15);
            }
        }
    }

    [Fact]
    public void Frequency_grid_small_values()
    {
        var grid = FftImageParameterization.FrequencyGrid(3, 4);
        // fy = [0, 1/3, -1/3], fx = [0, 0.25, -0.5] (numpy keeps the Nyquist entry negative; squared it is the same).
        grid[0, 0].Should().Be(0);
        grid[0, 2].Should().BeApproximately(0.5, 1e-15);
        grid[1, 1].Should().BeApproximately(Math.Sqrt((1 / 9.0) + (1 / 16.0)), 1e-15);
        grid[2, 0].Should().BeApproximately(1 / 3.0, 1e-15);
        var scale = FftImageParameterization.FrequencyScale(3, 4, 1.0);
        scale[0, 0].Should().Be(4f, "the DC entry is floored at 1 / max(w, h)");
        scale[0, 2].Should().BeApproximately(2f, 1e-6f);
    }

    [Theory]
    [InlineData(1, 3, 5, 7)]
    [InlineData(3, 3, 7, 5)]
    [InlineData(1, 3, 128, 128)]
    [InlineData(1, 1, 1, 1)]
    public void Shapes_of_parameters_and_images(int batch, int channels, int h, int w)
    {
        using var fft = ImageParameterizations.Fft(new ImageShape(batch, channels, h, w), seed: 1);
        fft.Parameters.Should().HaveCount(1);
        fft.Parameters[0].shape.Should().Equal(batch, channels, h, FftImageParameterization.SpectrumColumns(w), 2);
        fft.Parameters[0].requires_grad.Should().BeTrue();
        using var image = fft.CreateImage();
        image.shape.Should().Equal(batch, channels, h, w);
        fft.Shape.Should().Be(new ImageShape(batch, channels, h, w));
    }

    [Theory]
    [InlineData(3, 4)]
    [InlineData(4, 5)]
    [InlineData(2, 3)]
    public void Image_is_the_orthonormal_inverse_real_fft_of_the_scaled_spectrum_over_four(int h, int w)
    {
        using var fft = ImageParameterizations.Fft(new ImageShape(1, 1, h, w), standardDeviation: 1.0, seed: 5);
        int columns = FftImageParameterization.SpectrumColumns(w);
        var spectrum = TensorAssert.Values(fft.Parameters[0]);
        var scale = FftImageParameterization.FrequencyScale(h, w, 1.0);
        using var image = fft.CreateImage();
        var actual = TensorAssert.Values(image);

        // Reference: complex inverse DFT along y, then the Hermitian (c2r) inverse along x using columns 0..w/2.
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                double sum = 0;
                for (int k = 0; k <= w / 2; k++)
                {
                    Complex column = Complex.Zero;
                    for (int ky = 0; ky < h; ky++)
                    {
                        int at = ((ky * columns) + k) * 2;
                        var value = new Complex(spectrum[at], spectrum[at + 1]) * scale[ky, k];
                        column += value * Complex.Exp(new Complex(0, 2 * Math.PI * ky * y / h));
                    }

                    bool selfConjugate = k == 0 || (w % 2 == 0 && k == w / 2);
                    var term = column * Complex.Exp(new Complex(0, 2 * Math.PI * k * x / w));
                    sum += selfConjugate ? column.Real * Math.Cos(Math.PI * 2 * k * x / w) : 2 * term.Real;
                }

                double expected = sum / Math.Sqrt(h * w) / 4.0;
                actual[(y * w) + x].Should().BeApproximately((float)expected, 1e-4f, $"pixel ({y}, {x})");
            }
        }
    }

    [Fact]
    public void Gradients_reach_the_spectrum_and_skip_the_extra_odd_column()
    {
        using var fft = ImageParameterizations.Fft(new ImageShape(1, 1, 4, 5), seed: 2);
        using var image = fft.CreateImage();
        using var loss = image.square().sum();
        loss.backward();
        using var grad = fft.Parameters[0].grad!;
        var g = TensorAssert.Values(grad);
        int columns = 4;
        for (int y = 0; y < 4; y++)
        {
            g[((y * columns) + 3) * 2].Should().Be(0f, "the extra column for odd widths is dropped by the inverse FFT");
        }

        g.Select(Math.Abs).Sum().Should().BeGreaterThan(0f);
    }

    [Fact]
    public void Standard_deviation_sets_the_spread_of_the_initial_spectrum()
    {
        using var fft = ImageParameterizations.Fft(new ImageShape(1, 3, 32, 32), seed: 3);
        using var std = fft.Parameters[0].std();
        std.item<float>().Should().BeApproximately(0.01f, 0.001f);
    }

    [Fact]
    public void Bad_arguments_throw_argument_out_of_range()
    {
        var zeroWidth = () => ImageParameterizations.Fft(new ImageShape(1, 3, 4, 0));
        zeroWidth.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*at least 1*");
        var zeroSd = () => ImageParameterizations.Fft(new ImageShape(1, 3, 4, 4), standardDeviation: 0);
        zeroSd.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*standard deviation*");
        var badDecay = () => ImageParameterizations.Fft(new ImageShape(1, 3, 4, 4), decayPower: double.NaN);
        badDecay.Should().Throw<ArgumentOutOfRangeException>();
    }
}
