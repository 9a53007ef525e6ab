using System.Diagnostics;
using Lucent.Net.ModelZoo.Onnx;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.Onnx;

/// <summary>
/// Small-width torchvision 0.14 architectures of the families that need more than plain ConvNet
/// operators, exported by PyTorch 1.13 at opsets 13 and 17 (Fixtures/onnx): import, and match PyTorch's
/// output within 1e-4 of its largest magnitude.
/// </summary>
public sealed class OnnxArchitectureParityTests(ITestOutputHelper output)
{
    public static TheoryData<string, int> Architectures()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in new[] { "mnasnet", "mobilenet_v3_small", "mobilenet_v3_large", "shufflenet_v2", "convnext", "vit", "swin" })
        {
            data.Add(name, 13);
            data.Add(name, 17);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Imports_and_matches_pytorch(string name, int opset)
    {
        var fixture = OnnxPyTorchFixture.Load(name);
        var clock = Stopwatch.StartNew();
        using var model = OnnxModel.Load(OnnxPyTorchFixture.ModelPath(name, opset));
        var importTime = clock.Elapsed.TotalMilliseconds;
        model.Opset.Should().Be(opset);

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = OnnxPyTorchFixture.Input(fixture.InputShape, fixture.InputOffset);
        clock.Restart();
        var first = model.call(input);
        var firstTime = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        var second = model.call(input);
        var secondTime = clock.Elapsed.TotalMilliseconds;

        first.shape.Should().Equal(fixture.OutputShape);
        var error = OnnxTestGraph.RelativeError(first.data<float>().ToArray(), fixture.Output);
        var again = OnnxTestGraph.RelativeError(second.data<float>().ToArray(), fixture.Output);
        output.WriteLine($"{name} opset {opset}: {model.Nodes.Count} nodes, {model.FoldedNodeCount} folded; import {importTime:F0} ms, " +
            $"first forward {firstTime:F1} ms, second {secondTime:F1} ms; relative error {error:E2} (second run {again:E2})");
        error.Should().BeLessThan(1e-4, "the import must compute what PyTorch computes");
        again.Should().BeLessThan(1e-4, "a run that reuses the folded shape arithmetic must compute the same");
    }

    [Fact]
    public void Transformers_fold_their_shape_arithmetic_at_import()
    {
        using var swin = OnnxModel.Load(OnnxPyTorchFixture.ModelPath("swin", 13));
        swin.InputShape.Should().Equal(1L, 3L, 48L, 48L);
        swin.HasFoldedValues.Should().BeTrue("the graph input has a fixed shape, so its shape arithmetic is folded at import");
        var computing = swin.Nodes.Count(n => n.OperatorType != "Constant");
        swin.FoldedNodeCount.Should().BeGreaterThan(computing * 2 / 3, "most of an exported Swin's computing nodes are shape arithmetic and masks");
        output.WriteLine($"swin: {swin.Nodes.Count} nodes, {computing} not Constant, {swin.FoldedNodeCount} folded");
    }

    [Fact]
    public void A_graph_with_a_dynamic_batch_runs_batched_and_refolds_per_shape()
    {
        var fixture = OnnxPyTorchFixture.Load("vit");
        using var model = OnnxModel.Load(OnnxPyTorchFixture.ModelPath("vit", 17, "_dynbatch"));
        model.InputShape.Should().HaveCount(4);
        model.InputShape![0].Should().BeNull("the batch is symbolic");
        model.InputShape.Skip(1).Should().Equal(3L, 32L, 32L);

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var round in Enumerable.Range(0, 2))
        {
            var batch = model.call(OnnxPyTorchFixture.Input(fixture.BatchInputShape!, fixture.BatchInputOffset));
            batch.shape.Should().Equal(fixture.BatchOutputShape!);
            OnnxTestGraph.RelativeError(batch.data<float>().ToArray(), fixture.BatchOutput!).Should().BeLessThan(1e-4, $"batch of 2, round {round}");
            var single = model.call(OnnxPyTorchFixture.Input(fixture.InputShape, fixture.InputOffset));
            OnnxTestGraph.RelativeError(single.data<float>().ToArray(), fixture.Output).Should().BeLessThan(1e-4, $"batch of 1, round {round}");
        }
    }
}

/// <summary>
/// Small PyTorch models per operator group (Fixtures/onnx/ops_*.onnx, exported by PyTorch 1.13 at opsets
/// 11 to 17): Resize modes, activations, elementwise math, reductions, shape and indexing operators,
/// Einsum, normalisations and masks with Where. Each must match PyTorch within 1e-5 of the output's maximum.
/// </summary>
public sealed class OnnxOperatorParityTests(ITestOutputHelper output)
{
    public static TheoryData<string, int> OperatorModels()
    {
        var data = new TheoryData<string, int>();
        foreach (var kind in new[] { "resize", "activations", "math", "reduce", "shape", "einsum", "norm", "where" })
        {
            foreach (var opset in kind == "einsum" ? new[] { 12, 13, 17 } : [11, 13, 17])
            {
                data.Add(kind, opset);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(OperatorModels))]
    public void Matches_pytorch(string kind, int opset)
    {
        var fixture = OnnxPyTorchFixture.Load("ops_" + kind);
        using var model = OnnxModel.Load(OnnxPyTorchFixture.ModelPath("ops_" + kind, opset));
        using var scope = NewDisposeScope();
        var result = model.call(OnnxPyTorchFixture.Input(fixture.InputShape, fixture.InputOffset));
        result.shape.Should().Equal(fixture.OutputShape);
        var error = OnnxTestGraph.RelativeError(result.data<float>().ToArray(), fixture.Output);
        output.WriteLine($"ops_{kind} opset {opset}: {string.Join(", ", model.Nodes.Select(n => n.OperatorType).Distinct().Order())}; relative error {error:E2}");
        error.Should().BeLessThan(1e-5);
    }
}
