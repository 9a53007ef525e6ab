using Lucent.Net.Activations;
using Lucent.Net.Testing;
using Lucent.Net.Tests.TestSupport;

namespace Lucent.Net.Tests.Activations;

public class ModelLayersTests
{
    [Fact]
    public void Names_follow_lucent_naming_with_input_and_labels()
    {
        using var model = new TinyConvNet(seed: 1);
        ModelLayers.Names(model).Should().Equal("conv1", "relu1", "conv2", "relu2", "conv3", "relu3", "pool", "fc", IActivationLookup.Input, IActivationLookup.Labels);
    }

    [Fact]
    public void Nested_module_paths_are_joined_with_underscores()
    {
        using var model = TorchSharp.torch.nn.Sequential(("features", TorchSharp.torch.nn.Sequential(("0", TorchSharp.torch.nn.Conv2d(3, 4, 3)), ("1", TorchSharp.torch.nn.ReLU()))));
        ModelLayers.Names(model).Should().StartWith(["features", "features_0", "features_1"]);
    }

    [Fact]
    public void Describe_lists_output_shapes_for_an_input_size()
    {
        using var model = new TinyConvNet(seed: 1);
        var layers = ModelLayers.Describe(model, 32, 32);
        layers.Single(l => l.Name == "conv1").OutputShape.Should().Equal(1, 8, 32, 32);
        layers.Single(l => l.Name == "conv2").OutputShape.Should().Equal(1, 16, 16, 16);
        layers.Single(l => l.Name == "fc").FormatShape().Should().Be("[1, 10]");
        layers.Single(l => l.Name == IActivationLookup.Labels).OutputShape.Should().Equal(1, 10);
    }

    [Fact]
    public void Describe_marks_layers_that_cannot_be_computed_at_that_size()
    {
        using var model = new TinyConvNet(seed: 1);
        using var failing = model.FailBefore("conv3");
        var layers = ModelLayers.Describe(model, 8, 8);
        layers.Single(l => l.Name == "relu2").OutputShape.Should().Equal(1, 16, 4, 4);
        layers.Single(l => l.Name == "fc").OutputShape.Should().BeEmpty();
        layers.Single(l => l.Name == "fc").FormatShape().Should().Be("(not computed)");
    }

    [Fact]
    public void Closest_names_rank_prefixes_and_typos_first()
    {
        var names = new[] { "mixed3a", "mixed4a", "mixed4b", "mixed5a", "conv2d0", "mixed4a_3x3" };
        LayerNameMatcher.Closest("mixed4", names, 2).Should().Equal("mixed4a", "mixed4b");
        LayerNameMatcher.Closest("mixd4a", names, 1).Should().Equal("mixed4a");
    }
}
