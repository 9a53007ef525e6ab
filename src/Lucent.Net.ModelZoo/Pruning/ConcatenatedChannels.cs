using Lucent.Net.ModelZoo.Layout;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Pruning;

/// <summary>The channels of a concatenation along axis 1: which parts hold the channels read, and zeros for the others.</summary>
internal static class ConcatenatedChannels
{
    /// <summary>
    /// For parts of <paramref name="widths"/> channels concatenated in that order, which hold at least one of
    /// <paramref name="channels"/>; null when a channel lies beyond them all (or is negative), so nothing may be pruned.
    /// </summary>
    public static bool[]? PartsHolding(IReadOnlyList<long> widths, IReadOnlySet<int> channels)
    {
        long total = widths.Sum();
        if (channels.Count == 0 || channels.Any(c => c < 0 || c >= total))
        {
            return null;
        }

        var holding = new bool[widths.Count];
        long start = 0;
        for (int part = 0; part < widths.Count; part++)
        {
            long first = start, end = start + widths[part];
            holding[part] = channels.Any(c => c >= first && c < end);
            start = end;
        }

        return holding;
    }

    /// <summary>Zeros shaped like <paramref name="like"/> but with <paramref name="channels"/> on axis 1, in its memory order.</summary>
    public static Tensor Zeros(Tensor like, long channels)
    {
        long[] shape = [.. like.shape];
        shape[1] = channels;
        return ChannelsLast.Is(like)
            ? torch.zeros([shape[0], shape[2], shape[3], channels], dtype: like.dtype, device: like.device).permute(0, 3, 1, 2)
            : torch.zeros(shape, dtype: like.dtype, device: like.device);
    }
}
