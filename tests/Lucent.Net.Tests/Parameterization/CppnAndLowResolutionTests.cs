using Lucent.Net.Parameterization;
using Lucent.Net.Runtime;
using Lucent.Net.Tests.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Parameterization;

public class CppnAndLowResolutionTests
{
    public CppnAndLowResolutionTests() => LucentRuntime.EnsureInitialized();

    [Fact]
    public void Cppn_starts_as_a_uniform_grey_image_of_the_requested_size()
    {
        using var cppn = ImageParameterizations.Cppn(16, seed: 1);
        cppn.Shape.Should().Be(new ImageShape(1, 3, 16, 16));
        using var image = cppn.CreateImage();
        image.shape.Should().Equal(1, 3, 16, 16);
        TensorAssert.Values(image).Should().OnlyContain(v => v == 0.5f, "the last convolution starts at zero, so the sigmoid gives 0.5");
    }

    [Fact]
    public void Cppn_layers_follow_lucent()
    {
        using var cppn = ImageParameterizations.Cppn(8, seed: 2);
        cppn.Parameters.Should().HaveCount(16);
        cppn.Parameters[0].shape.Should().Equal(24, 2, 1, 1);
        cppn.Parameters[1].shape.Should().Equal(24);
        for (int layer = 1; layer < 7; layer++)
        {
            cppn.Parameters[2 * layer].shape.Should().Equal(24, 48, 1, 1);
        }

        cppn.Parameters[14].shape.Should().Equal(3, 48, 1, 1);
        TensorAssert.Values(cppn.Parameters[14]).Should().OnlyContain(v => v == 0f);
        cppn.Parameters.Where((_, i) => i % 2 == 1).SelectMany(TensorAssert.Values).Should().OnlyContain(v => v == 0f, "biases start at zero");
        using var std = cppn.Parameters[2].std();
        std.item<float>().Should().BeApproximately((float)Math.Sqrt(1 / 48.0), 0.02f, "weights start normal with std sqrt(1 / in_channels)");
        cppn.Parameters.Should().OnlyContain(p => p.requires_grad);
    }

    [Fact]
    public void Cppn_activation_defaults_to_lucents_composite_and_can_be_replaced()
    {
        using var lucent = ImageParameterizations.Cppn(8, seed: 2);
        lucent.Activation.Should().BeSameAs(CppnActivation.Composite);
        lucent.Name.Should().Be("cppn(8, 8 layers x 24)");

        using var relu = ImageParameterizations.Cppn(8, new CppnOptions { Activation = CppnActivation.Relu, Layers = 3 }, seed: 2);
        relu.Name.Should().Be("cppn(8, 3 layers x 24, relu)");
        relu.Parameters[2].shape.Should().Equal(24, 24, 1, 1);
        relu.Parameters[4].shape.Should().Equal(3, 24, 1, 1);
        using (var generator = new Generator(3))
        using (torch.no_grad())
        {
            relu.Parameters[4].normal_(0, 1, generator: generator); // in place; returns the parameter itself
        }

        using var image = relu.CreateImage();
        image.shape.Should().Equal(1, 3, 8, 8);
        TensorAssert.Values(image).Should().OnlyContain(v => v > 0f && v < 1f);

        // Lucent's activation_fn is any module doubling the channels: a delegate with multiplier 2 is the same network.
        using var doubling = ImageParameterizations.Cppn(8, new CppnOptions { Activation = CppnActivation.Create("composite_copy", CppnParameterization.CompositeActivation, 2) }, seed: 2);
        doubling.Parameters.Select(p => p.shape).Should().BeEquivalentTo(lucent.Parameters.Select(p => p.shape), o => o.WithStrictOrdering());
        TensorAssert.Values(doubling.Parameters[2]).Should().Equal(TensorAssert.Values(lucent.Parameters[2]), "the same seed draws the same weights");
    }

