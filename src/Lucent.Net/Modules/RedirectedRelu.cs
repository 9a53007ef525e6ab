using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Modules;

/// <summary>
/// Lucid's "redirected" ReLU: the forward pass is <c>max(x, 0)</c>, but the backward pass lets
/// 0.1 times the gradient through where the input was negative (and all of it elsewhere), so that
/// optimisation from noise does not stall on channels that start at zero.
/// </summary>
/// <remarks>
/// Implemented without a custom autograd function: the output is
/// <c>relu(x).detach() + (x - x.detach()) * g(x)</c> with <c>g = 0.1</c> where <c>x &lt; 0</c> and 1
/// elsewhere. Its value is exactly <c>relu(x)</c> and its gradient with respect to <c>x</c> is <c>g</c>.
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

        using var scope = NewDisposeScope();
        using var clamped = nn.functional.relu(input);
        using var value = clamped.detach();
        using var detached = input.detach();
        using var zeroValued = input - detached;
        using var negative = input.lt(0);
        using var scale = torch.where(negative, NegativeGradientScale, 1.0).to(input.dtype);
        using var redirected = zeroValued * scale;
        return (value + redirected).MoveToOuterDisposeScope();
    }
}
