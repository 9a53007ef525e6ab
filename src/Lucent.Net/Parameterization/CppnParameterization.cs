using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.Parameterization;

/// <summary>Settings of a <see cref="CppnParameterization"/>; the defaults are Lucent's.</summary>
public sealed record CppnOptions
{
    /// <summary>Channels of the output image (3).</summary>
    public int OutputChannels { get; init; } = 3;

    /// <summary>Output channels of each hidden 1x1 convolution (24); the composite activation doubles them.</summary>
    public int HiddenChannels { get; init; } = 24;

    /// <summary>Number of 1x1 convolutions, the last one included (8).</summary>
    public int Layers { get; init; } = 8;

    /// <summary>Whether each convolution is followed by instance normalisation (no affine, eps 1e-5; off by default).</summary>
    public bool Normalize { get; init; }

    /// <summary>
    /// The activation after each hidden convolution (Lucent's <c>activation_fn</c>); null means Lucent's
    /// default, <see cref="CppnActivation.Composite"/>. The hidden convolutions take
    /// <see cref="CppnActivation.ChannelMultiplier"/> times <see cref="HiddenChannels"/> inputs.
    /// </summary>
    public CppnActivation? Activation { get; init; }

    /// <summary>Where the network lives; CPU when <see langword="null"/>.</summary>
    public Device? Device { get; init; }
}

/// <summary>
/// A compositional pattern-producing network (Lucent's <c>cppn(size, ...)</c>): a stack of 1x1 convolutions
/// maps each pixel's coordinates to a colour, so the image is a smooth function of position.
/// </summary>
/// <remarks>
/// Input: a (1, 2, size, size) grid; channel 0 holds the row coordinate and channel 1 the column
/// coordinate, each running over <c>linspace(-sqrt 3, sqrt 3, size)</c>. Each hidden convolution is
/// followed by the activation (<see cref="CppnOptions.Activation"/>; by default Lucent's composite
/// activation <c>cat(atan(x) / 0.67, atan(x)^2 / 0.6)</c>, which doubles the channels), the last one by a sigmoid. Weights start normal with standard deviation
/// <c>sqrt(1 / in_channels)</c>, biases at zero, and the last convolution's weights at zero, so the first
/// image is a uniform 0.5. Parameters, in order: weight then bias of each convolution. The batch is 1.
/// </remarks>
public sealed class CppnParameterization : ImageParameterizationBase
{
    private const double InstanceNormEpsilon = 1e-5;

    private readonly Tensor _coordinates;
    private readonly Parameter[] _weights;
    private readonly Parameter[] _biases;

    internal CppnParameterization(int size, CppnOptions options, RandomSource random)
        : base(new ImageShape(1, options.OutputChannels, size, size), string.Create(CultureInfo.InvariantCulture, $"cppn({size}, {options.Layers} layers x {options.HiddenChannels}{(options.Normalize ? ", normalized" : string.Empty)}{(options.Activation is { } a && a != CppnActivation.Composite ? ", " + a.Name : string.Empty)})"))
    {
        Options = options;
        Activation = options.Activation ?? CppnActivation.Composite;
        var device = options.Device;
        using var scope = torch.NewDisposeScope();
        double range = Math.Sqrt(3.0);
        var line = torch.linspace(-range, range, size, dtype: ScalarType.Float32);
        var rows = line.view(-1, 1).repeat(1, size);
        var columns = line.view(1, -1).repeat(size, 1);
        var grid = torch.stack([rows, columns], dim: 0).unsqueeze(0);
        if (device is not null && device != grid.device)
        {
            grid = grid.to(device);
        }

        _coordinates = RandomSource.Keep(grid);
        _weights = new Parameter[options.Layers];
        _biases = new Parameter[options.Layers];
        var parameters = new List<Parameter>(2 * options.Layers);
        for (int i = 0; i < options.Layers; i++)
        {
            int inChannels = i == 0 ? 2 : Activation.ChannelMultiplier * options.HiddenChannels;
            int outChannels = i == options.Layers - 1 ? options.OutputChannels : options.HiddenChannels;
            var weight = i == options.Layers - 1
                ? torch.zeros([outChannels, inChannels, 1, 1], dtype: ScalarType.Float32, device: device)
                : random.Normal([outChannels, inChannels, 1, 1], Math.Sqrt(1.0 / inChannels), device);
            _weights[i] = RandomSource.ToParameter(weight);
            _biases[i] = RandomSource.ToParameter(torch.zeros([outChannels], dtype: ScalarType.Float32, device: device));
            parameters.Add(_weights[i]);
            parameters.Add(_biases[i]);
        }

        Parameters = parameters;
    }

    /// <summary>The settings used.</summary>
    public CppnOptions Options { get; }

    /// <summary>The activation after each hidden convolution (<see cref="CppnOptions.Activation"/>, or Lucent's composite one).</summary>
    public CppnActivation Activation { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The composite activation: <c>cat(atan(x) / 0.67, atan(x)^2 / 0.6)</c> along channels.</summary>
    /// <param name="x">Activations laid out (batch, channels, height, width).</param>
    /// <returns>A new tensor with twice the channels; the caller owns it.</returns>
    public static Tensor CompositeActivation(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = torch.NewDisposeScope();
        var angle = x.atan();
        var result = torch.cat([angle.div(0.67), angle.mul(angle).div(0.6)], dim: 1);
        return result.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override Tensor CreateImageCore()
    {
        Tensor x = _coordinates;
        for (int i = 0; i < _weights.Length; i++)
        {
            x = torch.nn.functional.conv2d(x, _weights[i], _biases[i]);
            if (Options.Normalize)
            {
                var (variance, mean) = torch.var_mean(x, [2L, 3L], unbiased: false, keepdim: true);
                x = x.sub(mean).div(variance.add(InstanceNormEpsilon).sqrt());
            }

            x = i < _weights.Length - 1 ? Activation.Apply(x) : x.sigmoid();
        }

        return x;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _coordinates.Dispose();
            foreach (var parameter in _weights.Concat(_biases))
            {
                parameter.Dispose();
            }
        }
    }
}
