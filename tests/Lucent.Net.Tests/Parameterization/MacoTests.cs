using Lucent.Net.Objectives;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Testing;
using Lucent.Net.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Parameterization;

/// <summary>MACO: the magnitude spectrum file, the phase-only parameterisation and its invariant, the crops, the transparency map.</summary>
public class MacoTests
{
    private static MagnitudeSpectrum RandomSpectrum(int size, long seed)
    {
        using var generator = new Generator((ulong)seed, torch.CPU);
        using var images = torch.rand([3, 3, size + 5, size + 2], generator: generator);
        return MagnitudeSpectrum.FromImages([images], size);
    }

    [Theory]
    [InlineData(null, 1.0)]
    [InlineData(0.05, 0.05)]
    [InlineData(0.2, 0.2)]
    public void A_maco_render_uses_nadam_at_1_unless_a_learning_rate_is_set_even_lucents_own(double? set, double expected)
    {
        var options = new RenderOptions { Parameterization = new ImageOptions(16) { Maco = true } };
        if (set is double rate)
        {
            options = options with { LearningRate = rate };
        }

        using var parameter = new TorchSharp.Modules.Parameter(torch.zeros(2));
        using var optimizer = RenderDefaults.Optimizer(options)([parameter]);
        optimizer.Should().BeOfType<TorchSharp.Modules.NAdam>();
        optimizer.ParamGroups.Single().LearningRate.Should().Be(expected);
        options.LearningRate.Should().Be(set ?? RenderOptions.DefaultLearningRate, "the property still reads Lucent's default when unset");
    }

    [Theory]
    [InlineData(16, 16)]
    [InlineData(9, 7)]
    [InlineData(12, 10)]
    [InlineData(1, 6)]
    public void Raw_image_has_exactly_the_fixed_magnitude_spectrum(int height, int width)
    {
        using var maco = ImageParameterizations.Maco(width, height, batch: 2, spectrum: RandomSpectrum(16, 3), seed: 11);
        using var raw = maco.CreateRawImage();
        using var magnitude = torch.fft.rfft2(raw, norm: FFTNormType.Ortho).abs();

        raw.shape.Should().Equal(2, 3, height, width);
        magnitude.shape.Should().Equal(2, 3, height, (width / 2) + 1);
        using var expected = maco.Magnitude.unsqueeze(0).expand_as(magnitude);
        double error = magnitude.sub(expected).abs().max().ToDouble();
        error.Should().BeLessThan(1e-4 * Math.Max(1, maco.Magnitude.max().ToDouble()));
    }

    [Fact]
    public void Magnitude_at_the_spectrum_size_is_the_given_spectrum()
    {
        var spectrum = RandomSpectrum(12, 5);
        using var maco = ImageParameterizations.Maco(12, spectrum: spectrum, seed: 1);
        using var given = spectrum.ToTensor();
        maco.Magnitude.allclose(given, rtol: 1e-4, atol: 1e-5).Should().BeTrue("a spectrum computed from real images is already conjugate-symmetric");
    }

    [Fact]
    public void Invariant_holds_after_every_optimisation_step_and_only_the_phase_is_a_parameter()
    {
        using var maco = ImageParameterizations.Maco(10, 8, spectrum: RandomSpectrum(16, 2), seed: 4);
        maco.Parameters.Should().ContainSingle();
        maco.Parameters[0].shape.Should().Equal(1, 3, 8, 6);
        ReferenceEquals(maco.Parameters[0], maco.Phase).Should().BeTrue();
        maco.Magnitude.requires_grad.Should().BeFalse();
        using var before = maco.Magnitude.clone();
        using var optimizer = optim.NAdam(maco.Parameters, lr: 1.0);
        for (int step = 0; step < 5; step++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var image = maco.CreateImage();
            image.narrow(1, 0, 1).mean().neg().backward();
            optimizer.step();
            var raw = maco.CreateRawImage();
            var magnitude = torch.fft.rfft2(raw, norm: FFTNormType.Ortho).abs().squeeze(0);
            magnitude.sub(maco.Magnitude).abs().max().ToDouble().Should().BeLessThan(1e-4 * maco.Magnitude.max().ToDouble());
            image.min().ToDouble().Should().BeGreaterThanOrEqualTo(0);
            image.max().ToDouble().Should().BeLessThanOrEqualTo(1);
        }

        maco.Magnitude.allclose(before, rtol: 0, atol: 0).Should().BeTrue("the magnitude is never optimised");
    }

