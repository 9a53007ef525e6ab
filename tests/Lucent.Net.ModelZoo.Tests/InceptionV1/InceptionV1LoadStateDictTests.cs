using Lucent.Net.ModelZoo.InceptionV1;
using Lucent.Net.Runtime;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.InceptionV1;

public sealed class InceptionV1LoadStateDictTests : IDisposable
{
    private readonly InceptionV1Model _model;
    private readonly IReadOnlyDictionary<string, Tensor> _weights = DeterministicInceptionV1.SharedStateDict;

    public InceptionV1LoadStateDictTests()
    {
        LucentRuntime.EnsureInitialized();
        _model = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1 });
    }

    public void Dispose() => _model.Dispose();

    [Fact]
    public void Loads_every_tensor_by_value()
    {
        var result = _model.LoadStateDict(_weights);

        result.MissingKeys.Should().BeEmpty();
        result.UnexpectedKeys.Should().BeEmpty();
        foreach (var (name, parameter) in _model.named_parameters())
        {
            parameter.allclose(_weights[name], 0, 0).Should().BeTrue(name);
            ReferenceEquals(parameter, _weights[name]).Should().BeFalse("values are copied, the caller keeps its tensors");
        }
    }

    [Fact]
    public void Strict_load_reports_missing_and_unexpected_keys_and_loads_nothing()
    {
        using var before = Parameter("conv2d0_pre_relu_conv.weight").clone();
        var partial = _weights.Where(kv => kv.Key != "mixed4a_3x3_pre_relu_conv.bias").ToDictionary(StringComparer.Ordinal);
        partial["mixed4a_3x3_pre_relu_conv.bais"] = _weights["mixed4a_3x3_pre_relu_conv.bias"];

        var act = () => _model.LoadStateDict(partial);

        var error = act.Should().Throw<InceptionV1StateDictException>()
            .WithMessage("*Missing keys (1): mixed4a_3x3_pre_relu_conv.bias*Unexpected keys (1): mixed4a_3x3_pre_relu_conv.bais*strict: false*").Which;
        error.MissingKeys.Should().Equal("mixed4a_3x3_pre_relu_conv.bias");
        error.UnexpectedKeys.Should().Equal("mixed4a_3x3_pre_relu_conv.bais");
        error.MismatchedShapes.Should().BeEmpty();
        Parameter("conv2d0_pre_relu_conv.weight").allclose(before, 0, 0).Should().BeTrue("nothing is loaded when the check fails");
    }

    [Fact]
    public void Non_strict_load_copies_what_fits_and_reports_the_rest()
    {
        var partial = _weights.Where(kv => kv.Key.StartsWith("conv2d", StringComparison.Ordinal)).ToDictionary(StringComparer.Ordinal);
        using var extra = zeros(3);
        partial["num_batches_tracked"] = extra;

        var result = _model.LoadStateDict(partial, strict: false);

        result.MissingKeys.Should().HaveCount(110).And.Contain("softmax2_pre_activation_matmul.bias");
        result.UnexpectedKeys.Should().Equal("num_batches_tracked");
        Parameter("conv2d2_pre_relu_conv.weight").allclose(_weights["conv2d2_pre_relu_conv.weight"], 0, 0).Should().BeTrue();
    }

    [Fact]
    public void Shape_mismatch_is_an_error_even_when_not_strict()
    {
        var wrong = _weights.ToDictionary(StringComparer.Ordinal);
        using var transposed = _weights["softmax2_pre_activation_matmul.weight"].t();
        wrong["softmax2_pre_activation_matmul.weight"] = transposed;

        var act = () => _model.LoadStateDict(wrong, strict: false);

        act.Should().Throw<InceptionV1StateDictException>()
            .WithMessage("*softmax2_pre_activation_matmul.weight: expected shape [1008, 1024], got [1024, 1008]*")
            .Which.MismatchedShapes.Should().HaveCount(1);
    }

    private TorchSharp.Modules.Parameter Parameter(string name) =>
        _model.named_parameters().Single(p => p.name == name).parameter;
}
