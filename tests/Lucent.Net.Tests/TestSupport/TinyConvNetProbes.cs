using Lucent.Net.Testing;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.TestSupport;

/// <summary>
/// Test-only instruments on the shared <see cref="TinyConvNet"/> (Lucent.Net.Testing): count a layer's calls,
/// make the net fail part-way (a layer "not computable at this size"), compute a layer's output without hooks.
/// The tests build the net as <c>new TinyConvNet(seed: 1)</c>: with seed 1 and the default width its conv1 and
/// conv2 have the weights of the test project's earlier private net, so the tests' numbers kept their meaning.
/// </summary>
internal static class TinyConvNetProbes
{
    /// <summary>Counts the forward calls of <paramref name="layer"/> from now on, until disposed.</summary>
    public static LayerCallCounter CountCalls(this TinyConvNet net, string layer) => new(Layer(net, layer));

    /// <summary>
    /// Makes every forward throw <see cref="InvalidOperationException"/> with <paramref name="message"/> just
    /// before <paramref name="layer"/> runs (layers before it are computed, it and those after are not).
    /// </summary>
    public static IDisposable FailBefore(this TinyConvNet net, string layer, string message = "conv3: input too small")
    {
        var remover = Layer(net, layer).register_forward_pre_hook((_, _) => throw new InvalidOperationException(message));
        return new Removal(remover.remove);
    }

    /// <summary><paramref name="layer"/>'s output on <paramref name="input"/>, computed with <c>forward</c> (no hook fires).</summary>
    public static Tensor LayerOutput(this TinyConvNet net, string layer, Tensor input)
    {
        var x = input;
        foreach (string name in TinyConvNet.LayerNames)
        {
            x = Layer(net, name).forward(name == "fc" ? x.flatten(1) : x);
            if (name == layer)
            {
                return x;
            }
        }

        throw new ArgumentException($"'{layer}' is not a layer of TinyConvNet.", nameof(layer));
    }

    private static nn.Module<Tensor, Tensor> Layer(TinyConvNet net, string layer) =>
        net.named_children().Single(c => c.name == layer).module as nn.Module<Tensor, Tensor>
        ?? throw new InvalidOperationException($"TinyConvNet's '{layer}' is not a tensor-to-tensor module.");

    private sealed class Removal(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}

/// <summary>Counts a module's forward calls through a forward hook; disposing removes the hook.</summary>
internal sealed class LayerCallCounter : IDisposable
{
    private readonly Action _remove;

    public LayerCallCounter(nn.Module<Tensor, Tensor> module)
    {
        var remover = module.register_forward_hook((_, _, _) =>
        {
            Count++;
            return null!;
        });
        _remove = remover.remove;
    }

    /// <summary>How many times the layer ran.</summary>
    public int Count { get; private set; }

    public void Dispose() => _remove();
}
