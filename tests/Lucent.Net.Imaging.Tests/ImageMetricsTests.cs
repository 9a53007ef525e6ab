using System.Diagnostics;
using Lucent.Net.Images;

namespace Lucent.Net.Imaging.Tests;

public class ImageMetricsTests
{
    [Fact]
    public void Edge_coherence_is_one_for_stripes_zero_without_gradient_and_low_for_noise()
    {
        ImageMetrics.EdgeCoherence(TestImages.Sinusoid(32, 32, 3, cycles: 4)).Should().BeApproximately(1, 1e-6);
        ImageMetrics.EdgeCoherence(TestImages.Constant(16, 16, 3, 0.5f)).Should().Be(0);
        var random = new Random(7);
        var noise = new ImageBatch(Enumerable.Range(0, 64 * 64).Select(_ => (float)random.NextDouble()).ToArray(), 1, 64, 64, 1);
        ImageMetrics.EdgeCoherence(noise).Should().BeInRange(0.1, 0.35);
        var small = () => ImageMetrics.EdgeCoherence(TestImages.Constant(8, 8, 3, 0.5f), radius: 4);
        small.Should().Throw<ArgumentException>().WithMessage("*at least 11x11*");
    }

    [Fact]
    public void Structure_scale_is_the_wavelength_of_the_power_weighted_mean_frequency()
    {
        ImageMetrics.StructureScale(TestImages.Sinusoid(16, 32, 3, cycles: 1)).Should().BeApproximately(32, 1e-6, "one cycle over 32 px");
        ImageMetrics.StructureScale(TestImages.Sinusoid(16, 32, 1, cycles: 4)).Should().BeApproximately(8, 1e-6);
        ImageMetrics.StructureScale(TestImages.Checkerboard(16, 16, 3)).Should().BeApproximately(Math.Sqrt(2), 1e-6);
        ImageMetrics.StructureScale(TestImages.Constant(8, 8, 3, 0.4f)).Should().Be(0);
        var wrong = () => ImageMetrics.StructureScale(TestImages.Constant(8, 8, 3, 0.4f), index: 1);
        wrong.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData(SpectrumSource.Luminance)]
    [InlineData(SpectrumSource.PerChannel)]
    public void Constant_image_has_share_zero(SpectrumSource source)
    {
        ImageMetrics.HighFrequencyEnergyShare(TestImages.Constant(16, 12, 3, 0.3f), 0.1, source: source).Should().Be(0);
        ImageMetrics.HighFrequencyEnergyShare(TestImages.Constant(8, 8, 1, 0.7f), 0.0, source: source).Should().Be(0);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.25)]
    [InlineData(0.7)]
    public void Checkerboard_has_share_one(double cutoff)
    {
        ImageMetrics.HighFrequencyEnergyShare(TestImages.Checkerboard(16, 16, 3), cutoff).Should().BeApproximately(1, 1e-9);
        ImageMetrics.HighFrequencyEnergyShare(TestImages.Checkerboard(10, 14, 1), cutoff, source: SpectrumSource.PerChannel)
            .Should().BeApproximately(1, 1e-9);
    }

    [Fact]
    public void Low_frequency_sinusoid_has_share_zero_and_the_cutoff_is_strict()
    {
        ImageBatch sine = TestImages.Sinusoid(16, 32, 3, cycles: 1); // 1/32 cycles per pixel
        ImageMetrics.HighFrequencyEnergyShare(sine, 0.25).Should().BeLessThan(1e-9);
        ImageMetrics.HighFrequencyEnergyShare(sine, 0.03).Should().BeApproximately(1, 1e-9);  // 1/32 > 0.03
        ImageMetrics.HighFrequencyEnergyShare(sine, 0.03125).Should().BeLessThan(1e-9);      // not above itself
    }

    [Fact]
    public void Mixture_splits_energy_by_frequency()
    {
        // Equal-amplitude sinusoids at 2/32 and 12/32 cycles per pixel: half the power above 0.25.
        var pixels = new float[8 * 32];
        for (int y = 0; y < 8; y++)
        {
            for (int x = 0; x < 32; x++)
            {
                pixels[(y * 32) + x] = 0.5f + (0.2f * MathF.Cos(2 * MathF.PI * 2 * x / 32)) + (0.2f * MathF.Cos(2 * MathF.PI * 12 * x / 32));
            }
        }

        double share = ImageMetrics.HighFrequencyEnergyShare(new ImageBatch(pixels, 1, 8, 32, 1), 0.25);
        share.Should().BeApproximately(0.5, 1e-5);
    }

    [Fact]
    public void Noise_has_more_high_frequency_energy_and_larger_png_than_smooth_images()
    {
        ImageBatch noise = TestImages.Noise(32, 32, 3, seed: 3);
        ImageBatch smooth = TestImages.Sinusoid(32, 32, 3, cycles: 1);

        // White noise spreads power evenly: the share above 0.25 is the area outside that circle, about 1 - pi/16 = 0.80.
        ImageMetrics.HighFrequencyEnergyShare(noise, 0.25).Should().BeInRange(0.7, 0.9);
        ImageMetrics.PngBytesPerPixel(noise).Should().BeGreaterThan(2.5);
        ImageMetrics.PngBytesPerPixel(smooth).Should().BeLessThan(0.5);
        ImageMetrics.PngBytesPerPixel(noise).Should().Be(noise.ToPngBytes().Length / 1024.0);
    }

    [Theory]
    [InlineData(7, 9, 0.1)]
    [InlineData(8, 5, 0.3)]
    [InlineData(6, 6, 0.45)]
    public void Matches_a_naive_full_2d_dft_on_odd_and_even_sizes(int height, int width, double cutoff)
    {
        ImageBatch image = TestImages.Noise(height, width, 1, seed: height * width);
        double above = 0, total = 0;
        for (int l = 0; l < height; l++)
        {
            for (int k = 0; k < width; k++)
            {
                if (k == 0 && l == 0)
                {
                    continue;
                }

                double re = 0, im = 0;
                for (int y = 0; y < height; y++)
                {
                    for (int x = 0; x < width; x++)
                    {
                        double angle = -2 * Math.PI * ((k * x / (double)width) + (l * y / (double)height));
                        re += image[0, y, x, 0] * Math.Cos(angle);
                        im += image[0, y, x, 0] * Math.Sin(angle);
                    }
                }

                double fx = (k <= width / 2 ? k : k - width) / (double)width;
                double fy = (l <= height / 2 ? l : l - height) / (double)height;
                double power = (re * re) + (im * im);
                total += power;
                above += Math.Sqrt((fx * fx) + (fy * fy)) > cutoff ? power : 0;
            }
        }

        ImageMetrics.HighFrequencyEnergyShare(image, cutoff).Should().BeApproximately(above / total, 1e-9);
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        ImageBatch image = TestImages.Constant(4, 4, 3, 0f);
        var negative = () => ImageMetrics.HighFrequencyEnergyShare(image, -0.1);
        negative.Should().Throw<ArgumentOutOfRangeException>();
        var tooHigh = () => ImageMetrics.HighFrequencyEnergyShare(image, 0.8);
        tooHigh.Should().Throw<ArgumentOutOfRangeException>();
        var channels = () => ImageMetrics.HighFrequencyEnergyShare(TestImages.Gradient(1, 4, 4, 2), 0.1);
        channels.Should().Throw<ArgumentException>().WithMessage("*PerChannel*");
    }

    [Fact]
    public void A_224_pixel_image_is_measured_quickly()
    {
        ImageBatch image = TestImages.Noise(224, 224, 3, seed: 4);
        var watch = Stopwatch.StartNew();
        double share = ImageMetrics.HighFrequencyEnergyShare(image, 0.25);
        watch.Stop();

        share.Should().BeInRange(0.7, 0.9);
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }
}
