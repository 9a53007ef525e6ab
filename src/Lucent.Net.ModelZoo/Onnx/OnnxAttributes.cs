using System.Globalization;
using Onnx;
using AttributeType = Onnx.AttributeProto.Types.AttributeType;

namespace Lucent.Net.ModelZoo.Onnx;

/// <summary>Typed access to a node's attributes, with defaults; an attribute of the wrong type or a repeated one is an import error.</summary>
internal sealed class OnnxAttributes
{
    private readonly Dictionary<string, AttributeProto> _attributes;
    private readonly string _node;

    public OnnxAttributes(NodeProto node, string displayName)
    {
        _node = displayName;
        _attributes = new Dictionary<string, AttributeProto>(StringComparer.Ordinal);
        foreach (var attribute in node.Attribute)
        {
            if (!_attributes.TryAdd(attribute.Name, attribute))
            {
                throw new OnnxImportException($"Node '{displayName}' ({node.OpType}) gives the attribute '{attribute.Name}' twice; an attribute may appear once.");
            }
        }
    }

    public bool Has(string name) => _attributes.ContainsKey(name);

    public long Int(string name, long fallback) => Get(name, AttributeType.Int) is { } a ? a.I : fallback;

    /// <summary>An integer attribute that must lie in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long Int(string name, long fallback, long min, long max)
    {
        long value = Int(name, fallback);
        return value >= min && value <= max
            ? value
            : throw new OnnxImportException(
                string.Create(CultureInfo.InvariantCulture, $"Node '{_node}': attribute '{name}' is {value}; it must be between {min} and {max}."));
    }

    public float Float(string name, float fallback) => Get(name, AttributeType.Float) is { } a ? a.F : fallback;

    public string String(string name, string fallback) =>
        Get(name, AttributeType.String) is { } a && !a.S.IsEmpty ? a.S.ToStringUtf8() : fallback;

    public long[]? Ints(string name) =>
        Get(name, AttributeType.Ints) is { } a && a.Ints.Count > 0 ? a.Ints.ToArray() : null;

    /// <summary>An integer-list attribute whose every value must lie in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long[]? Ints(string name, long min, long max)
    {
        long[]? values = Ints(name);
        if (values is not null && Array.FindIndex(values, v => v < min || v > max) is var index and >= 0)
        {
            long bad = values[index];
            throw new OnnxImportException(
                string.Create(CultureInfo.InvariantCulture, $"Node '{_node}': attribute '{name}' holds {bad} (in [{string.Join(", ", values)}]); every value must be between {min} and {max}."));
        }

        return values;
    }

    public float[]? Floats(string name) =>
        Get(name, AttributeType.Floats) is { } a && a.Floats.Count > 0 ? a.Floats.ToArray() : null;

    public TensorProto? Tensor(string name) => Get(name, AttributeType.Tensor)?.T;

    public long[] RequiredInts(string name) =>
        Ints(name) ?? throw new OnnxImportException($"Node '{_node}' lacks the required attribute '{name}'.");

    /// <summary>The attribute, checked to be of the <paramref name="expected"/> type (an undeclared type is accepted, as old exporters write).</summary>
    private AttributeProto? Get(string name, AttributeType expected)
    {
        if (!_attributes.TryGetValue(name, out var attribute))
        {
            return null;
        }

        if (attribute.Type != AttributeType.Undefined && attribute.Type != expected)
        {
            throw new OnnxImportException(
                $"Node '{_node}': attribute '{name}' is of type {attribute.Type.ToString().ToUpperInvariant()}, but the operator reads it as {expected.ToString().ToUpperInvariant()}. " +
                "The file is malformed or was written by a broken exporter.");
        }

        return attribute;
    }
}
