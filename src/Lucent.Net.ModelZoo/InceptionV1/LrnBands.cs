using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.InceptionV1;

/// <summary>
/// The banded matrices of <see cref="InceptionV1Model.LocalResponseNormalization"/>: entry (i, j) is
/// <c>alpha / size</c> where channel j lies in channel i's window of <c>size</c> channels, else 0.
/// Built once per channel count, element type and device, and kept for the life of the process
/// (InceptionV1 needs two: 64 and 192 channels, 160 KB together), and the one block matrix of
/// <see cref="LrnWindow"/>.
/// </summary>
internal static class LrnBands
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<(long Channels, ScalarType Type, DeviceType Device, int Index), Tensor> Cache = [];
    private static readonly Dictionary<(ScalarType Type, DeviceType Device, int Index), Tensor> ColumnCache = [];

    /// <summary>
    /// The block matrix of <see cref="LrnWindow"/>: (32 + 8) x 32, entry (i, j) is <c>alpha / size</c> where
    /// input row i (channel <c>i - 4</c> relative to the block's first output channel) lies in output channel
    /// j's window, else 0. Owned by the cache, never dispose it.
    /// </summary>
    public static Tensor Columns(ScalarType type, Device device)
    {
        var key = (type, device.type, device.index);
        lock (Gate)
        {
            if (ColumnCache.TryGetValue(key, out var cached))
            {
                return cached;
            }

            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var rows = torch.arange(LrnWindow.BlockChannels + (2 * LrnWindow.Radius), device: device).unsqueeze(1);
            var centres = torch.arange(LrnWindow.BlockChannels, device: device).add(LrnWindow.Radius).unsqueeze(0);
            var columns = rows.sub(centres).abs().le(LrnWindow.Radius).to(type).mul(InceptionV1Model.LrnAlpha / InceptionV1Model.LrnSize);
            columns.DetachFromDisposeScope();
            ColumnCache.Add(key, columns);
            return columns;
        }
    }

    /// <summary>The band matrix for <paramref name="channels"/> channels; owned by the cache, never dispose it.</summary>
    public static Tensor For(long channels, ScalarType type, Device device)
    {
        var key = (channels, type, device.type, device.index);
        lock (Gate)
        {
            if (Cache.TryGetValue(key, out var cached))
            {
                return cached;
            }

            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var index = torch.arange(channels, device: device);
            var distance = index.unsqueeze(1).sub(index.unsqueeze(0)).abs();
            var band = distance.le(InceptionV1Model.LrnSize / 2).to(type).mul(InceptionV1Model.LrnAlpha / InceptionV1Model.LrnSize);
            band.DetachFromDisposeScope();
            Cache.Add(key, band);
            return band;
        }
    }
}
