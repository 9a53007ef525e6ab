using Lucent.Net.ModelZoo.Checkpoints;
using Lucent.Net.ModelZoo.Gan;
using Lucent.Net.Runtime;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.Gan;

public sealed class UpconvGeneratorTests
{
    public UpconvGeneratorTests() => LucentRuntime.EnsureInitialized();

    [Theory]
    [InlineData(UpconvGanVariant.Fc6, new long[] { 4096 })]
    [InlineData(UpconvGanVariant.Fc7, new long[] { 4096 })]
    [InlineData(UpconvGanVariant.Fc8, new long[] { 1000 })]
    [InlineData(UpconvGanVariant.Pool5, new long[] { 256, 6, 6 })]
    public void Each_generator_turns_a_batch_of_codes_into_256_pixel_rgb_images(UpconvGanVariant variant, long[] codeShape)
    {
        using var generator = new UpconvGenerator(variant, new UpconvGeneratorOptions { InitializationSeed = 1 });
        generator.CodeShape.Should().Equal(codeShape);
        using var scope = NewDisposeScope();
        using var random = new Generator(5);
        var code = randn([2, .. codeShape], generator: random);

        var raw = generator.call(code);
        var image = generator.Visualize(code);

        raw.shape.Should().Equal(2, 3, 256, 256);
        image.shape.Should().Equal(2, 3, 256, 256);
        image.min().item<float>().Should().BeGreaterThanOrEqualTo(0f);
        image.max().item<float>().Should().BeLessThanOrEqualTo(1f);
        raw.isfinite().all().item<bool>().Should().BeTrue();
        generator.parameters().Should().OnlyContain(p => !p.requires_grad, "Lucent freezes the generator (requires_grad_(False))");
        generator.parameters().Sum(p => p.numel()).Should().Be(UpconvGanWeights.ParameterCount(variant));
    }

    [Theory]
    [InlineData("fc6")]
    [InlineData("fc7")]
    [InlineData("fc8")]
    [InlineData("pool5")]
    public void State_dict_names_shapes_and_modules_match_a_pytorch_module_with_lucents_layers(string name)
    {
        using var generator = new UpconvGenerator(GanFixtures.Variant(name));
        var expected = GanFixtures.Structure(name);

        var stateDict = generator.state_dict();
        var expectedEntries = expected.GetProperty("state_dict").EnumerateArray()
            .Select(e => $"{e[0].GetString()} [{string.Join(", ", e[1].EnumerateArray().Select(d => d.GetInt64()))}]").ToList();
        stateDict.Select(e => $"{e.Key} [{string.Join(", ", e.Value.shape)}]").Should().Equal(expectedEntries);
        expectedEntries.Should().HaveCount(UpconvGenerator.TensorCount);
        generator.named_modules().Select(m => m.name).Should().Equal(expected.GetProperty("modules").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Output_is_rgb_order_of_the_network_and_the_image_adds_the_mean_then_clamps_and_scales()
    {
        using var generator = new UpconvGenerator(UpconvGanVariant.Pool5, GanFixtures.TinyWidths("pool5"), new UpconvGeneratorOptions { InitializationSeed = 3 });
        using var scope = NewDisposeScope();
        using var random = new Generator(2);
        var code = randn([1, 4, 6, 6], generator: random);

        var raw = generator.call(code);
        Tensor network = code;
        foreach (var (_, module) in generator.named_children())
        {
            network = ((nn.Module<Tensor, Tensor>)module).call(network);
        }

        raw.allclose(network.index_select(1, tensor(new long[] { 2, 1, 0 })), rtol: 0, atol: 0).Should().BeTrue("forward reverses BGR to RGB");
        var expected = raw.add(tensor(new float[] { 123, 117, 104 }).view(1, 3, 1, 1)).clamp(0, 255).div(255);
        generator.Visualize(code).allclose(expected, rtol: 0, atol: 1e-7).Should().BeTrue();
        generator.Visualize(code, scale: 2.0).allclose(expected.mul(2), rtol: 0, atol: 1e-6).Should().BeTrue();
    }

    [Theory]
    [InlineData(UpconvGanVariant.Fc8, new long[] { 2, 4096 })]
    [InlineData(UpconvGanVariant.Fc8, new long[] { 1000 })]
    [InlineData(UpconvGanVariant.Pool5, new long[] { 1, 256 })]
    [InlineData(UpconvGanVariant.Pool5, new long[] { 1, 256, 7, 7 })]
    public void A_code_of_the_wrong_shape_is_refused_with_the_shape_expected(UpconvGanVariant variant, long[] shape)
    {
        var widths = variant == UpconvGanVariant.Pool5 ? GanFixtures.TinyWidths("pool5") with { Code = 256 } : GanFixtures.TinyWidths("fc8") with { Code = 1000 };
        using var generator = new UpconvGenerator(variant, widths);
        using var code = zeros(shape);

        var act = () => generator.call(code).Dispose();

        act.Should().Throw<ArgumentException>().WithMessage($"*takes codes laid out (batch, {string.Join(", ", generator.CodeShape)})*[{string.Join(", ", shape)}]*");
    }

    [Fact]
    public void A_state_dict_of_another_variant_is_refused_and_nothing_is_copied()
    {
        using var pool5 = new UpconvGenerator(UpconvGanVariant.Pool5, GanFixtures.TinyWidths("pool5"), new UpconvGeneratorOptions { InitializationSeed = 1 });
        using var fc8 = new UpconvGenerator(UpconvGanVariant.Fc8, GanFixtures.TinyWidths("fc8"));
        using var before = pool5.get_parameter("deconv0.weight")!.clone();
        using var stateDict = PyTorchCheckpoint.ReadStateDict(GanFixtures.TinyPath("fc8"));

        var act = () => pool5.LoadStateDict(stateDict);

        act.Should().Throw<StateDictMismatchException>().WithMessage("*missing keys*Rconv6.weight*unexpected keys*defc7.weight*");
        pool5.get_parameter("deconv0.weight")!.allclose(before, rtol: 0, atol: 0).Should().BeTrue();
    }

    [Fact]
    public void Keys_with_lucents_dot_one_infix_load_as_lucent_renames_them()
    {
        using var source = new UpconvGenerator(UpconvGanVariant.Fc8, GanFixtures.TinyWidths("fc8"), new UpconvGeneratorOptions { InitializationSeed = 4 });
        using var target = new UpconvGenerator(UpconvGanVariant.Fc8, GanFixtures.TinyWidths("fc8"), new UpconvGeneratorOptions { InitializationSeed = 5 });
        var renamed = source.state_dict().ToDictionary(e => e.Key.Replace(".", ".1.", StringComparison.Ordinal), e => e.Value);

        target.LoadStateDict(renamed).MissingKeys.Should().BeEmpty();

        foreach (var ((name, a), (_, b)) in source.named_parameters().Zip(target.named_parameters()))
        {
            a.allclose(b, rtol: 0, atol: 0).Should().BeTrue(name);
            b.requires_grad.Should().BeFalse("loading keeps the weights frozen");
        }
    }

    [Fact]
    public void Loading_a_missing_file_says_which_file()
    {
        string path = Path.Combine(Path.GetTempPath(), $"no-such-gan-{Guid.NewGuid():N}.pt");

        var act = () => UpconvGenerator.LoadFromFile(UpconvGanVariant.Pool5, path);

        act.Should().Throw<FileNotFoundException>().WithMessage($"*{path}*");
    }
}
