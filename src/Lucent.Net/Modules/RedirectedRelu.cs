using static TorchSharp.torch;

namespace Lucent.Net.Modules;

/// <summary>
/// Lucid's "redirected" ReLU: the forward pass is <c>max(x, 0)</c>, but the backward pass lets
/// 0.1 times the gradient through where the input was negative (and all of it elsewhere), so that
/// optimisation from noise does not stall on channels that start at zero.
/// </summary>
/// <remarks>
/// <para>Implemented as <c>leaky_relu(x, 0.1)</c> whose output is then clamped at 0 in place, outside
/// autograd: the value is exactly <c>relu(x)</c> (the leaky output is negative exactly where x is), and
/// the gradient is the leaky ReLU's, which LibTorch computes from the input, not the output: 1 where
/// <c>x &gt; 0</c>, 0.1 where <c>x &lt; 0</c>, bit-identical to Lucent's. One difference: at exactly
/// <c>x == 0</c> the gradient is 0.1 where Lucent's is 1 (both are valid subgradients; conv outputs are
/// practically never exactly zero).</para>
/// <para>Two passes over the data and one new tensor: faster than a custom autograd node (which
/// TorchSharp 0.107 also leaks 5-80 KB of native memory per call) and than composing the gradient from
/// element-wise masks (docs/performance.md).</para>
/// </remarks>
public sealed class RedirectedRelu : nn.Module<Tensor, Tensor>
{
    /// <summary>The factor applied to gradients where the input was negative (0.1, as in Lucent).</summary>
    public const double NegativeGradientScale = 0.1;

    /// <summary>Creates the module.</summary>
    /// <param name="name">The module name.</param>
    public RedirectedRelu(string name = "RedirectedRelu")
        : base(name)
    {
    }

    /// <summary>Applies the redirected ReLU.</summary>
    /// <param name="input">Any tensor.</param>
    /// <returns>A new tensor with the value of <c>relu(input)</c>.</returns>
    public override Tensor forward(Tensor input) => Apply(input);

    /// <summary>Applies the redirected ReLU to a tensor.</summary>
    /// <param name="input">Any tensor.</param>
    /// <returns>A new tensor with the value of <c>relu(input)</c> and the redirected gradient.</returns>
    public static Tensor Apply(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!input.requires_grad)
        {
            return nn.functional.relu(input);
        }

        // leaky_relu's gradient is computed from its input, not its output, so its output can be clamped
        // to relu(x) in place, unrecorded: leaky_relu(x) < 0 exactly where x < 0. Two passes over the data.
        var result = nn.functional.leaky_relu(input, NegativeGradientScale);
        using (no_grad())
        {
            result.clamp_min_(0);
        }

        return result;
    }
}
