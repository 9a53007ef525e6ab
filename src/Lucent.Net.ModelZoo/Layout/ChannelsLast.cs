using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Layout;

/// <summary>
/// Channels-last (NHWC) memory order for (batch, channels, height, width) tensors, as PyTorch's
/// <c>torch.channels_last</c>: same shape, strides (H*W*C, 1, W*C, C). TorchSharp 0.107 has no
/// memory-format API, so the order is made with permute + contiguous.
/// </summary>
internal static class ChannelsLast
{
    /// <summary>A copy of <paramref name="input"/> in channels-last order, shaped like the input; the caller owns it.</summary>
    public static Tensor From(Tensor input)
    {
        using var nhwc = input.permute(0, 2, 3, 1).contiguous();
        return nhwc.permute(0, 3, 1, 2);
    }

    /// <summary>Whether a 4-d tensor with more than one channel is laid out channels-last.</summary>
    public static bool Is(Tensor tensor)
    {
        if (tensor.dim() != 4 || tensor.shape[1] <= 1)
        {
            return false;
        }

        long channels = tensor.shape[1], width = tensor.shape[3];
        return tensor.stride(1) == 1 && tensor.stride(3) == channels && tensor.stride(2) == width * channels
            && tensor.stride(0) == tensor.shape[2] * width * channels;
    }
}
