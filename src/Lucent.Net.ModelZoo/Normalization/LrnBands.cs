using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Normalization;

/// <summary>
/// The band matrices of a local response normalisation, built once per constants, channel count, element type and
/// device and kept for the life of the process (InceptionV1 needs 160 KB): the whole (channels x channels) band, and
/// the one block matrix of <see cref="LrnWindow"/>.
/// </summary>
internal static class LrnBands
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<(LrnSpec Spec, long Channels, ScalarType Type, DeviceType Device, int Index), Tensor> Cache = [];

    /// <summary>
    /// The (channels x channels) band: entry (j, i) is <c>Alpha / Size</c> where input channel j lies in output channel i's
    /// window, else 0, so that rows @ band sums the windows. Owned by the cache, never dispose it.
    /// </summary>
    public static Tensor For(LrnSpec spec, long channels, ScalarType type, Device device) =>
        Get((spec, channels, type, device.type, device.index), () =>
        {
            var inputs = torch.arange(channels, device: device).unsqueeze(1);
            var outputs = torch.arange(channels, device: device).unsqueeze(0);
            return InWindow(inputs.sub(outputs), spec).to(type).mul(spec.Scale);
        });

    /// <summary>
    /// The block matrix of <see cref="LrnWindow"/>: (block + size - 1) x block, entry (r, i) is <c>Alpha / Size</c> where
    /// input row r (channel <c>r - Before</c> relative to the block's first output channel) lies in output channel i's
    /// window, else 0. Owned by the cache, never dispose it.
    /// </summary>
    public static Tensor Columns(LrnSpec spec, ScalarType type, Device device) =>
        Get((spec, -1, type, device.type, device.index), () =>
        {
            var rows = torch.arange(LrnWindow.BlockChannels + spec.Size - 1, device: device).unsqueeze(1);
            var outputs = torch.arange(LrnWindow.BlockChannels, device: device).unsqueeze(0);
            return InWindow(rows.sub(outputs).sub(spec.Before), spec).to(type).mul(spec.Scale);
        });

    /// <summary>Where an input channel <paramref name="offset"/> channels from the output channel lies in its window.</summary>
    private static Tensor InWindow(Tensor offset, LrnSpec spec) => offset.ge(-spec.Before).logical_and(offset.le(spec.After));

    private static Tensor Get((LrnSpec Spec, long Channels, ScalarType Type, DeviceType Device, int Index) key, Func<Tensor> build)
    {
        lock (Gate)
        {
            if (Cache.TryGetValue(key, out var cached))
            {
                return cached;
            }

            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var band = build();
            band.DetachFromDisposeScope();
            Cache.Add(key, band);
            return band;
        }
    }
}
