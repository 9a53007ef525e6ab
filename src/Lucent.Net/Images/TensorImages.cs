using static TorchSharp.torch;

namespace Lucent.Net.Images;

/// <summary>Converts between TorchSharp image tensors and managed <see cref="ImageBatch"/>es.</summary>
public static class TensorImages
{
    /// <summary>Copies a (batch, channels, height, width) tensor into a managed (batch, height, width, channels) batch.</summary>
    /// <param name="images">The images; any device and float dtype.</param>
    /// <returns>A new batch.</returns>
    public static ImageBatch ToImageBatch(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4)
        {
            throw new ArgumentException($"Expected images laid out (batch, channels, height, width); got shape [{string.Join(", ", images.shape)}].", nameof(images));
        }

        using var scope = NewDisposeScope();
        var nhwc = images.detach().permute(0, 2, 3, 1).contiguous().to(ScalarType.Float32).cpu();
        float[] values = nhwc.data<float>().ToArray();
        return new ImageBatch(values, (int)images.shape[0], (int)images.shape[2], (int)images.shape[3], (int)images.shape[1]);
    }

    /// <summary>Copies a managed batch into a new (batch, channels, height, width) float32 tensor.</summary>
    /// <param name="images">The images.</param>
    /// <returns>A new tensor on the CPU; the caller owns it.</returns>
    public static Tensor ToTensor(ImageBatch images)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var nhwc = tensor(images.Pixels, [images.Batch, images.Height, images.Width, images.Channels]);
        using var permuted = nhwc.permute(0, 3, 1, 2);
        return permuted.contiguous();
    }
}
