using Lucent.Net.Parameterization;
using Lucent.Net.Runtime;
using Lucent.Net.Tests.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Parameterization;

[Collection(Lucent.Net.Tests.TestSupport.GlobalRandomStateCollection.Name)]
public class ImageParameterizationTests
{
    public ImageParameterizationTests() => LucentRuntime.EnsureInitialized();

    [Fact]
    public void Decorrelation_matrix_is_c_over_its_largest_column_norm()
    {
        double[,] c = { { 0.26, 0.09, 0.02 }, { 0.27, 0.00, -0.05 }, { 0.27, -0.09, 0.03 } };
        double maxNorm = Math.Sqrt((0.26 * 0.26) + (0.27 * 0.27) + (0.27 * 0.27));
        ColorDecorrelation.MaxColumnNorm.Should().BeApproximately((float)maxNorm, 1e-6f);
        maxNorm.Should().BeApproximately(0.4619524, 1e-7);
        var m = ColorDecorrelation.GetNormalizedMatrix();
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                m[i, j].Should().BeApproximately((float)(c[i, j] / maxNorm), 1e-6f);
            }
        }

        m[0, 0].Should().BeApproximately(0.5628284f, 1e-6f);
        ColorDecorrelation.GetCorrelationSquareRoot()[1, 2].Should().Be(-0.05f);
    }

    [Fact]
    public void Decorrelate_multiplies_each_pixel_by_the_matrix()
    {
        using var image = torch.tensor(new float[] { 1, 2, 0, 0, 0, 1 }).view(1, 3, 1, 2);
        using var mixed = ColorDecorrelation.Decorrelate(image);
        var m = ColorDecorrelation.GetNormalizedMatrix();
        var v = TensorAssert.Values(mixed);
        // Pixel 0 = (1, 0, 0) -> column 0 of M; pixel 1 = (2, 0, 1) -> 2 * column 0 + column 2.
        for (int i = 0; i < 3; i++)
        {
            v[i * 2].Should().BeApproximately(m[i, 0], 1e-6f);
            v[(i * 2) + 1].Should().BeApproximately((2 * m[i, 0]) + m[i, 2], 1e-6f);
        }

        using var grey = torch.ones(1, 4, 2, 2);
        var act = () => ColorDecorrelation.Decorrelate(grey);
        act.Should().Throw<ArgumentException>().WithMessage("*3*");
    }

    [Theory]
    [InlineData(7, 5, 1, true)]
    [InlineData(5, 7, 3, true)]
    [InlineData(128, 128, 1, true)]
    [InlineData(7, 5, 3, false)]
    public void Image_has_the_requested_shape_and_values_in_unit_range(int width, int height, int batch, bool fft)
    {
        using var image = ImageParameterizations.Image(width, height, batch: batch, fft: fft, seed: 4);
        image.Shape.Should().Be(new ImageShape(batch, 3, height, width));
        image.Decorrelate.Should().BeTrue();
        image.Inner.Should().BeOfType(fft ? typeof(FftImageParameterization) : typeof(PixelImageParameterization));
        using var t = image.CreateImage();
        t.shape.Should().Equal(batch, 3, height, width);
        var v = TensorAssert.Values(t);
        v.Should().OnlyContain(x => x >= 0f && x <= 1f);
        v.Should().Contain(x => x != 0.5f);
    }

    [Fact]
    public void Image_defaults_are_lucents()
    {
        using var image = ImageParameterizations.Image(16, seed: 1);
        image.Shape.Should().Be(new ImageShape(1, 3, 16, 16));
        image.Decorrelate.Should().BeTrue();
        var inner = image.Inner.Should().BeOfType<FftImageParameterization>().Subject;
        inner.StandardDeviation.Should().Be(0.01);
        inner.DecayPower.Should().Be(1);
        image.Name.Should().Be("image(16x16, batch 1, channels 3, fft, decorrelate)");
    }

    [Fact]
    public void Image_with_a_custom_channel_count_is_not_decorrelated()
    {
        using var grey = ImageParameterizations.Image(8, channels: 1, seed: 1);
        grey.Shape.Should().Be(new ImageShape(1, 1, 8, 8));
        grey.Decorrelate.Should().BeFalse();
        using var explicitRgb = ImageParameterizations.Image(8, channels: 3, seed: 1);
        explicitRgb.Decorrelate.Should().BeFalse("Lucent turns decorrelation off whenever channels is given");
        using var t = grey.CreateImage();
        t.shape.Should().Equal(1, 1, 8, 8);
    }

    [Fact]
    public void Image_is_sigmoid_of_decorrelated_inner_image()
    {
        using var image = ImageParameterizations.Image(6, 5, standardDeviation: 0.5, fft: false, seed: 9);
        using var raw = image.Inner.CreateImage();
        using var decorrelated = ColorDecorrelation.Decorrelate(raw);
        using var expected = decorrelated.sigmoid();
        using var actual = image.CreateImage();
        TensorAssert.Close(actual, expected, 1e-7f);
    }

    [Fact]
    public void Same_seed_gives_bit_identical_images_and_different_seeds_differ()
    {
        using var a = ImageParameterizations.Image(12, seed: 123);
        using var b = ImageParameterizations.Image(12, seed: 123);
        using var c = ImageParameterizations.Image(12, seed: 124);
        using var ia = a.CreateImage();
        using var ib = b.CreateImage();
        using var ic = c.CreateImage();
        TensorAssert.Values(ib).Should().Equal(TensorAssert.Values(ia));
        TensorAssert.Values(ic).Should().NotEqual(TensorAssert.Values(ia));

        using var g1 = new Generator(77);
        using var g2 = new Generator(77);
        using var p1 = ImageParameterizations.Pixel(new ImageShape(2, 3, 3, 3), generator: g1);
        using var p2 = ImageParameterizations.Pixel(new ImageShape(2, 3, 3, 3), generator: g2);
        TensorAssert.Values(p1.Parameters[0]).Should().Equal(TensorAssert.Values(p2.Parameters[0]));
    }

    [Fact]
    public void Factories_do_not_touch_the_global_generator()
    {
        torch.manual_seed(1);
        using var before = torch.rand(4);
        torch.manual_seed(1);
        using (var image = ImageParameterizations.Image(8, seed: 5))
        using (var cppn = ImageParameterizations.Cppn(4, seed: 5))
        {
        }

        using var after = torch.rand(4);
        TensorAssert.Values(after).Should().Equal(TensorAssert.Values(before));
    }

    [Fact]
    public void Gradients_flow_to_the_parameters()
    {
        foreach (bool fft in new[] { true, false })
        {
            using var image = ImageParameterizations.Image(9, 7, batch: 2, fft: fft, seed: 3);
            using var t = image.CreateImage();
            using var loss = t.mean();
            loss.backward();
            using var grad = image.Parameters[0].grad!;
            grad.shape.Should().Equal(image.Parameters[0].shape);
            TensorAssert.Values(grad).Select(Math.Abs).Sum().Should().BeGreaterThan(0f);
        }
    }

    [Fact]
    public void Adam_steps_change_the_image()
    {
        using var image = ImageParameterizations.Image(8, seed: 2);
        using var optimizer = torch.optim.Adam(image.Parameters, lr: 0.05);
        using var first = image.CreateImage();
        for (int step = 0; step < 3; step++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var t = image.CreateImage();
            var loss = -t.mean();
            loss.backward();
            optimizer.step();
        }

        using var last = image.CreateImage();
        using var firstMean = first.mean();
        using var lastMean = last.mean();
        lastMean.item<float>().Should().BeGreaterThan(firstMean.item<float>());
    }

    [Fact]
    public void Pixel_image_is_the_parameter_itself_with_lucents_spread()
    {
        using var pixel = ImageParameterizations.Pixel(new ImageShape(1, 3, 32, 32), seed: 8);
        using var image = pixel.CreateImage();
        TensorAssert.Values(image).Should().Equal(TensorAssert.Values(pixel.Parameters[0]));
        using var std = image.std();
        std.item<float>().Should().BeApproximately(0.01f, 0.001f);
        pixel.Parameters[0].requires_grad.Should().BeTrue();
    }

    [Fact]
    public void Disposed_parameterization_refuses_to_create_images()
    {
        var image = ImageParameterizations.Image(4, seed: 1);
        image.Dispose();
        image.Dispose();
        var act = () => image.CreateImage();
        act.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void Parameters_survive_the_callers_dispose_scope()
    {
        ValidRgbParameterization image;
        using (var scope = torch.NewDisposeScope())
        {
            image = ImageParameterizations.Image(4, seed: 1);
        }

        using (image)
        {
            using var t = image.CreateImage();
            t.shape.Should().Equal(1, 3, 4, 4);
        }
    }

    [Fact]
    public void Bad_arguments_throw_argument_out_of_range_with_clear_messages()
    {
        var cases = new Action[]
        {
            () => ImageParameterizations.Image(0),
            () => ImageParameterizations.Image(8, height: 0),
            () => ImageParameterizations.Image(8, batch: 0),
            () => ImageParameterizations.Image(8, standardDeviation: 0),
            () => ImageParameterizations.Image(8, standardDeviation: -1),
            () => ImageParameterizations.Image(8, standardDeviation: double.NaN),
            () => ImageParameterizations.Image(8, channels: 0),
            () => ImageParameterizations.Pixel(new ImageShape(0, 3, 4, 4)),
        };
        foreach (var act in cases)
        {
            act.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should().MatchRegex("at least 1|standard deviation");
        }

        using var g = new Generator(1);
        var both = () => ImageParameterizations.Image(8, generator: g, seed: 1);
        both.Should().Throw<ArgumentException>().WithMessage("*either a generator or a seed*");
        using var grey = ImageParameterizations.Pixel(new ImageShape(1, 2, 4, 4), seed: 1);
        var decorrelateGrey = () => ImageParameterizations.ToValidRgb(grey, decorrelate: true);
        decorrelateGrey.Should().Throw<ArgumentException>().WithMessage("*3 channels*");
    }

    [Fact]
    public void Lucent_shape_tuples_of_rank_two_to_four_give_image_shapes()
    {
        // Lucent's test_pixel: pixel_image((1, 1)) has one parameter of that shape and returns it.
        using var pixel = ImageParameterizations.Pixel(ImageShape.FromDimensions(1, 1), seed: 1);
        pixel.Parameters.Should().ContainSingle().Which.shape.Should().Equal(1, 1, 1, 1);
        using (var image = pixel.CreateImage())
        {
            image.shape.Should().Equal(1, 1, 1, 1);
        }

        ImageShape.FromDimensions(5, 7).Should().Be(new ImageShape(1, 1, 5, 7));
        ImageShape.FromDimensions(3, 5, 7).Should().Be(new ImageShape(1, 3, 5, 7));
        ImageShape.FromDimensions(6, 3, 128, 128).Should().Be(new ImageShape(6, 3, 128, 128));

        // Lucent's test_lowres with a rank-2 shape: (8, 8) from an underlying (4, 4).
        using var lowres = ImageParameterizations.LowResolution(ImageShape.FromDimensions(8, 8), ImageShape.FromDimensions(4, 4), seed: 2);
        lowres.Parameters.Should().ContainSingle().Which.shape.Should().Equal(1, 1, 4, 4);
        using (var image = lowres.CreateImage())
        {
            image.shape.Should().Equal(1, 1, 8, 8);
        }

        var five = () => ImageShape.FromDimensions(1, 2, 3, 4, 5);
        five.Should().Throw<ArgumentException>().WithMessage("Shape (1, 2, 3, 4, 5) has 5 sizes; give (height, width)*");
        var zero = () => ImageShape.FromDimensions(4, 0);
        zero.Should().Throw<ArgumentException>().WithMessage("Shape (4, 0) has size 0 at position 1*");
    }
}
