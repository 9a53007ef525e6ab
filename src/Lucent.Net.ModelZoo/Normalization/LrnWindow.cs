using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Normalization;

/// <summary>
/// The scaled window sums of a local response normalisation: for every channel c, <c>Alpha / Size * sum of z over
/// channels c - Before .. c + After</c> (zero beyond the edges). The band matrix of <see cref="LrnBands"/> is 95% zeros
/// on a 192-channel layer, so instead of one (channels x channels) product this multiplies each block of 32 output
/// channels by the <c>32 + Size - 1</c> input channels it can see: about 4x fewer multiply-adds and 2-3.5x less time on
/// InceptionV1's 192-channel LRN input (docs/performance.md). The zeros skipped add exactly zero, so the sums equal the
/// full product's up to the order of additions inside the matrix kernel (equal in every measured case).
/// </summary>
internal static class LrnWindow
{
    /// <summary>Output channels per block.</summary>
    public const int BlockChannels = 32;

    /// <summary>Window sums along the last dimension of <paramref name="rows"/> (any leading shape); a new tensor shaped like it.</summary>
    public static Tensor SumLast(Tensor rows, LrnSpec spec)
    {
        long channels = rows.shape[^1];
        if (channels <= BlockChannels)
        {
            return torch.matmul(rows, LrnBands.For(spec, channels, rows.dtype, rows.device));
        }

        using var scope = NewDisposeScope();
        var flat = rows.reshape(-1, channels);
        var columns = LrnBands.Columns(spec, rows.dtype, rows.device);
        var parts = new List<Tensor>();
        for (long start = 0; start < channels; start += BlockChannels)
        {
            var (first, count, width, offset) = Window(start, channels, spec);
            // A column slice of a row-major matrix is a valid matrix operand (leading stride = channels): no copy.
            parts.Add(torch.mm(flat.narrow(1, first, count), columns.narrow(0, offset, count).narrow(1, 0, width)));
        }

        return torch.cat(parts, 1).view(rows.shape).MoveToOuterDisposeScope();
    }

    /// <summary>Window sums along dimension 1 of a (batch, channels, pixels) tensor; a new tensor of that shape.</summary>
    public static Tensor SumChannelsFirst(Tensor planes, LrnSpec spec)
    {
        long channels = planes.shape[1];
        if (channels <= BlockChannels)
        {
            return torch.matmul(LrnBands.For(spec, channels, planes.dtype, planes.device).t(), planes);
        }

        using var scope = NewDisposeScope();
        var columns = LrnBands.Columns(spec, planes.dtype, planes.device);
        var parts = new List<Tensor>();
        for (long start = 0; start < channels; start += BlockChannels)
        {
            var (first, count, width, offset) = Window(start, channels, spec);
            parts.Add(torch.matmul(columns.narrow(0, offset, count).narrow(1, 0, width).t(), planes.narrow(1, first, count)));
        }

        return torch.cat(parts, 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The input channels (<c>first</c>, <c>count</c>) that the block of output channels starting at
    /// <paramref name="start"/> sees, its width, and the row of <see cref="LrnBands.Columns"/> that
    /// corresponds to <c>first</c>.
    /// </summary>
    private static (long First, long Count, long Width, long Offset) Window(long start, long channels, LrnSpec spec)
    {
        long width = Math.Min(BlockChannels, channels - start);
        long first = Math.Max(0, start - spec.Before);
        long end = Math.Min(channels, start + width + spec.After);
        return (first, end - first, width, first - (start - spec.Before));
    }
}
