using Google.Protobuf;
using Onnx;

namespace Lucent.Net.ModelZoo.Tests.Onnx;

/// <summary>Attribute setters for hand-built ONNX nodes.</summary>
internal static class NodeAttributes
{
    public static NodeProto Ints(this NodeProto node, string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        node.Attribute.Add(a);
        return node;
    }

    public static NodeProto Int(this NodeProto node, string name, long value)
    {
        node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value });
        return node;
    }

    public static NodeProto Float(this NodeProto node, string name, float value)
    {
        node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value });
        return node;
    }

    public static NodeProto String(this NodeProto node, string name, string value)
    {
        node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) });
        return node;
    }

    public static NodeProto Tensor(this NodeProto node, string name, TensorProto value)
    {
        node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value });
        return node;
    }
}
