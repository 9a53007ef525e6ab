using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Onnx.Operators;

/// <summary>Elementwise operators with attributes read at import (activations, comparisons, casts).</summary>
internal static class Elementwise
{
    /// <summary>Whether a tensor holds integers (or booleans), for ONNX's integer semantics of Div and Mod.</summary>
    public static bool IsIntegral(Tensor t) => t.dtype is ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte or ScalarType.Bool;

    /// <summary>ONNX <c>Div</c>: integer division truncates (as in C), floating division is true division.</summary>
    public static Tensor Divide(Tensor a, Tensor b) =>
        IsIntegral(a) && IsIntegral(b) ? a.div(b, RoundingMode.trunc) : a / b;

    /// <summary>A tensor as boolean (conditions of Where, inputs of Not/And/Or).</summary>
    public static Tensor AsBool(Tensor t) => t.dtype == ScalarType.Bool ? t.alias() : t.ne(0);

    public static OnnxNodeModule HardSigmoid(OnnxNodeDefinition d)
    {
        double alpha = d.Attributes.Float("alpha", 0.2f);
        double beta = d.Attributes.Float("beta", 0.5f);
        return new UnaryNode(d, x =>
        {
            using var scaled = x * alpha;
            using var shifted = scaled + beta;
            return shifted.clamp(0.0, 1.0);
        });
    }

    public static OnnxNodeModule HardSwish(OnnxNodeDefinition d) => new UnaryNode(d, x =>
    {
        using var shifted = x + 3.0;
        using var clamped = shifted.clamp(0.0, 6.0);
        using var product = x * clamped;
        return product / 6.0;
    });

    public static OnnxNodeModule Elu(OnnxNodeDefinition d)
    {
        double alpha = d.Attributes.Float("alpha", 1f);
        return new UnaryNode(d, x => nn.functional.elu(x, alpha));
    }

    public static OnnxNodeModule Selu(OnnxNodeDefinition d)
    {
        double alpha = d.Attributes.Float("alpha", 1.67326319217681884765625f);
        double gamma = d.Attributes.Float("gamma", 1.05070102214813232421875f);
        return new UnaryNode(d, x =>
        {
            using var elu = nn.functional.elu(x, alpha);
            return elu * gamma;
        });
    }

    public static OnnxNodeModule Gelu(OnnxNodeDefinition d)
    {
        var approximate = d.Attributes.String("approximate", "none");
        return approximate switch
        {
            "none" => new UnaryNode(d, x =>
            {
                using var scope = NewDisposeScope();
                var cdf = (torch.erf(x / Math.Sqrt(2.0)) + 1.0) * 0.5;
                return (x * cdf).MoveToOuterDisposeScope();
            }),
            "tanh" => new UnaryNode(d, x =>
            {
                using var scope = NewDisposeScope();
                var inner = (x + (x.pow(3) * 0.044715)) * Math.Sqrt(2.0 / Math.PI);
                return (x * 0.5 * (torch.tanh(inner) + 1.0)).MoveToOuterDisposeScope();
            }),
            _ => throw new OnnxImportException($"Gelu node '{d.DisplayName}' has approximate = '{approximate}'; supported: none, tanh."),
        };
    }

    public static OnnxNodeModule Softplus(OnnxNodeDefinition d) => new UnaryNode(d, x => nn.functional.softplus(x));

    public static OnnxNodeModule Cast(OnnxNodeDefinition d)
    {
        if (!d.Attributes.Has("to"))
        {
            throw new OnnxImportException($"Cast node '{d.DisplayName}' lacks the required attribute 'to'.");
        }

        var type = OnnxTensors.ToScalarType(d.Attributes.Int("to", 1), $"'{d.DisplayName}' (Cast)");
        return new UnaryNode(d, x => x.to_type(type));
    }

    /// <summary>ONNX <c>Mod</c>: fmod = 0 takes the divisor's sign (Python's %), fmod = 1 the dividend's (C's fmod).</summary>
    public static OnnxNodeModule Mod(OnnxNodeDefinition d)
    {
        var fmod = d.Attributes.Int("fmod", 0, 0, 1) == 1;
        return new BinaryNode(d, (a, b) => fmod ? a.fmod(b) : a.remainder(b));
    }

    /// <summary>ONNX <c>Pow</c>: the result has the base's type.</summary>
    public static OnnxNodeModule Pow(OnnxNodeDefinition d) => new BinaryNode(d, (a, b) =>
    {
        var result = a.pow(b);
        if (result.dtype == a.dtype)
        {
            return result;
        }

        using (result)
        {
            return result.to_type(a.dtype);
        }
    });

    /// <summary>ONNX <c>PRelu</c>: <c>x &lt; 0 ? slope * x : x</c>, the slope broadcast to x.</summary>
    public static OnnxNodeModule PRelu(OnnxNodeDefinition d) => new BinaryNode(d, (x, slope) =>
    {
        using var negative = x.lt(0);
        using var scaled = x * slope;
        return torch.where(negative, scaled, x);
    });

    public static OnnxNodeModule Logical(OnnxNodeDefinition d, Func<Tensor, Tensor, Tensor> function) => new BinaryNode(d, (a, b) =>
    {
        using var left = AsBool(a);
        using var right = AsBool(b);
        return function(left, right);
    });

    public static OnnxNodeModule Not(OnnxNodeDefinition d) => new UnaryNode(d, x =>
    {
        using var condition = AsBool(x);
        return condition.logical_not();
    });
}

/// <summary>ONNX <c>Where</c>: <c>condition ? x : y</c> with three-way broadcasting.</summary>
internal sealed class WhereNode : OnnxNodeModule
{
    public WhereNode(OnnxNodeDefinition definition)
        : base(definition)
    {
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        using var condition = Elementwise.AsBool(Operand(operands, 0));
        return torch.where(condition, Operand(operands, 1), Operand(operands, 2));
    }
}

/// <summary>ONNX variadic <c>Min</c>, <c>Max</c>, <c>Sum</c>, <c>Mean</c> (NumPy broadcasting).</summary>
internal sealed class VariadicNode : OnnxNodeModule
{
    private readonly Func<Tensor, Tensor, Tensor> _combine;
    private readonly bool _mean;

    public VariadicNode(OnnxNodeDefinition definition, Func<Tensor, Tensor, Tensor> combine, bool mean = false)
        : base(definition)
    {
        _combine = combine;
        _mean = mean;
    }

    private protected override Tensor Compute(IReadOnlyList<Tensor?> operands)
    {
        using var scope = NewDisposeScope();
        var result = Operand(operands, 0).alias();
        for (var i = 1; i < operands.Count; i++)
        {
            result = _combine(result, Operand(operands, i));
        }

        if (_mean)
        {
            result = result / operands.Count;
        }

        return result.MoveToOuterDisposeScope();
    }
}
