using ActivationMaximization;
using Lucent.Net.Activations;
using Lucent.Net.ModelZoo.ResNet;

namespace Lucent.Net.Samples.Tests;

public class LayerMappingTests
{
    [Fact]
    public void ResNet18_maps_each_tutorial_layer_to_the_stage_of_the_same_resolution()
    {
        LayerMapping.Map(ModelKind.ResNet18, "conv2d2").Should().Be("layer1");
        LayerMapping.Map(ModelKind.ResNet18, "mixed3a").Should().Be("layer2");
        LayerMapping.Map(ModelKind.ResNet18, "mixed4a").Should().Be("layer3");
        LayerMapping.Map(ModelKind.ResNet18, "mixed5a").Should().Be("layer4");
        LayerMapping.For(ModelKind.ResNet18).Select(m => m.TutorialLayer).Should().Equal(LayerMapping.TutorialLayers);
    }

    [Fact]
    public void InceptionV1_uses_the_tutorial_layers_themselves()
    {
        foreach (string layer in LayerMapping.TutorialLayers)
        {
            LayerMapping.Map(ModelKind.InceptionV1, layer).Should().Be(layer);
        }
    }

    [Fact]
    public void Unknown_tutorial_layer_is_an_error_naming_the_known_ones()
    {
        var act = () => LayerMapping.Map(ModelKind.ResNet18, "mixed4b");
        act.Should().Throw<ArgumentException>().WithMessage("*mixed4b*conv2d2, mixed3a, mixed4a, mixed5a*");
    }

    [Fact]
    public void Mapped_ResNet18_layers_exist_with_the_tutorial_layers_spatial_sizes()
    {
        // InceptionV1 at 224: conv2d2 56x56, mixed3a 28x28, mixed4a 14x14, mixed5a 7x7 (docs/inceptionv1.md).
        var expected = new Dictionary<string, long> { ["conv2d2"] = 56, ["mixed3a"] = 28, ["mixed4a"] = 14, ["mixed5a"] = 7 };
        using var model = PretrainedResNet18.Load();
        var shapes = ModelLayers.Describe(model, 224, 224).ToDictionary(l => l.Name, l => l.OutputShape);

        foreach (var map in LayerMapping.ResNet18)
        {
            shapes.Should().ContainKey(map.ModelLayer);
            var shape = shapes[map.ModelLayer];
            shape.Should().HaveCount(4);
            shape[2].Should().Be(expected[map.TutorialLayer], $"{map.ModelLayer} stands for {map.TutorialLayer}");
            shape[3].Should().Be(expected[map.TutorialLayer]);
            shape[1].Should().BeGreaterThan(Experiments.TestChannel, "the tutorial's channels must exist");
        }
    }

    [Fact]
    public void Experiments_follow_the_tutorial_layout()
    {
        var parts = Experiments.For(ModelKind.ResNet18, [1, 2, 3, 4]);

        parts.Select(p => (p.Rows, p.Columns, p.Jobs.Count())).Should().Equal((2, 5, 10), (1, 4, 4), (1, 3, 3), (1, 4, 4));
        parts[0].Jobs.Select(j => j.Objective).Should().Equal(Enumerable.Range(0, 10).Select(c => $"layer3:{c}"));
        parts[1].Jobs.Select(j => (j.Parameterization.Fft, j.Parameterization.Decorrelate)).Should().Equal((false, false), (true, false), (false, true), (true, true));
        parts[1].Jobs.Should().OnlyContain(j => j.Transforms == TransformSet.None && j.Objective == "layer3:5");
        parts[2].Jobs.Select(j => j.Transforms).Should().Equal(TransformSet.None, TransformSet.Jitter8, TransformSet.Standard);
        parts[3].Jobs.Select(j => j.Objective).Should().Equal("layer1:3", "layer2:3", "layer3:3", "layer4:3");
        parts.SelectMany(p => p.Jobs).Select(j => j.Id).Should().OnlyHaveUniqueItems();
    }
}
