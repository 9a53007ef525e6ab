using Lucent.Net.Activations;
using Lucent.Net.Objectives;
using Lucent.Net.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.Inversion;

/// <summary>Objective.ActivationDifference on small tensors, value and gradient worked out by hand.</summary>
public sealed class ActivationDifferenceTests
{
    public ActivationDifferenceTests() => LucentRuntime.EnsureInitialized();

    [Fact]
    public void Value_and_gradient_are_the_mean_squared_difference()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4 }, [1, 2, 1, 2]).requires_grad_();
        var target = tensor(new float[] { 0, 2, 5, 4 }, [1, 2, 1, 2]);
        var objective = Objective.ActivationDifference("l", target);

        var loss = objective.Compute(new LayerActivations(new Dictionary<string, Tensor> { ["l"] = a }));
        loss.backward();

        // Differences 1, 0, -2, 0: squares 1, 0, 4, 0, mean 5 / 4; gradient 2 · difference / 4.
        loss.ToDouble().Should().BeApproximately(1.25, 1e-6);
        a.grad!.data<float>().ToArray().Should().Equal(0.5f, 0f, -1f, 0f);
        objective.Name.Should().Be("activation_difference(l, [1, 2, 1, 2])");
        objective.Layers.Should().Equal("l");
    }

    [Fact]
    public void A_target_broadcasts_over_the_batch_and_batch_selects_one_element()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 1, 3, 5 }, [2, 2, 1, 1]);
        var target = tensor(new float[] { 1, 2 }, [1, 2, 1, 1]);
        var lookup = new LayerActivations(new Dictionary<string, Tensor> { ["l"] = a });

        // All: differences 0, -1, 2, 3 -> (0 + 1 + 4 + 9) / 4; element 1 only: 2, 3 -> 13 / 2.
        Objective.ActivationDifference("l", target).Compute(lookup).ToDouble().Should().BeApproximately(3.5, 1e-6);
        var second = Objective.ActivationDifference("l", target, batch: 1);
        second.Compute(lookup).ToDouble().Should().BeApproximately(6.5, 1e-6);
        second.Name.Should().Be("activation_difference(l, [1, 2, 1, 1], batch=1)");
    }

    [Fact]
    public void The_target_is_copied_when_the_objective_is_made()
    {
        using var scope = NewDisposeScope();
        var target = zeros([1, 1, 1, 2]);
        var objective = Objective.ActivationDifference("l", target);
        target.fill_(10);
        var a = ones([1, 1, 1, 2]);

        objective.Compute(new LayerActivations(new Dictionary<string, Tensor> { ["l"] = a })).ToDouble().Should().BeApproximately(1.0, 1e-6);
    }

    [Fact]
    public void A_target_of_another_shape_is_refused_naming_the_layer()
    {
        using var scope = NewDisposeScope();
        var objective = Objective.ActivationDifference("layer1", zeros([1, 64, 16, 16]));
        var lookup = new LayerActivations(new Dictionary<string, Tensor> { ["layer1"] = zeros([1, 64, 56, 56]) });

        var thrown = FluentActions.Invoking(() => objective.Compute(lookup)).Should().Throw<ObjectiveArgumentException>().Which;
        thrown.Layer.Should().Be("layer1");
        thrown.ParamName.Should().Be("target");
        thrown.Message.Should().Contain("[1, 64, 16, 16]").And.Contain("[1, 64, 56, 56]").And.Contain("layer 'layer1'");
    }

    [Fact]
    public void Bad_arguments_are_refused_when_the_objective_is_made()
    {
        using var scope = NewDisposeScope();
        FluentActions.Invoking(() => Objective.ActivationDifference(" ", zeros([1]))).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => Objective.ActivationDifference("l", zeros([0]))).Should().Throw<ArgumentException>().WithParameterName("target");
        FluentActions.Invoking(() => Objective.ActivationDifference("l", tensor(new[] { float.NaN }))).Should().Throw<ArgumentException>().WithParameterName("target");
        FluentActions.Invoking(() => Objective.ActivationDifference("l", zeros([1]), batch: -1)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
