using System.Diagnostics;
using Google.Protobuf;
using Lucent.Net.ModelZoo.ResNet;
using Lucent.Net.ModelZoo.Tests.Onnx;
using Lucent.Net.Modules;
using Lucent.Net.Transforms;
using Onnx;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.ResNet;

/// <summary>The pretrained ResNet-18 from NuGet: agreement with ONNX Runtime, aliases, file lookup.</summary>
[Collection("ResNet18")]
public sealed class ResNet18Tests
{
    private readonly ResNet18Model _model;
    private readonly ITestOutputHelper _output;

    public ResNet18Tests(ResNet18Fixture fixture, ITestOutputHelper output)
    {
        _model = fixture.Model;
        _output = output;
    }

    [Fact]
    public void Final_and_intermediate_outputs_match_onnx_runtime_within_1e4_relative()
    {
        // Stem ReLU, stem max pool (asymmetric pads), layer1, layer4_0 and the final pooled output.
        string[] values = ["ReLU253_Output_0", "Pooling255_Output_0", "ReLU283_Output_0", "ReLU365_Output_0", "Pooling395_Output_0"];
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(_model.ModelPath));
        foreach (var value in values.Where(v => model.Graph.Output.All(o => o.Name != v)))
        {
            model.Graph.Output.Add(OnnxTestGraph.ValueInfo(value));
        }

