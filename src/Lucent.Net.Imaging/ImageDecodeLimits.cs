namespace Lucent.Net.Imaging;

/// <summary>
/// Size limits checked before any PNG is decoded by <see cref="SafePngLoader"/>: the file size, then the
/// width, height and pixel count from the PNG header. Inputs over a limit are rejected with
/// <see cref="ImageTooLargeException"/> before the decoder allocates anything.
/// </summary>
public sealed class ImageDecodeLimits
{
    /// <summary>The default limits: 8192 x 8192 pixels at most, 16 777 216 pixels, 64 MiB of file.</summary>
    public static ImageDecodeLimits Default { get; } = new();

    /// <summary>Largest accepted width in pixels (default 8192).</summary>
    public int MaxWidth { get; init; } = 8192;

    /// <summary>Largest accepted height in pixels (default 8192).</summary>
    public int MaxHeight { get; init; } = 8192;

    /// <summary>Largest accepted width times height (default 16 777 216, i.e. 4096 x 4096).</summary>
    public long MaxPixels { get; init; } = 4096L * 4096L;

    /// <summary>Largest accepted file size in bytes (default 64 MiB).</summary>
    public long MaxFileBytes { get; init; } = 64L * 1024 * 1024;

    internal void Validate()
    {
        if (MaxWidth < 1 || MaxHeight < 1 || MaxPixels < 1 || MaxFileBytes < 1)
        {
            throw new ArgumentException(
                $"Image decode limits must all be at least 1 (MaxWidth={MaxWidth}, MaxHeight={MaxHeight}, MaxPixels={MaxPixels}, MaxFileBytes={MaxFileBytes}).");
        }
    }

    /// <summary>Refuses an image of <paramref name="width"/> x <paramref name="height"/> over these limits (checked from a header, before decoding).</summary>
    internal void CheckImageSize(long width, long height, string what)
    {
        if (width > MaxWidth || height > MaxHeight)
        {
            throw new ImageTooLargeException(
                $"{what} is {width}x{height} pixels, over the limit of {MaxWidth}x{MaxHeight} " +
                "(ImageDecodeLimits.MaxWidth/MaxHeight). It was not decoded; raise the limits if the file is trusted.");
        }

        if (width * height > MaxPixels)
        {
            throw new ImageTooLargeException(
                $"{what} has {width * height} pixels ({width}x{height}), over the limit of {MaxPixels} pixels " +
                "(ImageDecodeLimits.MaxPixels). It was not decoded; raise the limit if the file is trusted.");
        }
    }
}
