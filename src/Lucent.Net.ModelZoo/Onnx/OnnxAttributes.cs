using Onnx;

namespace Lucent.Net.ModelZoo.Onnx;

/// <summary>Typed access to a node's attributes, with defaults.</summary>
internal sealed class OnnxAttributes
{
    private readonly Dictionary<string, AttributeProto> _attributes;
    private readonly string _node;

    public OnnxAttributes(NodeProto node, string displayName)
    {
        _attributes = new Dictionary<string, AttributeProto>(StringComparer.Ordinal);
        foreach (var attribute in node.Attribute)
        {
            _attributes[attribute.Name] = attribute;
        }

        _node = displayName;
    }

    public bool Has(string name) => _attributes.ContainsKey(name);

    public long Int(string name, long fallback) => _attributes.TryGetValue(name, out var a) ? a.I : fallback;

    public float Float(string name, float fallback) => _attributes.TryGetValue(name, out var a) ? a.F : fallback;

    public string String(string name, string fallback) =>
        _attributes.TryGetValue(name, out var a) && !a.S.IsEmpty ? a.S.ToStringUtf8() : fallback;

    public long[]? Ints(string name) =>
        _attributes.TryGetValue(name, out var a) && a.Ints.Count > 0 ? a.Ints.ToArray() : null;

    public float[]? Floats(string name) =>
        _attributes.TryGetValue(name, out var a) && a.Floats.Count > 0 ? a.Floats.ToArray() : null;

    public TensorProto? Tensor(string name) => _attributes.TryGetValue(name, out var a) ? a.T : null;

    public long[] RequiredInts(string name) =>
        Ints(name) ?? throw new OnnxImportException($"Node '{_node}' lacks the required attribute '{name}'.");
}