    [Fact]
    public void Image_is_the_standardised_raw_image_through_a_sigmoid()
    {
        using var maco = ImageParameterizations.Maco(8, spectrum: RandomSpectrum(8, 9), seed: 3);
        using var raw = maco.CreateRawImage();
        using var image = maco.CreateImage();
        using var standardised = raw.sub(raw.mean()).div(raw.std(unbiased: false).add(1e-5)).sigmoid();
        image.allclose(standardised, rtol: 1e-5, atol: 1e-6).Should().BeTrue();
    }

    [Fact]
    public void Seeded_maco_renders_are_deterministic_and_record_a_transparency_map()
    {
        using var model = new TinyConvNet(seed: 1);
        RenderOptions Options(long seed) => new()
        {
            Parameterization = new ImageOptions(16) { Maco = true, Spectrum = RandomSpectrum(16, 7) },
            Transforms = [new MacoCropTransform(crops: 2, outputSize: 16)],
            FixedImageSize = (16, 16),
            Thresholds = [4],
            Seed = seed,
        };

        var a = Renderer.Render(model, Objective.Channel("conv2", 1), Options(5));
        var b = Renderer.Render(model, Objective.Channel("conv2", 1), Options(5));
        var c = Renderer.Render(model, Objective.Channel("conv2", 1), Options(6));

        a.FinalImages.Pixels.Should().Equal(b.FinalImages.Pixels);
        a.FinalImages.Pixels.Should().NotEqual(c.FinalImages.Pixels);
        a.Transparency.Should().NotBeNull();
        a.Transparency!.Pixels.Should().Equal(b.Transparency!.Pixels);
        (a.Transparency.Batch, a.Transparency.Height, a.Transparency.Width, a.Transparency.Channels).Should().Be((1, 16, 16, 1));
        a.Transparency.Pixels.Should().OnlyContain(v => v >= 0 && v <= 1);
        a.Transparency.Pixels.Max().Should().Be(1f);
    }

    [Fact]
    public void Standard_renders_record_no_transparency_unless_asked()
    {
        using var model = new TinyConvNet(seed: 1);
        var options = new RenderOptions { Parameterization = new ImageOptions(16), Transforms = [], FixedImageSize = (16, 16), Thresholds = [2] };
        Renderer.Render(model, Objective.Channel("conv2", 1), options).Transparency.Should().BeNull();
        Renderer.Render(model, Objective.Channel("conv2", 1), options with { TransparencyMap = true }).Transparency.Should().NotBeNull();
    }

