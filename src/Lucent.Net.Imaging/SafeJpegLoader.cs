using System.Buffers.Binary;
using Lucent.Net.Images;
using Lucent.Net.Runtime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;

namespace Lucent.Net.Imaging;

/// <summary>
/// Decodes JPEG files (such as a dataset's photos) with the limits of <see cref="ImageDecodeLimits"/> enforced before
/// decoding, as <see cref="SafePngLoader"/> does for PNG.
/// </summary>
/// <remarks>
/// Order of checks: the file must be a regular file (a directory, FIFO, socket or device is refused before a byte is
/// read); its size against <see cref="ImageDecodeLimits.MaxFileBytes"/>, counted as it is read; then the marker
/// segments are walked from the start-of-image marker to the first start-of-frame marker (every segment length checked
/// against the file), and the frame's width and height are checked against the limits; then <c>Image.Identify</c> with a
/// configuration that knows only JPEG, the same checks on what it reports, and only then the decode (metadata ignored).
/// A file whose frame header declares a size of zero (the size defined later by a DNL marker) is refused. Every decoder
/// failure becomes an <see cref="InvalidJpegException"/>. Images decode to 3 channels (RGB; greyscale spread to RGB),
/// values <c>level / 255</c>.
/// </remarks>
public static class SafeJpegLoader
{
    /// <summary>Reads and decodes the JPEG file at <paramref name="path"/>.</summary>
    /// <param name="path">The JPEG file.</param>
    /// <param name="limits">Size limits; <see cref="ImageDecodeLimits.Default"/> when <see langword="null"/>.</param>
    /// <returns>A batch of one image with 3 channels (RGB).</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ImageTooLargeException">The file or the image is over a limit.</exception>
    /// <exception cref="InvalidJpegException">The file is not a valid JPEG, or not a regular file.</exception>
    public static ImageBatch Load(string path, ImageDecodeLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        limits ??= ImageDecodeLimits.Default;
        limits.Validate();
        byte[] bytes;
        try
        {
            bytes = RegularFile.ReadAtMost(path, limits.MaxFileBytes, followSymbolicLinks: true);
        }
        catch (NotRegularFileException e)
        {
            throw new InvalidJpegException($"'{path}' is not a regular file: {e.Message}", e);
        }

        if (bytes.Length > limits.MaxFileBytes)
        {
            throw new ImageTooLargeException(
                $"'{path}' holds more than {limits.MaxFileBytes} bytes (ImageDecodeLimits.MaxFileBytes). It was not decoded; raise the limit if the file is trusted.");
        }

        return DecodeData(bytes, limits, $"'{path}'");
    }

    /// <summary>Decodes JPEG file content held in memory.</summary>
    /// <param name="jpeg">The JPEG file content.</param>
    /// <param name="limits">Size limits; <see cref="ImageDecodeLimits.Default"/> when <see langword="null"/>.</param>
    /// <returns>A batch of one image with 3 channels (RGB).</returns>
    /// <exception cref="ImageTooLargeException">The content or the image is over a limit.</exception>
    /// <exception cref="InvalidJpegException">The content is not a valid JPEG.</exception>
    public static ImageBatch Decode(byte[] jpeg, ImageDecodeLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(jpeg);
        limits ??= ImageDecodeLimits.Default;
        limits.Validate();
        if (jpeg.LongLength > limits.MaxFileBytes)
        {
            throw new ImageTooLargeException(
                $"The JPEG data holds {jpeg.LongLength} bytes, over the limit of {limits.MaxFileBytes} (ImageDecodeLimits.MaxFileBytes). It was not decoded.");
        }

        return DecodeData(jpeg, limits, "The JPEG data");
    }

    /// <summary>Reads width and height from the JPEG frame header without decoding, and checks them against the limits.</summary>
    /// <param name="jpeg">The JPEG file content.</param>
    /// <param name="limits">Size limits; <see cref="ImageDecodeLimits.Default"/> when <see langword="null"/>.</param>
    /// <returns>The width and height in pixels.</returns>
    /// <exception cref="ImageTooLargeException">The image is over a limit.</exception>
    /// <exception cref="InvalidJpegException">The content has no valid marker segments up to a frame header.</exception>
    public static (int Width, int Height) ReadSize(byte[] jpeg, ImageDecodeLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(jpeg);
        limits ??= ImageDecodeLimits.Default;
        limits.Validate();
        return ReadHeader(jpeg, limits, "The JPEG data");
    }

    /// <summary>Whether <paramref name="data"/> starts with the JPEG start-of-image marker (FF D8 FF).</summary>
    /// <param name="data">The first bytes of a file.</param>
    /// <returns><see langword="true"/> for a JPEG signature.</returns>
    public static bool HasSignature(ReadOnlySpan<byte> data) => data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF;

