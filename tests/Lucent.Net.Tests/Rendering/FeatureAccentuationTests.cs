using Lucent.Net.Images;
using Lucent.Net.Objectives;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Rendering;

/// <summary>Feature accentuation: parameterisations started from a photo, and the distance penalty.</summary>
public class FeatureAccentuationTests
{
    /// <summary>A smooth seeded "photo" with values in [0.05, 0.95].</summary>
    private static Tensor Photo(int size = 16, long seed = 3)
    {
        using var generator = new Generator((ulong)seed, torch.CPU);
        using var scope = torch.NewDisposeScope();
        var coarse = torch.rand([1, 3, 4, 4], generator: generator);
        var smooth = nn.functional.interpolate(coarse, [size, size], mode: InterpolationMode.Bilinear, align_corners: true);
        return smooth.mul(0.9).add(0.05).MoveToOuterDisposeScope();
    }

    private static RenderOptions Options(int steps = 6) => new()
    {
        Transforms = [],
        FixedImageSize = (16, 16),
        Thresholds = [steps],
        Seed = 2,
        LearningRate = 0.05,
    };

    [Theory]
    [InlineData(true, 16)]
    [InlineData(false, 16)]
    [InlineData(true, 15)]
    public void Fft_image_from_a_photo_starts_at_the_photo(bool decorrelate, int size)
    {
        using var photo = Photo(size);
        using var parameterization = ImageParameterizations.ImageFromPhoto(photo, decorrelate);
        using var image = parameterization.CreateImage();
        image.sub(photo).abs().max().ToDouble().Should().BeLessThan(1e-4);
    }

    [Fact]
    public void Maco_from_a_photo_takes_the_photos_phase()
    {
        using var photo = Photo();
        var ownSpectrum = MagnitudeSpectrum.FromImages([photo], 16);
        using var maco = ImageParameterizations.MacoFromPhoto(photo, ownSpectrum);
        using var raw = maco.CreateRawImage();

        // With the photo's own magnitude and phase the raw image is the photo, except for the few self-conjugate
        // frequencies MACO keeps positive (here the zero frequency, which is already positive).
        using var centredRaw = raw.sub(raw.mean());
        using var centredPhoto = photo.sub(photo.mean());
        double correlation = centredRaw.mul(centredPhoto).sum().ToDouble() / Math.Sqrt(centredRaw.square().sum().ToDouble() * centredPhoto.square().sum().ToDouble());
        correlation.Should().BeGreaterThan(0.95);
        maco.Parameters.Should().ContainSingle();
    }

    [Fact]
    public void Penalty_zero_is_the_plain_render_from_the_photo()
    {
        using var model = new TinyConvNet(seed: 1);
        using var photo = Photo();
        var objective = Objective.Channel("conv2", 2);
        var accentuated = FeatureAccentuation.Render(model, objective, photo, new AccentuationOptions { Penalty = 0 }, Options());
        var plain = Renderer.Render(model, objective, Options() with { Parameterization = ParameterizationFactory.From(_ => ImageParameterizations.ImageFromPhoto(photo)) });

        accentuated.FinalImages.Pixels.Zip(plain.FinalImages.Pixels).Should().OnlyContain(p => Math.Abs(p.First - p.Second) <= 1e-6);
        Difference(plain.FinalImages, photo).Should().BeGreaterThan(1e-3, "the plain render moved away from the photo, so the comparison means something");
    }

    [Fact]
    public void A_large_penalty_keeps_the_photo()
    {
        using var model = new TinyConvNet(seed: 1);
        using var photo = Photo();
        var objective = Objective.Channel("conv2", 2);
        var free = FeatureAccentuation.Render(model, objective, photo, new AccentuationOptions { Penalty = 0 }, Options(10));
        var held = FeatureAccentuation.Render(model, objective, photo, new AccentuationOptions { Penalty = 1e6 }, Options(10));

        // Adam moves every parameter by about the learning rate per step whatever the gradient's size, so even a huge
        // penalty leaves the parameters oscillating within about that of the photo's: a few hundredths of a pixel value.
        double heldAway = Difference(held.FinalImages, photo);
        double freeAway = Difference(free.FinalImages, photo);
        heldAway.Should().BeLessThan(0.03);
        freeAway.Should().BeGreaterThan(5 * heldAway, $"without the penalty the image moves {freeAway:G3} from the photo, with it {heldAway:G3}");
    }

    [Fact]
    public void Maco_accentuation_renders_and_refuses_bad_penalties()
    {
        using var model = new TinyConvNet(seed: 1);
        using var photo = Photo();
        var objective = Objective.Channel("conv2", 2);
        var result = FeatureAccentuation.Render(
            model,
            objective,
            photo,
            new AccentuationOptions { Parameterization = AccentuationParameterization.Maco, Spectrum = MagnitudeSpectrum.FromImages([photo], 16) },
            Options(3) with { Transforms = null });
        result.FinalImages.Height.Should().Be(16);
        result.Transparency.Should().NotBeNull();
        FluentActions.Invoking(() => FeatureAccentuation.Render(model, objective, photo, new AccentuationOptions { Penalty = -1 }, Options()))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*penalty*");
        using var grey = torch.rand([1, 1, 16, 16]);
        FluentActions.Invoking(() => FeatureAccentuation.Render(model, objective, grey, null, Options()))
            .Should().Throw<ArgumentException>().WithMessage("*(batch, 3, height, width)*");
    }

    /// <summary>The largest absolute pixel difference between a rendered image and the photo.</summary>
    private static double Difference(ImageBatch images, Tensor photo)
    {
        using var rendered = TensorImages.ToTensor(images);
        using var difference = rendered.sub(photo).abs().max();
        return difference.ToDouble();
    }
}