    [Fact]
    public void Crops_multiply_the_batch_follow_the_schedule_and_refuse_batches()
    {
        var crops = new MacoCropTransform(crops: 3, outputSize: 12);
        crops.Schedule(1, 11).Should().Be((0.5, 0.05));
        crops.Schedule(11, 11).BoxSize.Should().BeApproximately(0.05, 1e-12);
        crops.Schedule(11, 11).Noise.Should().Be(0);
        using var generator = new Generator(3, torch.CPU);
        var context = new TransformContext(generator) { Step = 2, TotalSteps = 4 };
        using var image = torch.rand([1, 3, 20, 20], generator: generator);
        using var output = crops.Apply(image, context);
        output.shape.Should().Equal(3, 3, 12, 12);
        using var two = torch.rand([2, 3, 20, 20], generator: generator);
        FluentActions.Invoking(() => crops.Apply(two, context)).Should().Throw<ArgumentException>().WithMessage("*one image*");
        FluentActions.Invoking(() => new MacoCropTransform(crops: 0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new MacoCropTransform(startBoxSize: 0.1, endBoxSize: 0.2)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Spectrum_file_round_trips()
    {
        var spectrum = RandomSpectrum(10, 1);
        var exact = MagnitudeSpectrum.FromBytes(spectrum.ToBytes(halfPrecision: false));
        exact.ToArray().Should().Equal(spectrum.ToArray());
        var half = MagnitudeSpectrum.FromBytes(spectrum.ToBytes());
        half.ToArray().Zip(spectrum.ToArray()).Should().OnlyContain(p => Math.Abs(p.First - p.Second) <= 1e-3 * Math.Max(1, p.Second));
        (half.Channels, half.Height, half.Width, half.Columns).Should().Be((3, 10, 10, 6));

        string path = Path.Combine(Path.GetTempPath(), $"lucent-spectrum-{Guid.NewGuid():N}.lmag");
        try
        {
            spectrum.Save(path, halfPrecision: false);
            MagnitudeSpectrum.Load(path).ToArray().Should().Equal(spectrum.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Spectrum_files_are_checked_as_untrusted_input()
    {
        var good = RandomSpectrum(4, 1).ToBytes(halfPrecision: false);
        Invalid([]).Should().Throw<InvalidMagnitudeSpectrumException>().WithMessage("*LMAG*");
        Invalid([.. "XMAG"u8, .. good[4..]]).Should().Throw<InvalidMagnitudeSpectrumException>().WithMessage("*LMAG*");
        Invalid(good[..^1]).Should().Throw<InvalidMagnitudeSpectrumException>().WithMessage("*truncated*");
        Invalid([.. good, 0]).Should().Throw<InvalidMagnitudeSpectrumException>().WithMessage("*trailing*");
        Invalid(With(good, 4, 9)).Should().Throw<InvalidMagnitudeSpectrumException>().WithMessage("*version 9*");
        Invalid(With(good, 6, 7)).Should().Throw<InvalidMagnitudeSpectrumException>().WithMessage("*value type 7*");
        Invalid(With(good, 8, 5)).Should().Throw<InvalidMagnitudeSpectrumException>().WithMessage("*1 to 4 channels*");
        Invalid(With(good, 10, 60000)).Should().Throw<InvalidMagnitudeSpectrumException>().WithMessage("*1 to 1024 pixels*");
        var nan = (byte[])good.Clone();
        BitConverter.GetBytes(float.NaN).CopyTo(nan, MagnitudeSpectrum.HeaderBytes + 8);
        Invalid(nan).Should().Throw<InvalidMagnitudeSpectrumException>().WithMessage("*Magnitude 2*finite*");
        var negative = (byte[])good.Clone();
        BitConverter.GetBytes(-1f).CopyTo(negative, MagnitudeSpectrum.HeaderBytes);
        Invalid(negative).Should().Throw<InvalidMagnitudeSpectrumException>().WithMessage("*not negative*");

        static Func<MagnitudeSpectrum> Invalid(byte[] bytes) => () => MagnitudeSpectrum.FromBytes(bytes);
        static byte[] With(byte[] bytes, int offset, ushort value)
        {
            var copy = (byte[])bytes.Clone();
            BitConverter.GetBytes(value).CopyTo(copy, offset);
            return copy;
        }
    }

    [Fact]
    public void Shipped_spectrum_is_a_224_pixel_natural_spectrum()
    {
        var spectrum = MagnitudeSpectrum.Default;
        (spectrum.Channels, spectrum.Height, spectrum.Width).Should().Be((3, 224, 224));
        var values = spectrum.ToArray();
        values.Should().OnlyContain(v => float.IsFinite(v) && v >= 0);

        // Natural images: energy falls with frequency, so the lowest non-zero frequency is far above the highest.
        int columns = spectrum.Columns;
        values[1].Should().BeGreaterThan(20 * values[(112 * columns) + 112]);
    }

    [Fact]
    public void Resizing_keeps_the_zero_frequency_and_refuses_bad_sizes()
    {
        var spectrum = RandomSpectrum(16, 4);
        var resized = spectrum.Resize(9, 12);
        (resized.Height, resized.Width, resized.Columns).Should().Be((9, 12, 7));
        resized.ToArray()[0].Should().BeApproximately(spectrum.ToArray()[0], 1e-3f);
        ReferenceEquals(spectrum.Resize(16, 16), spectrum).Should().BeTrue();
        FluentActions.Invoking(() => spectrum.Resize(0, 4)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => ImageParameterizations.Maco(2000)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Crops_are_a_transform_expression_and_their_name_parses_back()
    {
        var parsed = Lucent.Net.Expressions.TransformExpression.Parse("maco_crops(4, size=32, start=0.4, end=0.1, noise=0)");
        var crops = parsed.Should().BeOfType<MacoCropTransform>().Subject;
        (crops.Crops, crops.OutputSize, crops.StartBoxSize, crops.EndBoxSize, crops.Noise).Should().Be((4, 32, 0.4, 0.1, 0.0));
        Lucent.Net.Expressions.TransformExpression.Parse(crops.Name).Should().BeOfType<MacoCropTransform>().Which.Name.Should().Be(crops.Name);
    }
}
