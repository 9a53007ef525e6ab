using System.Runtime.InteropServices;
using Google.Protobuf;
using Lucent.Net.ModelZoo.Onnx;
using Onnx;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.Onnx;

/// <summary>Hostile and malformed ONNX graphs end in an <see cref="OnnxImportException"/> at import, never in a TorchSharp exception or a module that cannot run.</summary>
public sealed class OnnxHostileGraphTests
{
    private static void ShouldRefuse(ModelProto model, string message)
    {
        var act = () =>
        {
            using var module = OnnxModel.Load(model);
        };
        act.Should().Throw<OnnxImportException>().WithMessage(message);
    }

    /// <summary>A graph whose Relu reads one float initializer with the given dims and value count (raw or typed).</summary>
    private static ModelProto WithInitializer(long[] dims, int values, bool raw, int dataType = 1)
    {
        var graph = new OnnxTestGraph([1, 2]);
        var proto = new TensorProto { Name = "w", DataType = dataType };
        proto.Dims.AddRange(dims);
        var data = new float[values];
        if (raw)
        {
            proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data.AsSpan()));
        }
        else
        {
            proto.FloatData.AddRange(data);
        }

        var add = new NodeProto { OpType = "Add", Name = "add" };
        add.Input.AddRange(["x", "w"]);
        add.Output.Add("y");
        var model = graph.Build("y");
        model.Graph.Initializer.Add(proto);
        model.Graph.Node.Add(add);
        return model;
    }

    public static TheoryData<long[], int, bool, string> BadInitializers() => new()
    {
        { [-1, 2], 2, false, "*negative dimension*" },
        { [2, -3], 6, true, "*negative dimension*" },
        { [1L << 40, 1L << 40], 0, true, "*overflows a 64-bit integer*" },
        { [1L << 32, 1L << 32, 1L << 32], 0, false, "*overflows*" },
        { [1L << 20, 1L << 20], 4, true, "*over the limit*values per tensor*" },
        { [2, 3], 5, false, "*shape [2, 3] (6 values) but stores 5 values*" },
        { [2, 3], 7, true, "*shape [2, 3] (6 values) but stores 7 values*" },
        { [0], 1, false, "*(0 values) but stores 1*" },
        { Enumerable.Repeat(1L, 17).ToArray(), 1, false, "*rank 17*" },
    };

    [Theory]
    [MemberData(nameof(BadInitializers))]
    public void Initializer_dims_are_checked_before_any_tensor_is_made(long[] dims, int values, bool raw, string message) =>
        ShouldRefuse(WithInitializer(dims, values, raw), message);

    [Fact]
    public void Raw_data_that_is_not_a_whole_number_of_values_is_refused()
    {
        var model = WithInitializer([2], 2, raw: true);
        model.Graph.Initializer[0].RawData = ByteString.CopyFrom(new byte[7]);
        ShouldRefuse(model, "*7 bytes of raw_data*4-byte*");
    }

    [Fact]
    public void Constant_nodes_get_the_same_checks()
    {
        var graph = new OnnxTestGraph([1, 2]);
        var value = new TensorProto { Name = "c", DataType = 1 };
        value.Dims.AddRange([-4L]);
        var c = graph.Node("Constant", [], n => n.Tensor("value", value));
        var y = graph.Node("Add", ["x", c], output: "y");
        ShouldRefuse(graph.Build(y), "*Constant node*negative dimension*");
    }

    private static ModelProto Conv(Action<NodeProto> configure, long[]? weight = null)
    {
        var graph = new OnnxTestGraph([1, 2, 8, 8]);
        var y = graph.Node("Conv", ["x", graph.Initializer(weight ?? [2, 2, 3, 3])], n =>
        {
            n.Ints("kernel_shape", 3, 3);
            configure(n);
        }, output: "y");
        return graph.Build(y);
    }

    public static TheoryData<string, string> BadConvAttributes() => new()
    {
        { "strides 0", "*'strides' holds 0*between 1 and 1024*" },
        { "strides -1", "*'strides' holds -1*" },
        { "dilations 0", "*'dilations' holds 0*" },
        { "dilations huge", "*'dilations' holds 100000*" },
        { "pads -1", "*'pads' holds -1*between 0 and 1024*" },
        { "pads huge", "*'pads' holds 1000000000*" },
        { "group 0", "*'group' is 0*between 1 and*" },
        { "group -2", "*'group' is -2*" },
        { "group as float", "*'group' is of type FLOAT*reads it as INT*" },
        { "strides as int", "*'strides' is of type INT*reads it as INTS*" },
        { "auto_pad as ints", "*'auto_pad' is of type INTS*reads it as STRING*" },
        { "repeated attribute", "*gives the attribute 'group' twice*" },
    };

    [Theory]
    [MemberData(nameof(BadConvAttributes))]
    public void Conv_attributes_that_can_never_run_are_refused_at_import(string what, string message)
    {
        Action<NodeProto> configure = what switch
        {
            "strides 0" => n => n.Ints("strides", 0, 1),
            "strides -1" => n => n.Ints("strides", 1, -1),
            "dilations 0" => n => n.Ints("dilations", 0, 0),
            "dilations huge" => n => n.Ints("dilations", 100_000, 1),
            "pads -1" => n => n.Ints("pads", -1, 0, 0, 0),
            "pads huge" => n => n.Ints("pads", 1_000_000_000, 0, 0, 0),
            "group 0" => n => n.Int("group", 0),
            "group -2" => n => n.Int("group", -2),
            "group as float" => n => n.Float("group", 1f),
            "strides as int" => n => n.Int("strides", 1),
            "auto_pad as ints" => n => n.Ints("auto_pad", 1),
            _ => n => n.Int("group", 1).Int("group", 1),
        };
        ShouldRefuse(Conv(configure), message);
    }

    [Fact]
    public void Kernel_sizes_pool_geometry_and_lrn_size_are_bounded()
    {
        ShouldRefuse(Conv(n => n.Attribute[0].Ints[0] = 0), "*kernel size 0*between 1 and 1024*");
        var pool = new OnnxTestGraph([1, 2, 8, 8]);
        ShouldRefuse(pool.Build(pool.Node("MaxPool", ["x"], n => n.Ints("kernel_shape", 2, 2).Ints("strides", 0, 2), output: "y")), "*'strides' holds 0*");
        var huge = new OnnxTestGraph([1, 2, 8, 8]);
        ShouldRefuse(huge.Build(huge.Node("AveragePool", ["x"], n => n.Ints("kernel_shape", 5000, 2), output: "y")), "*kernel size 5000*");
        var lrn = new OnnxTestGraph([1, 2, 8, 8]);
        ShouldRefuse(lrn.Build(lrn.Node("LRN", ["x"], n => n.Int("size", 1 << 30), output: "y")), "*'size' attribute between 1 and 1024*");
    }

    public static TheoryData<string, long, string> BadAxes() => new()
    {
        { "Concat", 99, "*'axis' is 99*between -16 and 15*" },
        { "Concat", -17, "*'axis' is -17*" },
        { "Flatten", 17, "*'axis' is 17*between -16 and 16*" },
        { "Softmax", long.MinValue, "*'axis' is -9223372036854775808*" },
    };

    [Theory]
    [MemberData(nameof(BadAxes))]
    public void Axes_that_no_tensor_can_have_are_refused_at_import(string op, long axis, string message)
    {
        var graph = new OnnxTestGraph([1, 2, 4, 4]);
        ShouldRefuse(graph.Build(graph.Node(op, ["x"], n => n.Int("axis", axis), output: "y")), message);
    }

    [Fact]
    public void An_axis_beyond_the_input_rank_fails_at_run_time_with_the_node_name()
    {
        var graph = new OnnxTestGraph([1, 2, 4, 4]);
        using var module = OnnxModel.Load(graph.Build(graph.Node("Concat", ["x", "x"], n => n.Int("axis", 5), name: "cat", output: "y")));
        using var scope = NewDisposeScope();
        var act = () => module.call(randn(1, 2, 4, 4));
        act.Should().Throw<InvalidOperationException>().WithMessage("*Node 'cat': axis 5 is out of range for a rank-4 input*");
    }

    public static TheoryData<string, int, string> WrongInputCounts() => new()
    {
        { "Relu", 2, "*has 2 inputs; the operator takes 1*" },
        { "Add", 1, "*has 1 inputs; the operator takes 2*" },
        { "Add", 3, "*has 3 inputs*" },
        { "Conv", 1, "*takes 2 to 3*" },
        { "Conv", 4, "*takes 2 to 3*" },
        { "BatchNormalization", 3, "*takes 5*" },
        { "Gemm", 4, "*takes 2 to 3*" },
        { "Constant", 1, "*takes 0*" },
        { "Concat", 0, "*takes at least 1*" },
        { "GlobalAveragePool", 0, "*takes 1*" },
    };

    [Theory]
    [MemberData(nameof(WrongInputCounts))]
    public void Nodes_with_the_wrong_number_of_inputs_are_refused(string op, int inputs, string message)
    {
        var graph = new OnnxTestGraph([1, 2, 4, 4]);
        var y = graph.Node(op, Enumerable.Repeat("x", inputs).ToArray(), n =>
        {
            if (op == "Conv")
            {
                n.Ints("kernel_shape", 1, 1);
            }
            else if (op == "Constant")
            {
                n.Attribute.Add(new AttributeProto { Name = "value_float", Type = AttributeProto.Types.AttributeType.Float, F = 1 });
            }
        }, output: "y");
        ShouldRefuse(graph.Build(y), message);
    }

    [Fact]
    public void Empty_required_inputs_and_nodes_without_outputs_are_refused()
    {
        var graph = new OnnxTestGraph([1, 2]);
        ShouldRefuse(graph.Build(graph.Node("Add", ["x", string.Empty], output: "y")), "*leaves its required input 1 empty*");

        var silent = new OnnxTestGraph([1, 2]);
        var y = silent.Node("Relu", ["x"], output: "y");
        var model = silent.Build(y);
        var orphan = new NodeProto { OpType = "Relu", Name = "orphan" };
        orphan.Input.Add("x");
        model.Graph.Node.Add(orphan);
        ShouldRefuse(model, "*'orphan' (Relu) has no output*");
    }

    [Fact]
    public void Duplicate_node_names_values_and_initializers_are_refused()
    {
        var graph = new OnnxTestGraph([1, 2]);
        var a = graph.Node("Relu", ["x"], name: "same");
        ShouldRefuse(graph.Build(graph.Node("Relu", [a], name: "same", output: "y")), "*two nodes named 'same'*");

        var twice = new OnnxTestGraph([1, 2]);
        twice.Node("Relu", ["x"], output: "v");
        ShouldRefuse(twice.Build(twice.Node("Sigmoid", ["x"], output: "v")), "*Value 'v' is produced by node*and also by node*");

        var input = new OnnxTestGraph([1, 2]);
        ShouldRefuse(input.Build(input.Node("Relu", ["x"], output: "x")), "*Value 'x'*also by a graph input*");

        var init = new OnnxTestGraph([1, 2]);
        init.Initializer([2], name: "w");
        init.Initializer([2], name: "w");
        ShouldRefuse(init.Build(init.Node("Add", ["x", "w"], output: "y")), "*two initializers named 'w'*");
    }

    [Fact]
    public void Seeded_random_attribute_and_dims_mutations_import_or_fail_with_onnx_import_exception()
    {
        var random = new Random(23);
        var outcomes = new Dictionary<string, int>();
        for (var trial = 0; trial < 150; trial++)
        {
            var graph = new OnnxTestGraph([1, 2, 8, 8]);
            long Pick() => random.Next(6) switch
            {
                0 => 0,
                1 => -random.Next(1, 5),
                2 => long.MaxValue - random.Next(3),
                3 => 1L << random.Next(20, 62),
                _ => random.Next(1, 4),
            };

            var weight = new long[] { Pick(), Pick(), 3, 3 };
            var proto = new TensorProto { Name = "w", DataType = 1 };
            proto.Dims.AddRange(weight);
            proto.FloatData.AddRange(new float[random.Next(0, 40)]);
            var y = graph.Node("Conv", ["x", "w"], n => n.Ints("kernel_shape", 3, 3).Ints("strides", Pick(), 1).Ints("pads", Pick(), 0, 0, 0).Int("group", Pick()), output: "y");
            var model = graph.Build(y);
            model.Graph.Initializer.Add(proto);
            string outcome;
            try
            {
                using var module = OnnxModel.Load(model);
                outcome = "imported";
            }
            catch (OnnxImportException)
            {
                outcome = nameof(OnnxImportException);
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        outcomes.Keys.Should().BeSubsetOf(["imported", nameof(OnnxImportException)]);
        outcomes[nameof(OnnxImportException)].Should().BeGreaterThan(100);
    }
}
