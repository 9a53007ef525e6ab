using Lucent.Net.Activations;
using Lucent.Net.Rendering;
using Lucent.Net.Testing;
using Lucent.Net.Tests.TestSupport;
using Lucent.Net.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Rendering;

public class ObjectiveEvaluatorTests
{
    [Fact]
    public void Evaluates_the_objective_on_the_image_as_a_render_would_feed_it()
    {
        using var model = new TinyConvNet(seed: 1);
        using var scope = NewDisposeScope();
        using var generator = new Generator(2, CPU);
        var image = rand([1, 3, 16, 16], generator: generator);
        var options = new RenderOptions { Transforms = [], FixedImageSize = (16, 16) };

        double loss = ObjectiveEvaluator.Evaluate(model, Lucent.Net.Objectives.Objective.Channel("conv2", 3), image, options).Single();

        var normalised = new ImageNetNormalizeTransform().Apply(image, TransformContext.FromSeed(0));
        using var noGrad = no_grad();
        var expected = -model.LayerOutput("conv2", normalised)[.., 3].mean().ToDouble();
        loss.Should().BeApproximately(expected, 1e-6);
    }

    [Fact]
    public void Stops_the_forward_pass_and_draws_new_transforms_per_sample()
    {
        using var model = new TinyConvNet(seed: 1);
        using var conv2 = model.CountCalls("conv2");
        using var scope = NewDisposeScope();
        var image = full([1, 3, 16, 16], 0.5f);
        var options = new RenderOptions { Transforms = [Transform.Jitter(4)], FixedImageSize = (16, 16), Seed = 3 };

        var losses = ObjectiveEvaluator.Evaluate(model, Lucent.Net.Objectives.Objective.Channel("conv1", 0), image, options, samples: 6);

        losses.Should().HaveCount(6);
        losses.Distinct().Should().HaveCountGreaterThan(1, "each sample draws its own jitter");
        conv2.Count.Should().Be(0, "conv2 comes after the only layer the objective needs");
        ObjectiveEvaluator.Evaluate(model, Lucent.Net.Objectives.Objective.Channel("conv1", 0), image, options, samples: 6).Should().Equal(losses);
    }

    [Fact]
    public void Unknown_layers_are_reported()
    {
        using var model = new TinyConvNet(seed: 1);
        using var image = zeros(1, 3, 8, 8);
        var act = () => ObjectiveEvaluator.Evaluate(model, Lucent.Net.Objectives.Objective.Channel("conv9", 0), image);
        act.Should().Throw<UnknownLayerException>();
    }
}
