using Google.Protobuf;
using Lucent.Net.ModelZoo.Onnx.Operators;
using Onnx;
using TorchSharp;

namespace Lucent.Net.ModelZoo.Onnx;

/// <summary>
/// Imports ONNX models as TorchSharp modules whose every node is a hookable child module.
/// </summary>
/// <example>
/// <code>
/// using var model = OnnxModel.Load("model.onnx");
/// using var output = model.call(input);
/// </code>
/// </example>
public static class OnnxModel
{
    private static readonly Dictionary<string, Func<OnnxNodeDefinition, bool, OnnxNodeModule>> Factories =
        new(StringComparer.Ordinal)
        {
            ["Add"] = (d, _) => new BinaryNode(d, (a, b) => a + b),
            ["AveragePool"] = (d, _) => new AveragePoolNode(d),
            ["BatchNormalization"] = (d, _) => new BatchNormalizationNode(d),
            ["Clip"] = (d, _) => new ClipNode(d),
            ["Concat"] = (d, _) => new ConcatNode(d),
            ["Constant"] = (d, _) => new ConstantNode(d),
            ["Conv"] = (d, _) => new ConvNode(d),
            ["Div"] = (d, _) => new BinaryNode(d, Elementwise.Divide),
            ["Dropout"] = (d, _) => new IdentityNode(d),
            ["Flatten"] = (d, _) => new FlattenNode(d),
            ["Gemm"] = (d, _) => new GemmNode(d),
            ["GlobalAveragePool"] = (d, _) => new GlobalAveragePoolNode(d),
            ["Identity"] = (d, _) => new IdentityNode(d),
            ["LeakyRelu"] = (d, _) => new LeakyReluNode(d),
            ["LRN"] = (d, _) => new LrnNode(d),
            ["MatMul"] = (d, _) => new MatMulNode(d),
            ["MaxPool"] = (d, _) => new MaxPoolNode(d),
            ["Mul"] = (d, _) => new BinaryNode(d, (a, b) => a * b),
            ["Pad"] = (d, _) => new PadNode(d),
            ["Relu"] = (d, redirected) => new ReluNode(d, redirected),
            ["Reshape"] = (d, _) => new ReshapeNode(d),
            ["Sigmoid"] = (d, _) => new UnaryNode(d, torch.sigmoid),
            ["Softmax"] = (d, _) => new SoftmaxNode(d),
            ["Sub"] = (d, _) => new BinaryNode(d, (a, b) => a - b),
            ["Tanh"] = (d, _) => new UnaryNode(d, torch.tanh),
            ["Abs"] = (d, _) => new UnaryNode(d, torch.abs),
            ["And"] = (d, _) => Elementwise.Logical(d, torch.logical_and),
            ["Cast"] = (d, _) => Elementwise.Cast(d),
            ["Ceil"] = (d, _) => new UnaryNode(d, torch.ceil),
            ["ConstantOfShape"] = (d, _) => new ConstantOfShapeNode(d),
            ["Cos"] = (d, _) => new UnaryNode(d, torch.cos),
            ["Einsum"] = (d, _) => new EinsumNode(d),
            ["Elu"] = (d, _) => Elementwise.Elu(d),
            ["Equal"] = (d, _) => new BinaryNode(d, torch.eq),
            ["Erf"] = (d, _) => new UnaryNode(d, torch.erf),
            ["Exp"] = (d, _) => new UnaryNode(d, torch.exp),
            ["Expand"] = (d, _) => new ExpandNode(d),
            ["Floor"] = (d, _) => new UnaryNode(d, torch.floor),
            ["Gather"] = (d, _) => new GatherNode(d),
            ["Gelu"] = (d, _) => Elementwise.Gelu(d),
            ["GlobalMaxPool"] = (d, _) => new GlobalMaxPoolNode(d),
            ["Greater"] = (d, _) => new BinaryNode(d, torch.gt),
            ["GreaterOrEqual"] = (d, _) => new BinaryNode(d, torch.ge),
            ["HardSigmoid"] = (d, _) => Elementwise.HardSigmoid(d),
            ["HardSwish"] = (d, _) => Elementwise.HardSwish(d),
            ["InstanceNormalization"] = (d, _) => new InstanceNormalizationNode(d),
            ["LayerNormalization"] = (d, _) => new LayerNormalizationNode(d),
            ["Less"] = (d, _) => new BinaryNode(d, torch.lt),
            ["LessOrEqual"] = (d, _) => new BinaryNode(d, torch.le),
            ["Log"] = (d, _) => new UnaryNode(d, torch.log),
            ["Max"] = (d, _) => new VariadicNode(d, torch.maximum),
            ["Mean"] = (d, _) => new VariadicNode(d, (a, b) => a + b, mean: true),
            ["Min"] = (d, _) => new VariadicNode(d, torch.minimum),
            ["Mod"] = (d, _) => Elementwise.Mod(d),
            ["Neg"] = (d, _) => new UnaryNode(d, torch.neg),
            ["Not"] = (d, _) => Elementwise.Not(d),
            ["Or"] = (d, _) => Elementwise.Logical(d, torch.logical_or),
            ["Pow"] = (d, _) => Elementwise.Pow(d),
            ["PRelu"] = (d, _) => Elementwise.PRelu(d),
            ["Range"] = (d, _) => new RangeNode(d),
            ["Reciprocal"] = (d, _) => new UnaryNode(d, torch.reciprocal),
            ["ReduceMax"] = (d, _) => new ReduceNode(d, "Max"),
            ["ReduceMean"] = (d, _) => new ReduceNode(d, "Mean"),
            ["ReduceMin"] = (d, _) => new ReduceNode(d, "Min"),
            ["ReduceProd"] = (d, _) => new ReduceNode(d, "Prod"),
            ["ReduceSum"] = (d, _) => new ReduceNode(d, "Sum"),
            ["Resize"] = (d, _) => new ResizeNode(d, upsample: false),
            ["Round"] = (d, _) => new UnaryNode(d, x => torch.round(x)),
            ["ScatterND"] = (d, _) => new ScatterNdNode(d),
            ["Selu"] = (d, _) => Elementwise.Selu(d),
            ["Shape"] = (d, _) => new ShapeNode(d, size: false),
            ["Sign"] = (d, _) => new UnaryNode(d, torch.sign),
            ["Sin"] = (d, _) => new UnaryNode(d, torch.sin),
            ["Size"] = (d, _) => new ShapeNode(d, size: true),
            ["Slice"] = (d, _) => new SliceNode(d),
            ["Softplus"] = (d, _) => Elementwise.Softplus(d),
            ["Split"] = (d, _) => new SplitNode(d),
            ["Sqrt"] = (d, _) => new UnaryNode(d, torch.sqrt),
            ["Squeeze"] = (d, _) => new SqueezeNode(d, unsqueeze: false),
            ["Sum"] = (d, _) => new VariadicNode(d, (a, b) => a + b),
            ["Tile"] = (d, _) => new TileNode(d),
            ["Transpose"] = (d, _) => new TransposeNode(d),
            ["Unsqueeze"] = (d, _) => new SqueezeNode(d, unsqueeze: true),
            ["Upsample"] = (d, _) => new ResizeNode(d, upsample: true),
            ["Where"] = (d, _) => new WhereNode(d),
            ["Xor"] = (d, _) => Elementwise.Logical(d, torch.logical_xor),
        };

