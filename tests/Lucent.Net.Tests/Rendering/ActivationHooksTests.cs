using Lucent.Net.Activations;
using Lucent.Net.Objectives;
using Lucent.Net.Testing;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Rendering;

/// <summary>
/// Lucent's <c>hook_model</c> + <c>objective(hook).backward()</c> in a loop of your own (issue 21, item 5): the hooks
/// keep the activations with their graph, so a plain Adam loop raises a channel without the renderer.
/// </summary>
public sealed class ActivationHooksTests
{
    private static double ChannelMean(ActivationHooks hooks, Tensor image, int channel)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        hooks.Forward(image);
        return hooks["conv2"][.., channel].mean().ToDouble();
    }

    [Fact]
    public void A_custom_Adam_loop_raises_the_activation_through_the_hooks()
    {
        using var model = new TinyConvNet(seed: 1);
        model.eval();
        using var generator = new Generator(7, CPU);
        using var image = new Parameter(rand([1, 3, 16, 16], generator: generator));
        var objective = Objective.Channel("conv2", 3);
        using var hooks = ActivationHooks.Attach(model, objective.Layers);
        double before = ChannelMean(hooks, image, 3);

        // The loop Lucent's tests write by hand: hook, run, objective(hook).backward(), step.
        using var adam = optim.Adam([image], lr: 0.05);
        for (int step = 0; step < 20; step++)
        {
            using var scope = NewDisposeScope();
            adam.zero_grad();
            hooks.Forward(image);
            objective.Compute(hooks).backward();
            adam.step();
        }

        ChannelMean(hooks, image, 3).Should().BeGreaterThan(before + 0.01, "20 Adam steps on the channel's loss raise its mean activation");
    }

    [Fact]
    public void The_hooks_record_a_pass_the_caller_runs_with_the_graph_and_keep_the_latest()
    {
        using var scope = NewDisposeScope();
        using var model = new TinyConvNet(seed: 1);
        using var hooks = ActivationHooks.Attach(model, ["conv2"]);
        using var generator = new Generator(3, CPU);
        var image = rand([1, 3, 16, 16], generator: generator).requires_grad_(true);

        model.call(image);
        var first = hooks["conv2"];
        first.requires_grad.Should().BeTrue("the activation is the graph's own tensor, not a detached copy");
        first[.., 0].mean().backward();
        image.grad.Should().NotBeNull();

        var second = model.call(image.mul(2));
        hooks["conv2"].Should().NotBeSameAs(first, "a later pass replaces the layer's activation, as Lucent's hooks do");
        hooks.Forward(image).shape.Should().Equal(second.shape);
        hooks["labels"].shape.Should().Equal(1, 10);
        hooks["input"].Should().BeSameAs(image);
    }

    [Fact]
    public void Disposing_removes_the_hooks_and_unknown_layers_are_refused()
    {
        using var model = new TinyConvNet(seed: 1);
        FluentActions.Invoking(() => ActivationHooks.Attach(model, ["conv9"])).Should().Throw<UnknownLayerException>().WithMessage("*conv9*");

        var hooks = ActivationHooks.Attach(model, ["conv1"]);
        hooks.Dispose();
        FluentActions.Invoking(() => hooks["conv1"]).Should().Throw<ObjectDisposedException>();
        using var scope = NewDisposeScope();
        using var generator = new Generator(4, CPU);
        model.call(rand([1, 3, 8, 8], generator: generator));
        using var again = ActivationHooks.Attach(model, ["conv1"]);
        FluentActions.Invoking(() => again["conv1"]).Should().Throw<InvalidOperationException>("nothing ran since these hooks were attached");
    }
}
