using Lucent.Net.ModelZoo.Onnx.Operators;
using Lucent.Net.ModelZoo.Pruning;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Onnx;

/// <summary>
/// What <see cref="OnnxGraphModule.ComputeOnly"/> leaves out: for a <c>Concat</c> along the channel axis, the nodes
/// whose outputs feed only the concatenation's inputs that hold none of the channels read. Planned at the first pass
/// after it is set (which runs whole and records each input's channel count), applied from the second on.
/// </summary>
internal sealed class OnnxPruning
{
    private readonly int _concatIndex;
    private readonly IReadOnlySet<int> _channels;
    private bool[]? _skip;
    private bool[]? _zeroSlots;
    private long[]? _widths;

    /// <summary>Prunes for <paramref name="channels"/> of the output of the Concat node at <paramref name="concatIndex"/>.</summary>
    public OnnxPruning(int concatIndex, IReadOnlySet<int> channels)
    {
        _concatIndex = concatIndex;
        _channels = channels;
    }

    /// <summary>Whether node <paramref name="index"/> is not run.</summary>
    public bool Skips(int index) => _skip is { } skip && skip[index];

    /// <summary>
    /// Before the Concat runs: on the first pass, plans from the values its inputs have; later, puts zeros (in the
    /// memory order of an input that was computed) where a skipped input would be.
    /// </summary>
    public void BeforeConcat(int index, IReadOnlyList<OnnxNodeModule> nodes, bool[] foldable, string graphOutput, Dictionary<string, Tensor> values)
    {
        if (index != _concatIndex)
        {
            return;
        }

        var concat = (ConcatNode)nodes[index];
        if (_skip is null)
        {
            Plan(concat, nodes, foldable, graphOutput, values);
            return;
        }

        if (_zeroSlots is null || _widths is null)
        {
            return; // the plan found nothing to prune
        }

        Tensor? like = null;
        for (int slot = 0; slot < concat.Inputs.Count; slot++)
        {
            if (_zeroSlots[slot] && !values.ContainsKey(concat.Inputs[slot]))
            {
                like ??= concat.Inputs.Select(name => values.GetValueOrDefault(name)).First(t => t is not null)!;
                values[concat.Inputs[slot]] = ConcatenatedChannels.Zeros(like, _widths[slot]);
            }
        }
    }

    private void Plan(ConcatNode concat, IReadOnlyList<OnnxNodeModule> nodes, bool[] foldable, string graphOutput, Dictionary<string, Tensor> values)
    {
        _skip = new bool[nodes.Count];
        var inputs = concat.Inputs;
        // Only (batch, channels, height, width) values: the channel the objectives name is on axis 1 there (on a token
        // layer (batch, tokens, features) axis 1 is the tokens, and a channel objective reads the features).
        if (inputs.Any(name => !values.TryGetValue(name, out var t) || t.dim() != 4) || !concat.IsChannelAxis(4))
        {
            return;
        }

        _widths = [.. inputs.Select(name => values[name].shape[1])];
        if (ConcatenatedChannels.PartsHolding(_widths, _channels) is not { } holding || holding.All(kept => kept))
        {
            return; // nothing to prune: no slot is zeroed and no node skipped
        }

        _zeroSlots = [.. holding.Select(kept => !kept)];

        // Who reads each value: the Concat's slots count as readers only where they are kept.
        var readers = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int j = 0; j < nodes.Count; j++)
        {
            for (int slot = 0; slot < nodes[j].Inputs.Count; slot++)
            {
                if (j == _concatIndex && _zeroSlots[slot])
                {
                    continue;
                }

                string name = nodes[j].Inputs[slot];
                if (!readers.TryGetValue(name, out var list))
                {
                    readers[name] = list = [];
                }

                list.Add(j);
            }
        }

        // From the Concat back: a node is left out when it feeds only zeroed slots or nodes that are left out. A node
        // whose value anything else reads (a kept slot, a later node, the graph output) runs, and so do folded nodes.
        var zeroed = inputs.Where((_, slot) => _zeroSlots[slot]).ToHashSet(StringComparer.Ordinal);
        for (int n = _concatIndex - 1; n >= 0; n--)
        {
            var outputs = nodes[n].Outputs.Where(o => o.Length > 0).ToList();
            if ((n < foldable.Length && foldable[n]) || outputs.Count == 0 || outputs.Contains(graphOutput))
            {
                continue;
            }

            bool feedsZeroed = outputs.Any(zeroed.Contains);
            bool hasReaders = outputs.Any(readers.ContainsKey);
            bool readersSkipped = outputs.All(o => !readers.TryGetValue(o, out var readersOf) || readersOf.All(j => _skip[j]));
            _skip[n] = readersSkipped && (feedsZeroed || hasReaders);
        }
    }
}