    /// <summary>How many inputs each operator takes (fewest, most), by opset.</summary>
    private static (int Min, int Max) InputCounts(string opType, long opset) => opType switch
    {
        "Constant" => (0, 0),
        "Add" or "Sub" or "Mul" or "Div" or "MatMul" or "Pow" or "Mod" or "PRelu" or "Equal" or "Less" or "Greater"
            or "LessOrEqual" or "GreaterOrEqual" or "And" or "Or" or "Xor" or "Expand" or "Gather" or "Tile" => (2, 2),
        "Where" or "Range" or "ScatterND" or "InstanceNormalization" => (3, 3),
        "Min" or "Max" or "Sum" or "Mean" or "Einsum" => (1, int.MaxValue),
        "LayerNormalization" => (2, 3),
        "Slice" => opset >= 10 ? (3, 5) : (1, 1),
        "Unsqueeze" => opset >= 13 ? (2, 2) : (1, 1),
        "Squeeze" or "Split" => opset >= 13 ? (1, 2) : (1, 1),
        "ReduceSum" or "ReduceMean" or "ReduceMax" or "ReduceMin" or "ReduceProd" => ReduceNode.AxesAreInput(opType, opset) ? (1, 2) : (1, 1),
        "Resize" => opset >= 11 ? (1, 4) : (2, 2),
        "Upsample" => opset >= 9 ? (2, 2) : (1, 1),
        "Gemm" => (2, 3),
        "Conv" => (2, 3),
        "BatchNormalization" => (5, 5),
        "Clip" => opset >= 11 ? (1, 3) : (1, 1),
        "Dropout" => opset >= 12 ? (1, 3) : (1, 1),
        "Concat" => (1, int.MaxValue),
        "Reshape" => opset >= 5 ? (2, 2) : (1, 1),
        "Pad" => opset >= 11 ? (2, 4) : (1, 1),
        _ => (1, 1),
    };

