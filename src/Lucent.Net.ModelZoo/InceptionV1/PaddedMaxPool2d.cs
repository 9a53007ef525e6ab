using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.InceptionV1;

/// <summary>
/// A 3x3 max pool that first pads its input with negative infinity (so padding never wins the
/// max), as Lucid's InceptionV1 does: stride 2 with padding on the right and bottom only
/// (<c>maxpool0</c>, <c>maxpool1</c>, <c>maxpool4</c>, <c>maxpool10</c>), or stride 1 with one
/// pixel on every side (each block's <c>_pool</c> branch).
/// </summary>
public sealed class PaddedMaxPool2d : nn.Module<Tensor, Tensor>
{
    private readonly long[] _padding;
    private readonly long _stride;
    private readonly PoolPadding _kernelPadding;

    /// <summary>Creates the pool.</summary>
    /// <param name="name">The module name.</param>
    /// <param name="stride">The stride (1 or 2 in InceptionV1).</param>
    /// <param name="left">Columns of negative infinity added on the left.</param>
    /// <param name="right">Columns added on the right.</param>
    /// <param name="top">Rows added on top.</param>
    /// <param name="bottom">Rows added at the bottom.</param>
    public PaddedMaxPool2d(string name, int stride, int left, int right, int top, int bottom)
        : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(left);
        ArgumentOutOfRangeException.ThrowIfNegative(right);
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        ArgumentOutOfRangeException.ThrowIfNegative(bottom);
        _stride = stride;
        _padding = [left, right, top, bottom];

        // Same values without materialising a padded copy where the kernel can pad: max pooling treats its
        // own padding as -inf, and ceil mode clips the last window at the right/bottom edge, which is what
        // one column/row of -inf does (docs/performance.md; pinned against the explicit padding by a test).
        _kernelPadding = _padding.All(p => p == 0) ? PoolPadding.None
            : _padding.Distinct().Count() == 1 && _padding[0] <= KernelSize / 2 ? PoolPadding.Symmetric
            : _padding is [0, 1, 0, 1] ? PoolPadding.RightBottomByCeilMode
            : PoolPadding.Explicit;
    }

    /// <summary>How the pool gets its -inf padding.</summary>
    private enum PoolPadding
    {
        None,
        Symmetric,
        RightBottomByCeilMode,
        Explicit,
    }

    /// <summary>The kernel size (3, in both directions).</summary>
    public const int KernelSize = 3;

    /// <summary>The stride.</summary>
    public int Stride => (int)_stride;

    /// <summary>Padding added before pooling: left, right, top, bottom.</summary>
    public IReadOnlyList<long> Padding => _padding;

    /// <summary>
    /// Whether to materialise the -inf padding with a separate <c>pad</c> before pooling, as Lucent does,
    /// instead of letting the pooling kernel pad (same values and gradients; the default is faster).
    /// </summary>
    internal bool PadExplicitly { get; init; }

    /// <summary>Pads with negative infinity, then max-pools.</summary>
    /// <param name="input">A tensor laid out (batch, channels, height, width).</param>
    /// <returns>A new tensor; the caller owns it.</returns>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return (PadExplicitly ? PoolPadding.Explicit : _kernelPadding) switch
        {
            PoolPadding.None => nn.functional.max_pool2d(input, KernelSize, _stride),
            PoolPadding.Symmetric => nn.functional.max_pool2d(input, KernelSize, _stride, _padding[0]),
            PoolPadding.RightBottomByCeilMode => nn.functional.max_pool2d(input, KernelSize, _stride, ceil_mode: true),
            _ => PadWithNegativeInfinity(input),
        };
    }

    /// <summary>The reference implementation: pad with -inf, then pool. Kept for unusual paddings and for tests.</summary>
    /// <param name="input">The input.</param>
    /// <returns>The pooled tensor.</returns>
    internal Tensor PadWithNegativeInfinity(Tensor input)
    {
        using var padded = nn.functional.pad(input, _padding, PaddingModes.Constant, double.NegativeInfinity);
        return nn.functional.max_pool2d(padded, KernelSize, _stride);
    }
}