    private static ImageBatch DecodeData(byte[] jpeg, ImageDecodeLimits limits, string what)
    {
        (int width, int height) = ReadHeader(jpeg, limits, what);
        RequireEnd(jpeg, what);
        var configuration = new Configuration(new JpegConfigurationModule());
        configuration.ImageFormatsManager.SetDecoder(JpegFormat.Instance, new JpegDecoder { IgnoreMetadata = true });
        try
        {
            IImageInfo? identified = Image.Identify(configuration, jpeg, out _)
                ?? throw new InvalidJpegException($"{what} could not be identified as JPEG.");
            limits.CheckImageSize(identified.Width, identified.Height, what);
            if (identified.Width != width || identified.Height != height)
            {
                throw new InvalidJpegException(
                    $"{what} is inconsistent: its frame header says {width}x{height} but the decoder reports {identified.Width}x{identified.Height}.");
            }

            return SafePngLoader.DecodeRgb(configuration, jpeg);
        }
        catch (Exception exception) when (exception is not (InvalidJpegException or ImageTooLargeException or OutOfMemoryException))
        {
            // Every other decoder failure (truncated data, bad Huffman tables, unsupported coding, ...) means the file is
            // not one we can read.
            throw new InvalidJpegException($"{what} is not a valid JPEG: {exception.Message} Re-save it with a standard JPEG encoder.", exception);
        }
    }

    /// <summary>Walks the marker segments from SOI to the first SOF marker and returns its width and height, checked.</summary>
    private static (int Width, int Height) ReadHeader(byte[] jpeg, ImageDecodeLimits limits, string what)
    {
        if (!HasSignature(jpeg))
        {
            throw new InvalidJpegException($"{what} does not start with the JPEG start-of-image marker (FF D8); only JPEG files are accepted.");
        }

        int position = 2;
        while (true)
        {
            // Fill bytes (FF) may precede a marker.
            while (position < jpeg.Length && jpeg[position] == 0xFF && position + 1 < jpeg.Length && jpeg[position + 1] == 0xFF)
            {
                position++;
            }

            if (jpeg.Length - position < 4)
            {
                throw new InvalidJpegException($"{what} is truncated at byte {position}, before its frame header.");
            }

            if (jpeg[position] != 0xFF)
            {
                throw new InvalidJpegException($"{what} has no marker at byte {position} (0x{jpeg[position]:X2} instead of 0xFF).");
            }

            byte marker = jpeg[position + 1];
            if (marker is 0xD9 or 0xDA)
            {
                throw new InvalidJpegException($"{what} reaches its {(marker == 0xD9 ? "end" : "scan data")} at byte {position} without a frame header.");
            }

            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                position += 2; // markers without a length
                continue;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(position + 2, 2));
            if (length < 2 || length > jpeg.Length - position - 2)
            {
                throw new InvalidJpegException(
                    $"{what} has a segment 0xFF{marker:X2} at byte {position} that declares {length} bytes, more than the {jpeg.Length - position - 2} bytes left (or fewer than 2).");
            }

            bool frame = marker is >= 0xC0 and <= 0xCF && marker is not (0xC4 or 0xC8 or 0xCC);
            if (frame)
            {
                if (length < 8)
                {
                    throw new InvalidJpegException($"{what} has a frame header of {length} bytes at byte {position}; it needs at least 8.");
                }

                int height = BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(position + 5, 2));
                int width = BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(position + 7, 2));
                if (width == 0 || height == 0)
                {
                    throw new InvalidJpegException($"{what} declares an empty image or a size defined later ({width}x{height}); it is not decoded.");
                }

                limits.CheckImageSize(width, height, what);
                return (width, height);
            }

            position += 2 + length;
        }
    }

    /// <summary>
    /// Requires an end-of-image marker after the first scan: the decoder fills a truncated scan with grey instead of failing,
    /// so a cut file is refused here. Inside entropy-coded data every 0xFF is followed by 0x00 or a restart marker, so an
    /// FF D9 after the scan header is the real end; segments before the scan (which may hold an EXIF thumbnail with its
    /// own end marker) are skipped by their lengths.
    /// </summary>
    private static void RequireEnd(byte[] jpeg, string what)
    {
        int position = 2;
        while (position + 4 <= jpeg.Length)
        {
            if (jpeg[position] != 0xFF)
            {
                break;
            }

            byte marker = jpeg[position + 1];
            if (marker == 0xFF)
            {
                position++;
                continue;
            }

            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                position += 2;
                continue;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(position + 2, 2));
            if (marker == 0xDA)
            {
                int data = position + 2 + length;
                if (data <= jpeg.Length && jpeg.AsSpan(data).IndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9]) >= 0)
                {
                    return;
                }

                break;
            }

            position += 2 + length;
        }

        throw new InvalidJpegException($"{what} is truncated: it has no end-of-image marker (FF D9) after its scan data.");
    }
}
