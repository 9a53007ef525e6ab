namespace Lucent.Net.Objectives;

/// <summary>Which channels of a layer an objective reads, where it says so (channel and neuron objectives and their sums).</summary>
internal static class ObjectiveChannels
{
    /// <summary>
    /// The channels (axis 1 of a (batch, channels, height, width) layer) that <paramref name="objective"/> reads on
    /// <paramref name="layer"/>; null when it may read any (a user's objective, or a built-in that reads the whole layer).
    /// </summary>
    public static IReadOnlySet<int>? Read(IObjective objective, string layer)
    {
        if (objective is not Objective composed)
        {
            return null;
        }

        var leaves = new List<Objective>();
        composed.CollectLeaves(leaves);
        var channels = new HashSet<int>();
        foreach (var leaf in leaves)
        {
            if (!leaf.Layers.Contains(layer))
            {
                continue;
            }

            if (leaf is not LayerObjective { AxisOneChannel: int channel })
            {
                return null;
            }

            channels.Add(channel);
        }

        return channels.Count == 0 ? null : channels;
    }
}
