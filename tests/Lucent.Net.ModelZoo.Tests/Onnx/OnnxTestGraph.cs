using System.Runtime.InteropServices;
using Google.Protobuf;
using Lucent.Net.ModelZoo.Onnx;
using Lucent.Net.Runtime;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.Onnx;

/// <summary>Builds small ONNX graphs in code (input "x", output "y") and compares us with ONNX Runtime.</summary>
internal sealed class OnnxTestGraph
{
    private readonly GraphProto _graph = new() { Name = "test" };
    private readonly long _opset;
    private readonly long[] _inputShape;
    private int _counter;

    public OnnxTestGraph(long[] inputShape, long opset = 13)
    {
        LucentRuntime.EnsureInitialized();
        _inputShape = inputShape;
        _opset = opset;
        _graph.Input.Add(ValueInfo("x", inputShape));
    }

    public static ValueInfoProto ValueInfo(string name, long[]? shape = null)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = 1 };
        if (shape is not null)
        {
            tensorType.Shape = new TensorShapeProto();
            foreach (var d in shape)
            {
                tensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
            }
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }

    /// <summary>Adds a float initializer (random unless values are given); alternates float_data and raw_data unless told.</summary>
    public string Initializer(long[] shape, float[]? values = null, bool? raw = null, string? name = null)
    {
        name ??= $"w{_counter++}";
        var count = (int)shape.Aggregate(1L, (a, b) => a * b);
        values ??= RandomValues(count, 1000 + _counter);
        var proto = new TensorProto { Name = name, DataType = 1 };
        proto.Dims.AddRange(shape);
        if (raw ?? (_counter % 2 == 0))
        {
            proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        else
        {
            proto.FloatData.AddRange(values);
        }

        _graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>Adds an int64 initializer (shapes, pads, axes).</summary>
    public string Int64Initializer(long[] values, string? name = null) => Int64Initializer(values, [values.Length], name);

    /// <summary>Adds an int64 initializer of any shape (an empty shape is a scalar).</summary>
    public string Int64Initializer(long[] values, long[] shape, string? name = null)
    {
        name ??= $"i{_counter++}";
        var proto = new TensorProto { Name = name, DataType = 7 };
        proto.Dims.AddRange(shape);
        proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        _graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>Adds a node; returns its (single) output name, "y" when <paramref name="output"/> says so.</summary>
    public string Node(string opType, string[] inputs, Action<NodeProto>? configure = null, string? output = null, string? name = null)
    {
        var node = new NodeProto { OpType = opType, Name = name ?? $"{opType.ToLowerInvariant()}_{_counter++}" };
        node.Input.AddRange(inputs);
        node.Output.Add(output ?? $"{node.Name}_out");
        configure?.Invoke(node);
        _graph.Node.Add(node);
        return node.Output[0];
    }

    public ModelProto Build(string output)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "lucent-tests", Graph = _graph.Clone() };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = _opset });
        model.Graph.Output.Add(ValueInfo(output));
        return model;
    }

    public static float[] RandomValues(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
    }

    /// <summary>Runs the graph in ONNX Runtime and in our importer on the same random input; returns max |diff| / max |ref|.</summary>
    public double CompareWithOnnxRuntime(string output, int seed = 7)
    {
        var model = Build(output);
        var input = RandomValues((int)_inputShape.Aggregate(1L, (a, b) => a * b), seed);
        var (expected, expectedShape) = RunOnnxRuntime(model, "x", input, _inputShape, output);
        using var scope = NewDisposeScope();
        using var module = OnnxModel.Load(model);
        var actual = module.call(torch.tensor(input, _inputShape));
        actual.shape.Should().Equal(expectedShape, "the output shape must match ONNX Runtime's");
        return RelativeError(actual.data<float>().ToArray(), expected);
    }

    public static (float[] Values, long[] Shape) RunOnnxRuntime(ModelProto model, string inputName, float[] input, long[] shape, string output)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(model.ToByteArray(), options);
        var tensor = new DenseTensor<float>(input, shape.Select(d => (int)d).ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, tensor)], [output]);
        var result = results.First().AsTensor<float>();
        return (result.ToArray(), result.Dimensions.ToArray().Select(d => (long)d).ToArray());
    }

    /// <summary>max |actual - expected| / max |expected|.</summary>
    public static double RelativeError(float[] actual, float[] expected)
    {
        actual.Length.Should().Be(expected.Length);
        var scale = Math.Max(expected.Max(v => Math.Abs((double)v)), 1e-12);
        var worst = 0.0;
        for (var i = 0; i < actual.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs((double)actual[i] - expected[i]));
        }

        return worst / scale;
    }
}
