using Lucent.Net.Activations;
using Lucent.Net.Objectives;
using Lucent.Net.Runtime;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Objectives;

/// <summary>A test-only lookup over a dictionary of named activations.</summary>
internal sealed class DictionaryLookup : IActivationLookup
{
    private readonly Dictionary<string, Tensor> _layers;

    public DictionaryLookup(Dictionary<string, Tensor> layers)
    {
        _layers = layers;
    }

    public DictionaryLookup(string layer, Tensor activation)
        : this(new Dictionary<string, Tensor> { [layer] = activation })
    {
    }

    public Tensor this[string layer] =>
        _layers.TryGetValue(layer, out var t) ? t : throw new UnknownLayerException(layer, _layers.Keys);
}

/// <summary>
/// A tiny convolutional net: conv1 (3 -> 4 channels, 3x3, pad 1) + ReLU, conv2 (4 -> 6) + ReLU,
/// labels = spatial mean of conv2. Weights are fixed by a seed and frozen.
/// </summary>
internal sealed class TinyConvNet : IDisposable
{
    private readonly Tensor _w1;
    private readonly Tensor _b1;
    private readonly Tensor _w2;
    private readonly Tensor _b2;

    public TinyConvNet(long seed = 7)
    {
        LucentRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)seed);
        _w1 = (randn([4, 3, 3, 3], generator: generator) * 0.4).MoveToOuterDisposeScope();
        _b1 = full([4], 0.1).MoveToOuterDisposeScope();
        _w2 = (randn([6, 4, 3, 3], generator: generator) * 0.3).MoveToOuterDisposeScope();
        _b2 = full([6], 0.1).MoveToOuterDisposeScope();
        generator.Dispose();
    }

    /// <summary>Runs the net; the dictionary's tensors join the current dispose scope.</summary>
    public Dictionary<string, Tensor> Forward(Tensor input)
    {
        Tensor conv1 = nn.functional.relu(nn.functional.conv2d(input, _w1, _b1, padding: [1, 1]));
        Tensor conv2 = nn.functional.relu(nn.functional.conv2d(conv1, _w2, _b2, padding: [1, 1]));
        Tensor labels = conv2.mean([2L, 3L]);
        return new Dictionary<string, Tensor>
        {
            [IActivationLookup.Input] = input,
            ["conv1"] = conv1,
            ["conv2"] = conv2,
            [IActivationLookup.Labels] = labels,
        };
    }

    /// <summary>
    /// Runs <paramref name="steps"/> Adam steps (lr 0.05) on a random input image of
    /// <paramref name="batch"/> 8x8 RGB images and returns the loss at each step.
    /// </summary>
    public float[] Optimise(IObjective objective, int batch = 2, int steps = 6, long seed = 3)
    {
        using var generator = new Generator((ulong)seed);
        using var image = nn.Parameter(rand([batch, 3, 8, 8], generator: generator));
        using var adam = optim.Adam([image], lr: 0.05);
        var losses = new float[steps];
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            adam.zero_grad();
            var lookup = new DictionaryLookup(Forward(image));
            Tensor loss = objective.Compute(lookup);
            losses[step] = loss.item<float>();
            loss.backward();
            adam.step();
        }

        return losses;
    }

    public void Dispose()
    {
        _w1.Dispose();
        _b1.Dispose();
        _w2.Dispose();
        _b2.Dispose();
    }
}

internal static class T
{
    static T() => LucentRuntime.EnsureInitialized();

    /// <summary>A float tensor with the values 0, 1, 2, ... in <paramref name="shape"/>.</summary>
    public static Tensor Range(params long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        return arange(n, dtype: ScalarType.Float32).reshape(shape);
    }

    public static Tensor Of(float[] values, params long[] shape) => tensor(values, shape, ScalarType.Float32);

    public static float[] Values(Tensor t)
    {
        using var c = t.detach().contiguous().flatten();
        return c.data<float>().ToArray();
    }

    public static double Compute(Objective objective, IActivationLookup lookup)
    {
        using var loss = objective.Compute(lookup);
        return loss.item<float>();
    }

    public static double Compute(Objective objective, string layer, Tensor activation) =>
        Compute(objective, new DictionaryLookup(layer, activation));
}
