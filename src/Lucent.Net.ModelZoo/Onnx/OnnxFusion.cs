using Onnx;
using AttributeType = Onnx.AttributeProto.Types.AttributeType;

namespace Lucent.Net.ModelZoo.Onnx;

/// <summary>
/// Rewrites the layer normalisation that exporters spell out before opset 17 (ReduceMean, Sub, Pow 2,
/// ReduceMean, Add epsilon, Sqrt, Div, Mul scale, Add bias) as one <c>LayerNormalization</c> node, so a
/// transformer runs one kernel per normalisation instead of nine. The fused node keeps the final Add's
/// name and output (its hook name is unchanged); the inner values disappear. Only a chain whose inner
/// values nothing else reads, whose axes are the last ones and whose exponent and epsilon are constants
/// is fused.
/// </summary>
internal static class OnnxFusion
{
    public static List<NodeProto> FuseLayerNormalization(List<NodeProto> ordered, IReadOnlyDictionary<string, TensorProto> initializers, IEnumerable<string> graphOutputs)
    {
        var producer = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        var uses = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in ordered)
        {
            foreach (var output in node.Output.Where(o => o.Length > 0))
            {
                producer[output] = node;
            }

            foreach (var input in node.Input)
            {
                uses[input] = uses.GetValueOrDefault(input) + 1;
            }
        }

        foreach (var output in graphOutputs)
        {
            uses[output] = uses.GetValueOrDefault(output) + 100;
        }

        var replaced = new Dictionary<NodeProto, NodeProto>(ReferenceEqualityComparer.Instance);
        var removed = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        foreach (var add in ordered.Where(n => n.OpType == "Add" && IsDefaultDomain(n) && n.Input.Count == 2))
        {
            if (Match(add, producer, uses, initializers) is { } match && !match.Inner.Any(removed.Contains))
            {
                replaced[add] = match.Fused;
                removed.UnionWith(match.Inner);
            }
        }

        return replaced.Count == 0
            ? ordered
            : ordered.Where(n => !removed.Contains(n)).Select(n => replaced.TryGetValue(n, out var fused) ? fused : n).ToList();
    }

    private static (NodeProto Fused, List<NodeProto> Inner)? Match(
        NodeProto add, Dictionary<string, NodeProto> producer, Dictionary<string, int> uses, IReadOnlyDictionary<string, TensorProto> initializers)
    {
        NodeProto? Single(string value, string opType) =>
            producer.TryGetValue(value, out var node) && node.OpType == opType && IsDefaultDomain(node) && uses.GetValueOrDefault(value) == 1 ? node : null;

        // y = Add(Mul(n, scale), bias), either operand order.
        var (mul, bias) = Either(add, v => Single(v, "Mul"));
        if (mul is null || Either(mul, v => Single(v, "Div")) is not ({ } div, { } scale))
        {
            return null;
        }

        // n = Div(d, Sqrt(Add(ReduceMean(Pow(d, 2)), eps))), d = Sub(x, ReduceMean(x)).
        if (div.Input.Count != 2 || Single(div.Input[1], "Sqrt") is not { } sqrt || sqrt.Input.Count != 1
            || Single(sqrt.Input[0], "Add") is not { } epsAddNode)
        {
            return null;
        }

        var (variance, epsilonValue) = Either(epsAddNode, v => Single(v, "ReduceMean"));
        if (variance is null || Scalar(epsilonValue, producer, initializers) is not { } epsilon || epsilon <= 0 || epsilon > 1)
        {
            return null;
        }

        if (Single(variance.Input[0], "Pow") is not { } pow || pow.Input.Count != 2 || Scalar(pow.Input[1], producer, initializers) != 2.0)
        {
            return null;
        }

        var centred = div.Input[0];
        if (pow.Input[0] != centred || !producer.TryGetValue(centred, out var sub) || sub.OpType != "Sub" || !IsDefaultDomain(sub)
            || uses.GetValueOrDefault(centred) != 2 || sub.Input.Count != 2 || Single(sub.Input[1], "ReduceMean") is not { } mean
            || mean.Input.Count != 1 || mean.Input[0] != sub.Input[0])
        {
            return null;
        }

        if (LastAxes(mean) is not { } axes || LastAxes(variance) is not { } varianceAxes || !axes.SequenceEqual(varianceAxes))
        {
            return null;
        }

        var fused = new NodeProto { OpType = "LayerNormalization", Name = add.Name, Domain = string.Empty };
        fused.Input.AddRange([sub.Input[0], scale, bias!]);
        fused.Output.Add(add.Output[0]);
        fused.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeType.Int, I = axes[0] });
        fused.Attribute.Add(new AttributeProto { Name = "epsilon", Type = AttributeType.Float, F = (float)epsilon });
        return (fused, [mean, sub, pow, variance, epsAddNode, sqrt, div, mul]);
    }

    /// <summary>The node among the two operands' producers that <paramref name="find"/> accepts, and the other operand.</summary>
    private static (NodeProto? Node, string? Other) Either(NodeProto? node, Func<string, NodeProto?> find)
    {
        if (node is null || node.Input.Count != 2)
        {
            return (null, null);
        }

        return find(node.Input[0]) is { } first ? (first, node.Input[1])
            : find(node.Input[1]) is { } second ? (second, node.Input[0])
            : (null, null);
    }

    /// <summary>A ReduceMean's axes when they are the last ones, written negatively ([-1] or [-2, -1]...), with keepdims.</summary>
    private static long[]? LastAxes(NodeProto reduce)
    {
        if (reduce.Input.Count != 1 || reduce.Attribute.FirstOrDefault(a => a.Name == "keepdims") is { I: 0 })
        {
            return null;
        }

        var axes = reduce.Attribute.FirstOrDefault(a => a.Name == "axes")?.Ints.Order().ToArray();
        if (axes is null || axes.Length == 0 || axes.Length > OnnxTensors.MaxRank || axes[^1] != -1)
        {
            return null;
        }

        for (var i = 1; i < axes.Length; i++)
        {
            if (axes[i] != axes[i - 1] + 1)
            {
                return null;
            }
        }

        return axes;
    }

    /// <summary>The value of a one-element float constant (initializer or Constant node), else null.</summary>
    private static double? Scalar(string? name, Dictionary<string, NodeProto> producer, IReadOnlyDictionary<string, TensorProto> initializers)
    {
        if (name is null)
        {
            return null;
        }

        var proto = initializers.TryGetValue(name, out var initializer) ? initializer
            : producer.TryGetValue(name, out var node) && node.OpType == "Constant" ? node.Attribute.FirstOrDefault(a => a.Name == "value")?.T
            : null;
        if (proto is null || proto.Dims.Aggregate(1L, (a, b) => b is < 0 or > 1 ? -1 : a * b) != 1 || proto.DataType is not (1 or 11))
        {
            return null;
        }

        try
        {
            using var tensor = OnnxTensors.ToTensor(proto, "Layer-normalisation fusion");
            return OnnxTensors.ToDouble(tensor);
        }
        catch (OnnxImportException)
        {
            return null;
        }
    }

    private static bool IsDefaultDomain(NodeProto node) => string.IsNullOrEmpty(node.Domain) || node.Domain == "ai.onnx";
}
