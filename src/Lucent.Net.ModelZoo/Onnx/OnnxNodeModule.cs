using Onnx;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Onnx;

/// <summary>
/// One node of an imported ONNX graph, registered as a child module of
/// <see cref="OnnxGraphModule"/> so that its output can be hooked like any layer.
/// </summary>
/// <remarks>
/// Every node is a <c>Module&lt;Tensor, Tensor&gt;</c>: the graph calls it with its first operand
/// (so forward hooks fire and see the node's output), and hands it the other operands (a second
/// tensor of <c>Add</c>, a <c>Concat</c>'s further inputs) beside the call. Operands that come from
/// initializers or constants are registered buffers of the node, so a node such as <c>Conv</c> can
/// also be called on its own with just its data input.
/// </remarks>
public abstract class OnnxNodeModule : nn.Module<Tensor, Tensor>
{
    private readonly string[] _inputs;
    private readonly string[] _outputs;
    private readonly string?[] _constantBuffers;
    private Tensor?[]? _pendingOperands;
    private Tensor[]? _secondaryOutputs;

    private protected OnnxNodeModule(OnnxNodeDefinition definition)
        : base(definition.DisplayName)
    {
        ArgumentNullException.ThrowIfNull(definition);
        OperatorType = definition.Proto.OpType;
        NodeName = definition.Proto.Name;
        _inputs = definition.Proto.Input.ToArray();
        _outputs = definition.Proto.Output.ToArray();
        _constantBuffers = new string?[_inputs.Length];
    }

    /// <summary>The ONNX operator type, e.g. <c>Conv</c>.</summary>
    public string OperatorType { get; }

    /// <summary>The node's name in the ONNX file (may be empty).</summary>
    public string NodeName { get; }

    /// <summary>The names of the ONNX values the node reads (an empty name is an omitted optional input).</summary>
    public IReadOnlyList<string> Inputs => _inputs;

    /// <summary>The names of the ONNX values the node produces; the first is the module's output.</summary>
    public IReadOnlyList<string> Outputs => _outputs;

    /// <summary>Computes the node's output from its data input; other operands must be constants.</summary>
    /// <param name="input">The node's first operand.</param>
    /// <returns>A new tensor; the caller owns it.</returns>
    public override Tensor forward(Tensor input)
    {
        var operands = _pendingOperands ?? new Tensor?[Math.Max(1, _inputs.Length)];
        if (_pendingOperands is null)
        {
            for (var i = 0; i < _inputs.Length; i++)
            {
                operands[i] = _constantBuffers[i] is { } buffer ? get_buffer(buffer) : null;
            }
        }

        if (_inputs.Length > 0)
        {
            operands[0] = input;
        }

        return Compute(operands);
    }

    /// <summary>Whether operand <paramref name="index"/> is a registered constant (initializer).</summary>
    /// <param name="index">The operand position.</param>
    /// <returns><c>true</c> when it comes from an initializer or constant.</returns>
    internal bool IsConstantOperand(int index) => _constantBuffers[index] is not null;

    /// <summary>Registers an initializer as the constant value of operand <paramref name="index"/>.</summary>
    internal void BindConstant(int index, string bufferName, Tensor value)
    {
        register_buffer(bufferName, value);
        _constantBuffers[index] = bufferName;
    }

    /// <summary>Runs the node inside the graph: gathers operands, then calls the module (firing hooks).</summary>
    internal Tensor Run(IReadOnlyDictionary<string, Tensor> values, Tensor placeholder)
    {
        var operands = new Tensor?[Math.Max(1, _inputs.Length)];
        for (var i = 0; i < _inputs.Length; i++)
        {
            if (_constantBuffers[i] is { } buffer)
            {
                operands[i] = get_buffer(buffer);
            }
            else if (_inputs[i].Length > 0)
            {
                operands[i] = values.TryGetValue(_inputs[i], out var value)
                    ? value
                    : throw new OnnxImportException($"Node '{name}' ({OperatorType}) reads '{_inputs[i]}', which no earlier node produced.");
            }
        }

        _pendingOperands = operands;
        try
        {
            return call(operands[0] ?? placeholder);
        }
        finally
        {
            _pendingOperands = null;
        }
    }

    /// <summary>
    /// The outputs after the first of the latest run (e.g. the further parts of a <c>Split</c>), taken
    /// once by the graph; <c>null</c> for single-output operators.
    /// </summary>
    internal Tensor[]? TakeSecondaryOutputs()
    {
        var outputs = _secondaryOutputs;
        _secondaryOutputs = null;
        return outputs;
    }

    /// <summary>Records the outputs after the first for the graph to take (multi-output operators).</summary>
    private protected void SetSecondaryOutputs(Tensor[] outputs) => _secondaryOutputs = outputs;

    /// <summary>Computes the node's first output.</summary>
    /// <param name="operands">One entry per ONNX input; <c>null</c> for an omitted optional input.</param>
    /// <returns>A new tensor the caller owns (never one of the operands themselves).</returns>
    private protected abstract Tensor Compute(IReadOnlyList<Tensor?> operands);

    /// <summary>Operand <paramref name="index"/>, or a clear error when it is missing.</summary>
    private protected Tensor Operand(IReadOnlyList<Tensor?> operands, int index)
    {
        if (index < operands.Count && operands[index] is { } value)
        {
            return value;
        }

        throw new InvalidOperationException(
            $"Node '{name}' ({OperatorType}) needs operand {index} ('{(index < _inputs.Length ? _inputs[index] : "?")}'), " +
            "which was not given. Run the node through its OnnxGraphModule, or give it only constant extra operands.");
    }

    /// <summary>Operand <paramref name="index"/> when present.</summary>
    private protected static Tensor? OptionalOperand(IReadOnlyList<Tensor?> operands, int index) =>
        index < operands.Count ? operands[index] : null;
}

/// <summary>What an operator implementation needs to build its node module.</summary>
internal sealed class OnnxNodeDefinition
{
    public OnnxNodeDefinition(NodeProto proto, string displayName, long opset)
    {
        Proto = proto;
        DisplayName = displayName;
        Opset = opset;
        Attributes = new OnnxAttributes(proto, displayName);
    }

    public NodeProto Proto { get; }

    public string DisplayName { get; }

    public long Opset { get; }

    public OnnxAttributes Attributes { get; }
}