    /// <summary>Refuses a node whose inputs or outputs can never fit its operator.</summary>
    private static void CheckArity(OnnxNodeDefinition definition)
    {
        var proto = definition.Proto;
        var (min, max) = InputCounts(proto.OpType, definition.Opset);
        var given = proto.Input.Count;
        while (given > min && proto.Input[given - 1].Length == 0)
        {
            given--; // trailing empty names are omitted optional inputs
        }

        if (given < min || given > max)
        {
            var expected = min == max ? $"{min}" : max == int.MaxValue ? $"at least {min}" : $"{min} to {max}";
            throw new OnnxImportException(
                $"Node '{definition.DisplayName}' ({proto.OpType}, opset {definition.Opset}) has {proto.Input.Count} inputs; the operator takes {expected}.");
        }

        for (var i = 0; i < min; i++)
        {
            if (proto.Input[i].Length == 0)
            {
                throw new OnnxImportException(
                    $"Node '{definition.DisplayName}' ({proto.OpType}) leaves its required input {i} empty.");
            }
        }

        if (proto.Output.Count == 0 || proto.Output[0].Length == 0)
        {
            throw new OnnxImportException($"Node '{definition.DisplayName}' ({proto.OpType}) has no output; every node must produce a named value.");
        }
    }

    /// <summary>The ONNX operator types (default domain) the importer supports, sorted.</summary>
    public static IReadOnlyList<string> SupportedOperators { get; } =
        Factories.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();

    /// <summary>Loads an ONNX model from a file.</summary>
    /// <param name="path">Path of the <c>.onnx</c> file.</param>
    /// <param name="options">Import options; <c>null</c> for the defaults.</param>
    /// <returns>A new module in evaluation mode on the CPU; the caller owns (disposes) it.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="OnnxImportException">The file is not a valid ONNX model, or uses an unsupported feature.</exception>
    /// <exception cref="UnsupportedOnnxOperatorException">A node uses an operator that is not supported.</exception>
    public static OnnxGraphModule Load(string path, OnnxImportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"ONNX model file '{path}' does not exist.", path);
        }

        using var stream = File.OpenRead(path);
        return Load(stream, options);
    }

    /// <summary>Loads an ONNX model from a stream.</summary>
    /// <param name="stream">A readable stream holding a serialised <c>ModelProto</c>; it is not disposed.</param>
    /// <param name="options">Import options; <c>null</c> for the defaults.</param>
    /// <returns>A new module in evaluation mode on the CPU; the caller owns (disposes) it.</returns>
    /// <exception cref="OnnxImportException">The stream is not a valid ONNX model, or uses an unsupported feature.</exception>
    /// <exception cref="UnsupportedOnnxOperatorException">A node uses an operator that is not supported.</exception>
    public static OnnxGraphModule Load(Stream stream, OnnxImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new OnnxImportException($"The data is not a valid ONNX model (protobuf parse failed: {ex.Message}).", ex);
        }

        return Load(model, options);
    }

    /// <summary>Imports a parsed ONNX model.</summary>
    /// <param name="model">The model (OnnxSharp's <c>ModelProto</c>).</param>
    /// <param name="options">Import options; <c>null</c> for the defaults.</param>
    /// <returns>A new module in evaluation mode on the CPU; the caller owns (disposes) it.</returns>
    /// <exception cref="OnnxImportException">The model is malformed or uses an unsupported feature.</exception>
    /// <exception cref="UnsupportedOnnxOperatorException">A node uses an operator that is not supported.</exception>
    public static OnnxGraphModule Load(ModelProto model, OnnxImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new OnnxGraphModule(model, options ?? new OnnxImportOptions());
    }

    /// <summary>Creates the module for one node.</summary>
    internal static OnnxNodeModule CreateNode(OnnxNodeDefinition definition, bool redirectedRelu)
    {
        var proto = definition.Proto;
        var domain = proto.Domain ?? string.Empty;
        if ((domain.Length == 0 || domain == "ai.onnx") && Factories.TryGetValue(proto.OpType, out var factory))
        {
            CheckArity(definition);
            return factory(definition, redirectedRelu);
        }

        throw new UnsupportedOnnxOperatorException(proto.OpType, definition.DisplayName, domain);
    }
}
