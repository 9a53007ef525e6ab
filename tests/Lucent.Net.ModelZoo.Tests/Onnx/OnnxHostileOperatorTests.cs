using System.Diagnostics;
using Lucent.Net.ModelZoo.Onnx;
using Onnx;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.Onnx;

/// <summary>
/// Hostile sizes and attributes of the shape-making operators: a tensor whose shape the graph computes
/// is bounded (2^28 values), so a huge ConstantOfShape, Expand, Tile, Range or Resize ends in an
/// <see cref="OnnxImportException"/> quickly, not in an out-of-memory; bad attributes are refused at import.
/// </summary>
public sealed class OnnxHostileOperatorTests
{
    private static void ShouldRefuseAtImport(ModelProto model, string message)
    {
        var clock = Stopwatch.StartNew();
        var act = () =>
        {
            using var module = OnnxModel.Load(model);
        };
        act.Should().Throw<OnnxImportException>().WithMessage(message);
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "refusing must not first try to allocate");
    }

    private static ModelProto ShapeMaker(Func<OnnxTestGraph, string> make)
    {
        var graph = new OnnxTestGraph([1, 2]);
        return graph.Build(graph.Node("Add", ["x", make(graph)], output: "y"));
    }

    [Fact]
    public void A_constant_of_huge_shape_is_refused_at_import()
    {
        var model = ShapeMaker(g => g.Node("ConstantOfShape", [g.Int64Initializer([1L << 20, 1L << 20, 2])]));
        ShouldRefuseAtImport(model, "*ConstantOfShape*over the limit of 268435456 values*");
    }

    [Fact]
    public void A_constant_of_negative_shape_is_refused_at_import()
    {
        var model = ShapeMaker(g => g.Node("ConstantOfShape", [g.Int64Initializer([-5, 2])]));
        ShouldRefuseAtImport(model, "*ConstantOfShape*negative dimension*");
    }

    [Fact]
    public void A_huge_range_is_refused_at_import()
    {
        var model = ShapeMaker(g =>
            g.Node("Cast", [g.Node("Range", [g.Int64Initializer([0], []), g.Int64Initializer([1L << 40], []), g.Int64Initializer([1], [])])], n => n.Int("to", 1)));
        ShouldRefuseAtImport(model, "*Range*over the limit*");
    }

    [Fact]
    public void A_huge_tile_of_a_constant_is_refused_at_import()
    {
        var model = ShapeMaker(g => g.Node("Tile", [g.Initializer([1, 2]), g.Int64Initializer([1L << 30, 1L << 30])]));
        ShouldRefuseAtImport(model, "*Tile*over the limit*");
    }

    [Fact]
    public void Expanding_the_input_to_a_huge_shape_fails_at_run_time_with_a_typed_error()
    {
        var graph = new OnnxTestGraph([1, 2]);
        using var module = OnnxModel.Load(graph.Build(graph.Node("Expand", ["x", graph.Int64Initializer([1L << 40, 1L << 20, 2])], output: "y")));
        using var scope = NewDisposeScope();
        var act = () => module.call(randn(1, 2));
        act.Should().Throw<OnnxImportException>().WithMessage("*Expand*over the limit*");
    }

    [Fact]
    public void Resizing_the_input_to_a_huge_size_fails_at_run_time_with_a_typed_error()
    {
        var graph = new OnnxTestGraph([1, 1, 2, 2]);
        var y = graph.Node("Resize", ["x", string.Empty, graph.Initializer([4], [1f, 1f, 1e6f, 1e6f])], n => n.String("mode", "nearest")
            .String("coordinate_transformation_mode", "asymmetric").String("nearest_mode", "floor"), output: "y");
        using var module = OnnxModel.Load(graph.Build(y));
        using var scope = NewDisposeScope();
        var act = () => module.call(randn(1, 1, 2, 2));
        act.Should().Throw<OnnxImportException>().WithMessage("*Resize*over the limit*");
    }

    public static TheoryData<string, Action<NodeProto>, string> BadAttributes() => new()
    {
        { "Transpose", n => n.Ints("perm", 0, 0, 1), "*perm [0, 0, 1] is not a permutation*" },
        { "Transpose", n => n.Ints("perm", 0, 99), "*'perm' holds 99*" },
        { "Einsum", n => n.String("equation", "ab;c->a"), "*Einsum*equation 'ab;c->a'*" },
        { "Cast", n => n.Int("to", 8), "*ONNX data type 8*" },
        { "Cast", _ => { }, "*lacks the required attribute 'to'*" },
        { "Mod", n => n.Int("fmod", 2), "*'fmod' is 2*between 0 and 1*" },
        { "Gelu", n => n.String("approximate", "fast"), "*approximate = 'fast'*" },
        { "Resize", n => n.String("mode", "linear").String("coordinate_transformation_mode", "tf_crop_and_resize"), "*tf_crop_and_resize*not supported*" },
        { "ReduceMean", n => n.Ints("axes", 1, 40), "*'axes' holds 40*" },
        { "Split", n => n.Int("axis", -99), "*'axis' is -99*" },
        { "ScatterND", n => n.String("reduction", "max"), "*reduction 'max'*" },
    };

    [Theory]
    [MemberData(nameof(BadAttributes))]
    public void Attributes_that_can_never_run_are_refused_at_import(string op, Action<NodeProto> configure, string message)
    {
        var graph = new OnnxTestGraph([1, 2, 4, 4], opset: op == "Gelu" ? 20 : 13);
        string[] inputs = op switch
        {
            "Einsum" => ["x"],
            "Mod" => ["x", "x"],
            "ScatterND" => ["x", graph.Int64Initializer([0], [1, 1]), graph.Initializer([1, 2, 4, 4])],
            _ => ["x"],
        };
        ShouldRefuseAtImport(graph.Build(graph.Node(op, inputs, configure, output: "y")), message);
    }

    [Fact]
    public void A_split_with_thousands_of_outputs_is_refused()
    {
        var graph = new OnnxTestGraph([1, 2]);
        var y = graph.Node("Split", ["x"], n =>
        {
            for (var i = 0; i < 5000; i++)
            {
                n.Output.Add($"part{i}");
            }
        }, output: "y");
        ShouldRefuseAtImport(graph.Build(y), "*5001 outputs*at most 4096*");
    }

    [Fact]
    public void A_gather_index_out_of_range_fails_with_the_node_name()
    {
        var graph = new OnnxTestGraph([2, 3]);
        using var module = OnnxModel.Load(graph.Build(graph.Node("Gather", ["x", graph.Int64Initializer([5])], n => n.Int("axis", 1), name: "pick", output: "y")));
        using var scope = NewDisposeScope();
        var act = () => module.call(randn(2, 3));
        act.Should().Throw<InvalidOperationException>().WithMessage("*Gather node 'pick'*outside [-3, 2]*");
    }
}

/// <summary>Folding at import is bounded: a huge declared input shape is not run at import.</summary>
public sealed class OnnxFoldingBoundsTests
{
    [Fact]
    public void A_huge_declared_input_is_not_run_at_import()
    {
        var graph = new OnnxTestGraph([1, 3, 100_000, 100_000]);
        var shape = graph.Node("Shape", ["x"]);
        var y = graph.Node("Reshape", ["x", graph.Node("Concat", [graph.Int64Initializer([-1]), graph.Node("Slice", [shape, graph.Int64Initializer([3]), graph.Int64Initializer([4])])], n => n.Int("axis", 0))], output: "y");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var module = OnnxModel.Load(graph.Build(y));
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
        module.HasFoldedValues.Should().BeFalse("3e10 input values are over the limit for running the graph at import");
        module.FoldedNodeCount.Should().Be(3, "Shape, Slice and Concat depend only on the input's shape");

        using var scope = NewDisposeScope();
        var result = module.call(randn(1, 3, 4, 5));
        result.shape.Should().Equal(12, 5);
        module.HasFoldedValues.Should().BeTrue("the first call folds at its own shape");
    }
}
