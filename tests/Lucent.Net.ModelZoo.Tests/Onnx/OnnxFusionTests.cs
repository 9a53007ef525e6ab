using Lucent.Net.ModelZoo.Onnx;

namespace Lucent.Net.ModelZoo.Tests.Onnx;

/// <summary>The layer normalisation spelt out before opset 17 is fused into one node, only when that is safe.</summary>
public sealed class OnnxFusionTests
{
    /// <summary>PyTorch 1.13's opset-13 spelling of LayerNorm over the last axis; returns (output, centred value).</summary>
    private static (string Output, string Centred) SpelledOutLayerNorm(OnnxTestGraph graph, string x)
    {
        var mean = graph.Node("ReduceMean", [x], n => n.Ints("axes", -1));
        var centred = graph.Node("Sub", [x, mean]);
        var squared = graph.Node("Pow", [centred, graph.Initializer([], [2f])]);
        var variance = graph.Node("ReduceMean", [squared], n => n.Ints("axes", -1));
        var shifted = graph.Node("Add", [variance, graph.Initializer([], [1e-5f])]);
        var deviation = graph.Node("Sqrt", [shifted]);
        var normalised = graph.Node("Div", [centred, deviation]);
        var scaled = graph.Node("Mul", [normalised, graph.Initializer([6])]);
        var output = graph.Node("Add", [scaled, graph.Initializer([6])], name: "norm_out");
        return (output, centred);
    }

    [Fact]
    public void The_spelled_out_layer_norm_becomes_one_node_with_the_same_values_and_hook_name()
    {
        var graph = new OnnxTestGraph([2, 5, 6]);
        var (y, _) = SpelledOutLayerNorm(graph, "x");
        using var module = OnnxModel.Load(graph.Build(y));
        module.Nodes.Select(n => n.OperatorType).Should().Equal("LayerNormalization");
        module.LayerNames.Should().Equal("norm_out");
        module.GetLayerName(y).Should().Be("norm_out");
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(1e-5);
    }

    [Fact]
    public void A_chain_whose_inner_value_is_read_elsewhere_is_left_alone()
    {
        var graph = new OnnxTestGraph([2, 5, 6]);
        var (normalised, centred) = SpelledOutLayerNorm(graph, "x");
        var y = graph.Node("Add", [normalised, centred]);
        using var module = OnnxModel.Load(graph.Build(y));
        module.Nodes.Should().NotContain(n => n.OperatorType == "LayerNormalization");
        graph.CompareWithOnnxRuntime(y).Should().BeLessThan(1e-5);
    }
}
