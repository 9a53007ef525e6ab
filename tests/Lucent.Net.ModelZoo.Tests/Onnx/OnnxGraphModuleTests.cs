using Google.Protobuf;
using Lucent.Net.ModelZoo.Onnx;
using Lucent.Net.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.Onnx;

/// <summary>Naming, hooks, aliases, redirected ReLU, loading and error reporting of the importer.</summary>
public sealed class OnnxGraphModuleTests
{
    private static (OnnxTestGraph Graph, string Output) SmallNetwork()
    {
        var graph = new OnnxTestGraph([1, 3, 8, 8]);
        var conv = graph.Node("Conv", ["x", graph.Initializer([4, 3, 3, 3]), graph.Initializer([4])],
            n => n.Ints("kernel_shape", 3, 3).Ints("pads", 1, 1, 1, 1), name: "features/conv.1");
        var relu = graph.Node("Relu", [conv], name: string.Empty, output: "relu:out");
        var pool = graph.Node("GlobalAveragePool", [relu], name: "input");
        var flat = graph.Node("Flatten", [pool], name: "features.conv.1");
        var y = graph.Node("Gemm", [flat, graph.Initializer([2, 4]), graph.Initializer([2])], n => n.Int("transB", 1), name: "9fc");
        return (graph, y);
    }

    [Fact]
    public void Every_node_is_a_registered_child_with_a_sanitised_unique_name_in_graph_order()
    {
        var (graph, output) = SmallNetwork();
        using var module = OnnxModel.Load(graph.Build(output));
        var children = module.named_children().Select(c => c.name).ToList();
        children.Should().Equal("features_conv_1", "relu_out", "input_2", "features_conv_1_2", "gemm_9fc");
        module.LayerNames.Should().Equal(children);
        module.Nodes.Select(n => n.OperatorType).Should().Equal("Conv", "Relu", "GlobalAveragePool", "Flatten", "Gemm");
        module.GetLayerName("relu:out").Should().Be("relu_out");
        module.GetLayerName("features/conv.1").Should().Be("features_conv_1");
        module.named_buffers().Should().NotBeEmpty("initializers become buffers of the nodes that read them");
    }

    [Fact]
    public void Forward_hooks_on_node_modules_see_each_node_output()
    {
        var (graph, output) = SmallNetwork();
        using var module = OnnxModel.Load(graph.Build(output));
        using var scope = NewDisposeScope();
        var seen = new Dictionary<string, long[]>();
        foreach (var node in module.Nodes)
        {
            var name = node.GetName();
            node.register_forward_hook((_, _, result) =>
            {
                seen[name] = result.shape;
                return result;
            });
        }

        var x = torch.randn(1, 3, 8, 8);
        var y = module.call(x);
        y.shape.Should().Equal(1, 2);
        seen.Keys.Should().BeEquivalentTo(module.LayerNames);
        seen["relu_out"].Should().Equal(1, 4, 8, 8);
        seen["input_2"].Should().Equal(1, 4, 1, 1);
    }

    [Fact]
    public void Node_with_constant_operands_can_be_called_on_its_own()
    {
        var (graph, output) = SmallNetwork();
        using var module = OnnxModel.Load(graph.Build(output));
        using var scope = NewDisposeScope();
        var conv = module.Nodes[0];
        var x = torch.randn(1, 3, 8, 8);
        var alone = conv.call(x);
        alone.shape.Should().Equal(1, 4, 8, 8);
    }

