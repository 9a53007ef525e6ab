using static TorchSharp.torch;

namespace Lucent.Net.Parameterization;

/// <summary>
/// The activation after each hidden convolution of a <see cref="CppnParameterization"/> (Lucent's
/// <c>cppn(..., activation_fn=...)</c>). <see cref="Composite"/> is Lucent's default.
/// </summary>
/// <remarks>
/// Lucent sizes every hidden convolution for twice the hidden channels (<c>in_c = out_c * 2</c>), so
/// only activations that double the channels work there. Here the hidden convolutions take
/// <see cref="ChannelMultiplier"/> times the hidden channels, so channel-preserving activations
/// (ReLU, tanh) work too; an activation that returns another channel count gets a clear error on the
/// first image.
/// </remarks>
public sealed class CppnActivation
{
    private readonly Func<Tensor, Tensor> _apply;

    private CppnActivation(string name, int channelMultiplier, Func<Tensor, Tensor> apply)
    {
        Name = name;
        ChannelMultiplier = channelMultiplier;
        _apply = apply;
    }

    /// <summary>Lucent's <c>CompositeActivation</c>: <c>cat(atan(x) / 0.67, atan(x)^2 / 0.6)</c>, doubling the channels (the default).</summary>
    public static CppnActivation Composite { get; } = new("composite", 2, CppnParameterization.CompositeActivation);

    /// <summary>ReLU, keeping the channel count.</summary>
    public static CppnActivation Relu { get; } = new("relu", 1, x => nn.functional.relu(x));

    /// <summary>Hyperbolic tangent, keeping the channel count.</summary>
    public static CppnActivation Tanh { get; } = new("tanh", 1, x => x.tanh());

    /// <summary>The name shown in the parameterisation's name, e.g. <c>composite</c>.</summary>
    public string Name { get; }

    /// <summary>Output channels per input channel (2 for <see cref="Composite"/>, 1 for ReLU or tanh).</summary>
    public int ChannelMultiplier { get; }

    /// <summary>Makes an activation from a function (Lucent's <c>activation_fn</c> module class).</summary>
    /// <param name="name">A short name for the parameterisation's name.</param>
    /// <param name="apply">Maps (batch, channels, height, width) activations to (batch, channelMultiplier * channels, height, width); differentiable.</param>
    /// <param name="channelMultiplier">Output channels per input channel; Lucent's networks assume 2.</param>
    /// <returns>The activation.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channelMultiplier"/> is below 1.</exception>
    public static CppnActivation Create(string name, Func<Tensor, Tensor> apply, int channelMultiplier = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(apply);
        ArgumentOutOfRangeException.ThrowIfLessThan(channelMultiplier, 1);
        return new CppnActivation(name, channelMultiplier, apply);
    }

    /// <summary>Applies the activation and checks the channel count it returned.</summary>
    /// <param name="x">Activations laid out (batch, channels, height, width).</param>
    /// <returns>The activated tensor.</returns>
    /// <exception cref="InvalidOperationException">The function returned another shape than (batch, <see cref="ChannelMultiplier"/> x channels, height, width).</exception>
    public Tensor Apply(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = _apply(x) ?? throw new InvalidOperationException($"The CPPN activation '{Name}' returned null.");
        long expected = x.shape[1] * ChannelMultiplier;
        if (y.dim() != 4 || y.shape[0] != x.shape[0] || y.shape[1] != expected || y.shape[2] != x.shape[2] || y.shape[3] != x.shape[3])
        {
            throw new InvalidOperationException(
                $"The CPPN activation '{Name}' turned activations of shape [{string.Join(", ", x.shape)}] into [{string.Join(", ", y.shape)}]; " +
                $"with a channel multiplier of {ChannelMultiplier} it must return [{x.shape[0]}, {expected}, {x.shape[2]}, {x.shape[3]}]. Pass the multiplier it has to CppnActivation.Create.");
        }

        return y;
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
