using Lucent.Net.Activations;
using Lucent.Net.Objectives;
using Lucent.Net.Runtime;
using Lucent.Net.Testing;
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
/// Objectives on the shared <see cref="TinyConvNet"/> (Lucent.Net.Testing; seed 7, width 4: conv1 and relu1 have
/// 4 channels, conv2 to relu3 8, fc 10 logits) without the renderer: forward hooks put every layer's output,
/// the input and the logits (<c>labels</c>) into a <see cref="DictionaryLookup"/>.
/// </summary>
internal sealed class ObjectiveTestNet : IDisposable
{
    private readonly TinyConvNet _net = new(seed: 7, width: 4);
    private readonly List<Action> _removers = [];
    private Dictionary<string, Tensor> _current = [];

    public ObjectiveTestNet()
    {
        foreach (var (name, module) in _net.named_children())
        {
            string layer = name;
            var remover = ((nn.Module<Tensor, Tensor>)module).register_forward_hook((_, _, output) =>
            {
                _current[layer] = output;
                return null!;
            });
            _removers.Add(remover.remove);
        }
    }

    /// <summary>Runs the net; the dictionary's tensors join the current dispose scope.</summary>
    public Dictionary<string, Tensor> Forward(Tensor input)
    {
        _current = new Dictionary<string, Tensor> { [IActivationLookup.Input] = input };
        _current[IActivationLookup.Labels] = _net.call(input);
        return _current;
    }

    /// <summary>
    /// Runs <paramref name="steps"/> Adam steps (lr 0.05) on a random input image of
    /// <paramref name="batch"/> 16x16 RGB images and returns the loss at each step.
    /// </summary>
    public float[] Optimise(IObjective objective, int batch = 2, int steps = 6, long seed = 3)
    {
        using var generator = new Generator((ulong)seed);
        using var image = nn.Parameter(rand([batch, 3, 16, 16], generator: generator));
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
        foreach (var remove in _removers)
        {
            remove();
        }

        _net.Dispose();
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