        long[] shape = [1, 3, 224, 224];
        var input = OnnxTestGraph.RandomValues(3 * 224 * 224, 42).Select(v => v * 120f).ToArray();
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions();
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(model.ToByteArray(), options);
        var tensor = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(input, [1, 3, 224, 224]);
        var clock = Stopwatch.StartNew();
        using var results = session.Run([Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor(_model.InputName, tensor)], values);
        var ortMs = clock.ElapsedMilliseconds;
        var expected = results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray());

        using var scope = NewDisposeScope();
        var captured = new Dictionary<string, Tensor>();
        var removers = new List<Action>();
        foreach (var value in values)
        {
            var node = _model.Nodes.Single(n => n.Outputs[0] == value);
            removers.Add(node.register_forward_hook((_, _, output) =>
            {
                captured[value] = output;
                return output;
            }).remove);
        }

        clock.Restart();
        using (torch.no_grad())
        {
            _model.call(torch.tensor(input, shape));
        }

        var oursMs = clock.ElapsedMilliseconds;
        removers.ForEach(remove => remove());
        var worst = 0.0;
        foreach (var value in values)
        {
            var error = OnnxTestGraph.RelativeError(captured[value].data<float>().ToArray(), expected[value]);
            _output.WriteLine($"{value} ({_model.GetLayerName(value)}): max |diff| / max |ref| = {error:E2}");
            error.Should().BeLessThan(1e-4, $"{value} must agree with ONNX Runtime");
            worst = Math.Max(worst, error);
        }

        _output.WriteLine($"max relative error {worst:E2}; forward: TorchSharp {oursMs} ms, ONNX Runtime {ortMs} ms");
    }

    [Fact]
    public void Torchvision_style_aliases_point_at_the_stem_blocks_stages_and_pool()
    {
        var aliases = ((ILayerAliases)_model).LayerAliases;
        aliases["conv1"].Should().Be("Convolution249");
        aliases["bn1"].Should().Be("BatchNormalization251");
        aliases["relu"].Should().Be("ReLU253");
        aliases["maxpool"].Should().Be("Pooling255");
        aliases["layer1_0"].Should().Be("ReLU269");
        aliases["layer1_1"].Should().Be("ReLU283");
        aliases["layer1"].Should().Be("ReLU283");
        aliases["layer2_0_downsample_0"].Should().Be("Convolution295");
        aliases["layer2_0_downsample_1"].Should().Be("BatchNormalization297");
        aliases["layer2_0_conv1"].Should().Be("Convolution285");
        aliases["layer2"].Should().Be("ReLU315");
        aliases["layer3"].Should().Be("ReLU347");
        aliases["layer4"].Should().Be("ReLU393");
        aliases["avgpool"].Should().Be("Pooling395");
        aliases.Keys.Should().Contain(Enumerable.Range(1, 4).SelectMany(s => new[] { $"layer{s}_0", $"layer{s}_1" }));
        // This CNTK export has blocks [2, 2, 2, 3] (torchvision's ResNet-18: [2, 2, 2, 2]): layer4 ends with a third block.
        aliases["layer4_2"].Should().Be("ReLU393");
        aliases.Keys.Should().NotContain(["layer1_2", "layer2_2", "layer3_2", "layer4_3"]);
        aliases.Keys.Should().NotContain("layer1_0_downsample_0", "the first block of layer1 keeps 64 channels and needs no projection");
        aliases.Keys.Should().NotContain("layer5");
        aliases.Values.Should().OnlyContain(layer => _model.LayerNames.Contains(layer));
    }

    [Fact]
    public void Stage_outputs_have_torchvision_shapes_at_224()
    {
        using var scope = NewDisposeScope();
        var aliases = ((ILayerAliases)_model).LayerAliases;
        var shapes = new Dictionary<string, long[]>();
        var removers = new List<Action>();
        foreach (var alias in new[] { "conv1", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool" })
        {
            var node = _model.Nodes.Single(n => n.GetName() == aliases[alias]);
            removers.Add(node.register_forward_hook((_, _, output) =>
            {
                shapes[alias] = output.shape;
                return output;
            }).remove);
        }

        using (torch.no_grad())
        {
            _model.call(torch.zeros(1, 3, 224, 224)).shape.Should().Equal(1, 512, 1, 1);
        }

        removers.ForEach(remove => remove());
        shapes["conv1"].Should().Equal(1, 64, 112, 112);
        shapes["maxpool"].Should().Equal(1, 64, 56, 56);
        shapes["layer1"].Should().Equal(1, 64, 56, 56);
        shapes["layer2"].Should().Equal(1, 128, 28, 28);
        shapes["layer3"].Should().Equal(1, 256, 14, 14);
        shapes["layer4"].Should().Equal(1, 512, 7, 7);
        shapes["avgpool"].Should().Equal(1, 512, 1, 1);
    }

    [Fact]
    public void Channels_last_gives_the_outputs_and_gradients_of_the_channels_first_graph()
    {
        _model.UseChannelsLast.Should().BeFalse("it measured no faster for this graph");
        using var generator = new Generator(3, torch.CPU);
        using var image = torch.rand([2, 3, 224, 224], generator: generator).mul(255).sub(115);
        var (firstOutput, firstGradient) = OutputAndGradient(image);
        _model.UseChannelsLast = true;
        try
        {
            var (lastOutput, lastGradient) = OutputAndGradient(image);
            double scale = firstOutput.abs().max().ToDouble();
            (lastOutput.sub(firstOutput).abs().max().ToDouble() / scale).Should().BeLessThan(1e-4);
            // Rounding can flip max-pool near-ties, moving single gradient entries: compare as wholes.
            (lastGradient.sub(firstGradient).norm().ToDouble() / firstGradient.norm().ToDouble()).Should().BeLessThan(2e-2);
            foreach (var t in new[] { lastOutput, lastGradient })
            {
                t.Dispose();
            }
        }
        finally
        {
            _model.UseChannelsLast = false;
            firstOutput.Dispose();
            firstGradient.Dispose();
        }
    }

    private (Tensor Output, Tensor Gradient) OutputAndGradient(Tensor image)
    {
        using var input = image.detach().requires_grad_(true);
        using var output = _model.call(input);
        using var objective = output.select(1, 5).sum();
        var gradient = torch.autograd.grad([objective], [input])[0];
        return (output.detach().clone(), gradient);
    }

    [Fact]
    public void Model_reports_its_preprocessing_and_uses_the_redirected_relu_by_default()
    {
        _model.Should().BeAssignableTo<IPreprocessingProvider>();
        _model.UseRedirectedRelu.Should().BeTrue();
        _model.InputName.Should().Be("Input247");
        _model.OutputName.Should().Be("Pooling395_Output_0");
        _model.Nodes.Should().HaveCount(74, "the CNTK export has 22 Conv, 22 BatchNormalization, 19 Relu, 9 Add and 2 pooling nodes");
        _model.Nodes.Select(n => n.OperatorType).Distinct().Should().BeEquivalentTo(
            ["Conv", "BatchNormalization", "Relu", "MaxPool", "Add", "AveragePool"]);

        using var scope = NewDisposeScope();
        var image = torch.tensor(new float[] { 1f, 0f, 0f, 0.5f, 0f, 1f }, [1, 3, 1, 2]);
        var context = TransformContext.FromSeed(0);
        using var generator = context.Generator;
        var transformed = _model.Preprocessing.Apply(image, context);
        // BGR order: channel 0 is blue (input channel 2), minus the per-channel means.
        transformed.data<float>().ToArray().Should().BeEquivalentTo(
            new[] { 0f - 103.06f, 255f - 103.06f, 0f - 115.90f, 127.5f - 115.90f, 255f - 123.15f, 0f - 123.15f },
            o => o.Using<float>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-3f)).WhenTypeIs<float>());
        _model.Preprocessing.Name.Should().Contain("BGR");
    }

    [Fact]
    public void Model_file_is_found_in_the_output_folder_and_a_missing_explicit_path_is_reported()
    {
        PretrainedResNet18.FindModelFile().Should().Be(Path.Combine(AppContext.BaseDirectory, PretrainedResNet18.RelativePath),
            "the package's build props copy the file next to the application");
        new FileInfo(_model.ModelPath).Length.Should().BeGreaterThan(60_000_000);

        var missing = () => PretrainedResNet18.Load(new ResNet18Options { ModelPath = "/nonexistent/ResNet18.onnx" });
        missing.Should().Throw<FileNotFoundException>().WithMessage("*ResNet18Options.ModelPath*");
    }
}