    [Fact]
    public void Layer_aliases_resolve_to_hook_names_and_bad_aliases_are_rejected()
    {
        var (graph, output) = SmallNetwork();
        var options = new OnnxImportOptions();
        options.LayerAliases["conv"] = "features/conv.1";
        options.LayerAliases["act"] = "relu:out";
        options.LayerAliases["logits"] = "gemm_9fc";
        using var module = OnnxModel.Load(graph.Build(output), options);
        ((ILayerAliases)module).LayerAliases.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["conv"] = "features_conv_1",
            ["act"] = "relu_out",
            ["logits"] = "gemm_9fc",
        });

        var bad = new OnnxImportOptions();
        bad.LayerAliases["x"] = "no_such_layer";
        var act = () => OnnxModel.Load(graph.Build(output), bad);
        act.Should().Throw<OnnxImportException>().WithMessage("*no_such_layer*");
    }

    [Fact]
    public void Redirected_relu_lets_a_tenth_of_the_gradient_through_negative_inputs_and_can_be_switched_off()
    {
        var graph = new OnnxTestGraph([1, 4]);
        var y = graph.Node("Relu", ["x"]);
        using var module = OnnxModel.Load(graph.Build(y));
        module.UseRedirectedRelu.Should().BeTrue("the redirected ReLU is the default");
        using var scope = NewDisposeScope();
        var x = torch.tensor(new float[] { -2f, -0.5f, 0.5f, 2f }, [1, 4]).requires_grad_(true);
        var output = module.call(x);
        output.data<float>().ToArray().Should().Equal(0f, 0f, 0.5f, 2f);
        output.sum().backward();
        x.grad!.data<float>().ToArray().Should().Equal(0.1f, 0.1f, 1f, 1f);

        module.UseRedirectedRelu = false;
        var plain = torch.tensor(new float[] { -2f, 2f }, [1, 2]).requires_grad_(true);
        module.call(plain).sum().backward();
        plain.grad!.data<float>().ToArray().Should().Equal(0f, 1f);
    }

    [Fact]
    public void Unsupported_operator_names_the_op_the_node_and_the_supported_list()
    {
        var graph = new OnnxTestGraph([1, 3, 4, 4]);
        var y = graph.Node("LSTM", ["x"], name: "rnn_1");
        var act = () => OnnxModel.Load(graph.Build(y));
        var error = act.Should().Throw<UnsupportedOnnxOperatorException>().Which;
        error.OperatorType.Should().Be("LSTM");
        error.NodeName.Should().Be("rnn_1");
        error.Message.Should().Contain("'LSTM'").And.Contain("rnn_1").And.Contain("Conv, ").And.Contain("Tanh");
        error.SupportedOperators.Should().Contain(["Conv", "BatchNormalization", "LRN", "Pad", "Softmax"]);
    }

    [Fact]
    public void Loads_from_stream_and_file_and_reports_invalid_data()
    {
        var (graph, output) = SmallNetwork();
        var bytes = graph.Build(output).ToByteArray();
        using (var stream = new MemoryStream(bytes))
        using (var fromStream = OnnxModel.Load(stream))
        {
            fromStream.Nodes.Should().HaveCount(5);
            fromStream.InputName.Should().Be("x");
            fromStream.OutputName.Should().Be(output);
            fromStream.Opset.Should().Be(13);
        }

        var path = Path.Combine(Path.GetTempPath(), $"lucent-onnx-{Guid.NewGuid():N}.onnx");
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path);
        try
        {
            using var fromFile = OnnxModel.Load(path);
            fromFile.Nodes.Should().HaveCount(5);
        }
        finally
        {
            File.Delete(path);
        }

        using var garbage = new MemoryStream([0xFF, 0xFF, 0xFF, 0x01, 0x02]);
        var act = () => OnnxModel.Load(garbage);
        act.Should().Throw<OnnxImportException>().WithMessage("*not a valid ONNX model*");
        var missing = () => OnnxModel.Load("/nonexistent/model.onnx");
        missing.Should().Throw<FileNotFoundException>();
    }

    [Fact]
    public void Using_a_secondary_output_is_reported()
    {
        var graph = new OnnxTestGraph([1, 3, 4, 4]);
        var pool = graph.Node("MaxPool", ["x"], n =>
        {
            n.Ints("kernel_shape", 2, 2);
            n.Output.Add("indices");
        });
        var y = graph.Node("Add", [pool, "indices"]);
        var act = () => OnnxModel.Load(graph.Build(y));
        act.Should().Throw<OnnxImportException>().WithMessage("*indices*first output*");
    }
}
