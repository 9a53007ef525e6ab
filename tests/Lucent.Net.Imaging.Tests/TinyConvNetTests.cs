using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Lucent.Net.Activations;
using Lucent.Net.Objectives;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Imaging.Tests;

/// <summary>
/// <see cref="TinyConvNet"/>, the small model of Lucent.Net.Testing. Reference values from
/// <c>Fixtures/make_tiny_conv_net_fixture.py</c> (PyTorch 1.13 building the documented net from its description).
/// </summary>
public sealed class TinyConvNetTests
{
    [Fact]
    public void The_same_seed_gives_bit_identical_weights_whatever_the_global_generator_did()
    {
        using var a = new TinyConvNet(seed: 3);
        torch.rand(1000).Dispose(); // draw from the global generator in between
        using var b = new TinyConvNet(seed: 3);
        using var c = new TinyConvNet(seed: 4);

        var names = a.named_parameters().Select(p => p.name).ToList();
        names.Should().Equal("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "conv3.weight", "conv3.bias", "fc.weight", "fc.bias");
        foreach (var ((name, pa), (_, pb), (_, pc)) in a.named_parameters().Zip(b.named_parameters(), c.named_parameters()))
        {
            Values(pa).Should().Equal(Values(pb), $"{name} must depend on the seed only");
            Values(pa).Should().NotEqual(Values(pc), $"{name} must depend on the seed");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void The_weights_are_the_ones_pytorch_draws_from_the_documented_recipe(int index)
    {
        var reference = Fixture()[index];
        using var net = new TinyConvNet(reference.Seed, reference.Width, reference.Classes);

        var parameters = net.named_parameters().ToList();
        parameters.Select(p => p.name).Should().Equal(reference.Parameters.Select(p => p.Name));
        foreach (var ((name, parameter), expected) in parameters.Zip(reference.Parameters))
        {
            parameter.shape.Should().Equal(expected.Shape, name);
            float[] values = Values(parameter);
            values.Take(4).Should().Equal(expected.First.Select(v => (float)v), $"{name} starts like PyTorch's draw");
            Sha256(values).Should().Be(expected.Sha256, $"{name} must be bit-identical to PyTorch's draw");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void The_logits_match_pytorch_on_an_odd_sized_input(int index)
    {
        var reference = Fixture()[index];
        using var net = new TinyConvNet(reference.Seed, reference.Width, reference.Classes);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        var logits = net.call(FormulaInput(reference.InputShape));

        logits.shape.Should().Equal(reference.InputShape[0], reference.Classes);
        float[] values = Values(logits);
        for (int i = 0; i < values.Length; i++)
        {
            values[i].Should().BeApproximately((float)reference.Logits[i], 1e-5f, $"logit {i}");
        }
    }

    [Fact]
    public void ModelLayers_lists_the_documented_layer_names_in_forward_order()
    {
        using var net = new TinyConvNet();

        TinyConvNet.LayerNames.Should().Equal("conv1", "relu1", "conv2", "relu2", "conv3", "relu3", "pool", "fc");
        net.named_children().Select(c => c.name).Should().Equal(TinyConvNet.LayerNames);
        ModelLayers.Names(net).Should().Equal([.. TinyConvNet.LayerNames, IActivationLookup.Input, IActivationLookup.Labels]);
    }

    [Fact]
    public void Layer_shapes_follow_the_width_and_halve_twice_on_any_input_size()
    {
        using var net = new TinyConvNet(seed: 2, width: 3, classes: 4);
        net.Width.Should().Be(3);
        net.Classes.Should().Be(4);
        net.Seed.Should().Be(2);

        var layers = ModelLayers.Describe(net, 9, 13).ToDictionary(l => l.Name, l => l.OutputShape);
        layers["conv1"].Should().Equal(1, 3, 9, 13);
        layers["relu1"].Should().Equal(1, 3, 9, 13);
        layers["conv2"].Should().Equal(1, 6, 5, 7);
        layers["relu3"].Should().Equal(1, 6, 3, 4);
        layers["pool"].Should().Equal(1, 6, 1, 1);
        layers["fc"].Should().Equal(1, 4);
        layers[IActivationLookup.Labels].Should().Equal(1, 4);

        var smallest = ModelLayers.Describe(net, TinyConvNet.MinimumInputSize, TinyConvNet.MinimumInputSize).ToDictionary(l => l.Name, l => l.OutputShape);
        smallest["relu3"].Should().Equal(1, 6, 1, 1);
        smallest["fc"].Should().Equal(1, 4);
    }

    [Fact]
    public void A_two_step_render_raises_a_channel()
    {
        using var net = new TinyConvNet();
        var options = new RenderOptions
        {
            Parameterization = ParameterizationFactory.From(g => ImageParameterizations.Image(16, generator: g)),
            Transforms = [],
            Thresholds = [2],
            FixedImageSize = (16, 16),
            Seed = 1,
        };

        var result = Renderer.Render(net, Objective.Channel("conv2", 3), options);

        result.StopReason.Should().Be(RenderStopReason.Completed);
        result.Losses.Should().HaveCount(2);
        result.FinalLoss.Should().BeLessThan(result.InitialLoss, "one Adam step on the image raises conv2's channel 3 (the loss is minus its mean)");
        result.FinalImages.Height.Should().Be(16);
    }

    [Fact]
    public void Renders_with_the_default_transforms_on_a_small_image()
    {
        using var net = new TinyConvNet(seed: 5, width: 4);
        var options = new RenderOptions { Parameterization = ParameterizationFactory.From(g => ImageParameterizations.Image(12, generator: g)), Thresholds = [2], Seed = 2 };

        var result = Renderer.Render(net, Objective.Channel("relu3", 1) - (0.1 * Objective.Diversity("conv3")), options);

        result.StopReason.Should().Be(RenderStopReason.Completed);
        result.Losses.Should().HaveCount(2).And.OnlyContain(l => double.IsFinite(l));
    }

    [Fact]
    public void Bad_sizes_and_inputs_are_clear_errors()
    {
        var noWidth = () => new TinyConvNet(width: 0);
        noWidth.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("width").WithMessage("*at least 1*");
        var noClasses = () => new TinyConvNet(classes: -2);
        noClasses.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("classes").WithMessage("*at least 1*");

        using var net = new TinyConvNet();
        using var scope = NewDisposeScope();
        var unbatched = () => net.call(zeros(3, 8, 8));
        unbatched.Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("*[batch, 3, height, width]*[3, 8, 8]*unsqueeze(0)*");
        var rgba = () => net.call(zeros(1, 4, 8, 8));
        rgba.Should().Throw<ArgumentException>().WithMessage("*[1, 4, 8, 8]*3 channels*");
        var empty = () => net.call(zeros(1, 3, 0, 8));
        empty.Should().Throw<ArgumentException>().WithMessage("*at least 1*[1, 3, 0, 8]*");
    }

    private static Tensor FormulaInput(long[] shape)
    {
        long n = shape[0], c = shape[1], h = shape[2], w = shape[3];
        var values = new float[n * c * h * w];
        int i = 0;
        for (int a = 0; a < n; a++)
        {
            for (int b = 0; b < c; b++)
            {
                for (int y = 0; y < h; y++)
                {
                    for (int x = 0; x < w; x++)
                    {
                        values[i++] = (float)(0.5 + (0.45 * Math.Sin((0.9 * a) + (1.7 * b) + (0.37 * y) + (0.53 * x) + (0.11 * x * y))));
                    }
                }
            }
        }

        return tensor(values, shape);
    }

    private static float[] Values(Tensor t)
    {
        using var flat = t.detach().contiguous().flatten();
        return flat.data<float>().ToArray();
    }

    private static string Sha256(float[] values)
    {
        // Little-endian float32 bytes, as the fixture script hashes them.
        byte[] bytes = BitConverter.IsLittleEndian
            ? MemoryMarshal.AsBytes(values.AsSpan()).ToArray()
            : [.. values.SelectMany(v => BitConverter.GetBytes(v).Reverse())];
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    private static List<Case> Fixture()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "tiny_conv_net.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return [.. document.RootElement.GetProperty("cases").EnumerateArray().Select(c => new Case(
            c.GetProperty("seed").GetInt64(),
            c.GetProperty("width").GetInt32(),
            c.GetProperty("classes").GetInt32(),
            [.. c.GetProperty("parameters").EnumerateArray().Select(p => new Parameter(
                p.GetProperty("name").GetString()!,
                [.. p.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64())],
                p.GetProperty("sha256").GetString()!,
                [.. p.GetProperty("first").EnumerateArray().Select(v => v.GetDouble())]))],
            [.. c.GetProperty("input_shape").EnumerateArray().Select(s => s.GetInt64())],
            [.. c.GetProperty("logits").EnumerateArray().Select(v => v.GetDouble())]))];
    }

    private sealed record Parameter(string Name, long[] Shape, string Sha256, double[] First);

    private sealed record Case(long Seed, int Width, int Classes, Parameter[] Parameters, long[] InputShape, double[] Logits);
}