    [Fact]
    public void Cppn_activation_with_the_wrong_channel_count_is_a_clear_error()
    {
        using var cppn = ImageParameterizations.Cppn(4, new CppnOptions { Activation = CppnActivation.Create("doubles", CppnParameterization.CompositeActivation) }, seed: 1);
        var act = () => cppn.CreateImage();
        act.Should().Throw<InvalidOperationException>().WithMessage("*'doubles'*[1, 24, 4, 4]*[1, 48, 4, 4]*multiplier of 1*");
        var bad = () => CppnActivation.Create("x", t => t, channelMultiplier: 0);
        bad.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Composite_activation_concatenates_scaled_atan_and_its_square()
    {
        using var x = torch.tensor(new float[] { 0f, 1f }).view(1, 2, 1, 1);
        using var y = CppnParameterization.CompositeActivation(x);
        y.shape.Should().Equal(1, 4, 1, 1);
        float a = MathF.Atan(1f);
        TensorAssert.Values(y).Should().Equal(0f, a / 0.67f, 0f, a * a / 0.6f);
    }

    [Fact]
    public void Cppn_gradients_reach_the_last_layer_and_it_learns_xor_corners()
    {
        // Lucent's test_cppn_fits_xor: corners (0,0) and (-1,-1) bright, the other two dark, within 200 Adam steps.
        using var cppn = ImageParameterizations.Cppn(16, seed: 0);
        using var optimizer = torch.optim.Adam(cppn.Parameters, lr: 0.01);
        bool fitted = false;
        for (int step = 0; step < 200 && !fitted; step++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var t = cppn.CreateImage();
            var loss = -(t[.., .., 0, 0].square() + (1 - t[.., .., -1, 0]).square() + t[.., .., -1, -1].square() + (1 - t[.., .., 0, -1]).square()).sum();
            loss.backward();
            if (step == 0)
            {
                TensorAssert.Values(cppn.Parameters[14].grad!).Select(Math.Abs).Sum().Should().BeGreaterThan(0f);
            }

            optimizer.step();
            var v = cppn.CreateImage();
            fitted = v[0, .., 0, 0].mean().item<float>() > 0.99f && v[0, .., -1, -1].mean().item<float>() > 0.99f
                && v[0, .., -1, 0].mean().item<float>() < 0.01f && v[0, .., 0, -1].mean().item<float>() < 0.01f;
        }

        fitted.Should().BeTrue("Lucent's CPPN fits the XOR corners within 200 steps");
    }

    [Fact]
    public void Cppn_with_instance_normalization_and_custom_sizes()
    {
        using var cppn = ImageParameterizations.Cppn(5, new CppnOptions { OutputChannels = 1, HiddenChannels = 4, Layers = 3, Normalize = true }, seed: 1);
        cppn.Parameters.Should().HaveCount(6);
        using var image = cppn.CreateImage();
        image.shape.Should().Equal(1, 1, 5, 5);
        var act = () => ImageParameterizations.Cppn(0);
        act.Should().Throw<ArgumentOutOfRangeException>();
        var noLayers = () => ImageParameterizations.Cppn(4, new CppnOptions { Layers = 0 });
        noLayers.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Cppn_is_reproducible_with_a_seed()
    {
        using var a = ImageParameterizations.Cppn(4, seed: 6);
        using var b = ImageParameterizations.Cppn(4, seed: 6);
        TensorAssert.Values(a.Parameters[4]).Should().Equal(TensorAssert.Values(b.Parameters[4]));
    }

    [Fact]
    public void Low_resolution_shapes_follow_lucents_test()
    {
        var shape = new ImageShape(6, 3, 128, 128);
        var underlying = new ImageShape(1, 3, 64, 64);
        using var plain = ImageParameterizations.LowResolution(shape, underlying, seed: 1);
        plain.Parameters[0].shape.Should().Equal(1, 3, 64, 64);
        using (var image = plain.CreateImage())
        {
            image.shape.Should().Equal(6, 3, 128, 128);
            using var first = image[0];
            using var last = image[5];
            TensorAssert.Values(last).Should().Equal(TensorAssert.Values(first), "a batch of 1 stretched to 6 repeats the image");
        }

        using var scalar = ImageParameterizations.LowResolution(new LowResolutionOptions(shape, underlying) { Offset = [5, 5, 5, 5] }, seed: 1);
        using (var image = scalar.CreateImage())
        {
            image.shape.Should().Equal(6, 3, 128, 128);
        }

        var options = new LowResolutionOptions(shape, underlying);
        // Lucent's offset=[1, False, 1, True]: True at index 3 is int(128 / 64 / 2) = 1.
        options.HalfRatioOffset(3).Should().Be(1);
        options.HalfRatioOffset(0).Should().Be(3);
        options.WithUniformOffset(5).Offset.Should().Equal(5, 5, 5, 5);
        options.WithHalfRatioOffset().Offset.Should().Equal(3, 0, 1, 1); // int(6/1/2), int(3/3/2), int(128/64/2) twice
        options.WithOffsets(LowResolutionOffset.Pixels(1), LowResolutionOffset.None, LowResolutionOffset.Pixels(1), LowResolutionOffset.HalfRatio).Offset.Should().Equal(1, 0, 1, 1);
        options.WithOffsets(LowResolutionOffset.HalfRatio, LowResolutionOffset.Pixels(2)).Offset.Should().Equal(3, 2);
        FluentActions.Invoking(() => options.WithOffsets(LowResolutionOffset.None)).Should().Throw<ArgumentException>().WithMessage("*2 entries*4*got 1*");
        FluentActions.Invoking(() => options.WithUniformOffset(-1)).Should().Throw<ArgumentOutOfRangeException>();
        using var list = ImageParameterizations.LowResolution(options.WithOffsets(LowResolutionOffset.Pixels(1), LowResolutionOffset.None, LowResolutionOffset.Pixels(1), LowResolutionOffset.HalfRatio), seed: 1);
        using (var image = list.CreateImage())
        {
            image.shape.Should().Equal(6, 3, 128, 128);
        }
    }

    [Fact]
    public void Low_resolution_interpolates_bilinearly_with_corners_aligned()
    {
        using var lowres = ImageParameterizations.LowResolution(new ImageShape(1, 1, 3, 3), new ImageShape(1, 1, 2, 2), seed: 2);
        var u = TensorAssert.Values(lowres.Parameters[0]);
        using var image = lowres.CreateImage();
        var v = TensorAssert.Values(image);
        v[0].Should().Be(u[0]);
        v[2].Should().Be(u[1]);
        v[8].Should().Be(u[3]);
        v[4].Should().BeApproximately(u.Average(), 1e-7f);
    }

    [Fact]
    public void Low_resolution_offset_shifts_with_reflection()
    {
        using var lowres = ImageParameterizations.LowResolution(
            new LowResolutionOptions(new ImageShape(1, 1, 4, 4), new ImageShape(1, 1, 4, 4)) { Offset = [1, 1, 2, 2], StandardDeviation = 1 },
            seed: 3);
        var u = TensorAssert.Values(lowres.Parameters[0]);
        using var image = lowres.CreateImage();
        var v = TensorAssert.Values(image);
        for (int y = 0; y < 4; y++)
        {
            for (int x = 0; x < 4; x++)
            {
                int sy = Math.Abs(y - 2), sx = Math.Abs(x - 1); // reflect: index -k reads k
                v[(y * 4) + x].Should().Be(u[(sy * 4) + sx], $"pixel ({y}, {x})");
            }
        }
    }

    [Fact]
    public void Low_resolution_rejects_bad_offsets_and_gradients_flow()
    {
        var shape = new ImageShape(1, 3, 8, 8);
        var tooBig = () => ImageParameterizations.LowResolution(new LowResolutionOptions(shape, shape) { Offset = [8, 0, 0, 0] });
        tooBig.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Offset entry 0*");
        var wrongCount = () => ImageParameterizations.LowResolution(new LowResolutionOptions(shape, shape) { Offset = [1, 1, 1] });
        wrongCount.Should().Throw<ArgumentOutOfRangeException>();
        var badShape = () => ImageParameterizations.LowResolution(shape, new ImageShape(1, 3, 0, 4));
        badShape.Should().Throw<ArgumentOutOfRangeException>();

        using var lowres = ImageParameterizations.LowResolution(new ImageShape(2, 3, 8, 8), new ImageShape(1, 3, 4, 4), seed: 1);
        using var image = lowres.CreateImage();
        using var loss = image.sum();
        loss.backward();
        using var grad = lowres.Parameters[0].grad!;
        TensorAssert.Values(grad).Should().OnlyContain(g => g > 0f);
    }
}
