using System.Buffers.Binary;
using System.Globalization;
using Lucent.Net.Images;
using Lucent.Net.Runtime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Lucent.Net.Imaging;

/// <summary>
/// Decodes PNG files (such as snapshot baselines) with size limits enforced before decoding.
/// </summary>
/// <remarks>
/// <para>Order of checks: the file must be a regular file (a symbolic link is followed to a regular file; a directory,
/// FIFO, socket or device such as <c>/dev/zero</c> is refused with <see cref="InvalidPngException"/> before a byte is
/// read); file size against <see cref="ImageDecodeLimits.MaxFileBytes"/>, from the file's length before reading and
/// again by counting the bytes as they are read (reading stops one byte past the limit);
/// the PNG signature and the IHDR header read directly from the bytes; width, height and pixel count against the
/// limits; then <c>Image.Identify</c> with a configuration that knows only PNG, the same checks on what it reports,
/// and only then the decode. Before decoding, the chunk list is walked: every chunk length is checked against the
/// file, the CRC-32 of every kept chunk is verified, and only the chunks that define pixels (IHDR, PLTE, tRNS, IDAT,
/// IEND) are passed on; metadata chunks (tEXt, zTXt, iTXt, iCCP, eXIf, pHYs, ...) are dropped unread, so a
/// decompression bomb or a malformed chunk in metadata costs nothing. Every decoder failure becomes an
/// <see cref="InvalidPngException"/>. Other image formats are rejected: the decoders of ImageSharp 2.x have published
/// advisories, so only the PNG decoder is reachable and only for inputs within the limits.</para>
/// <para>Greyscale PNGs (with or without alpha) decode to 1 channel, all others to 3 channels (RGB); alpha is
/// dropped and 16-bit samples are reduced to 8 bits. Values are <c>level / 255</c>, so images written by
/// <see cref="ImageBatchPngExtensions"/> round-trip exactly. <see cref="LoadRgba"/> and <see cref="DecodeRgba"/> keep
/// alpha instead: they always return 4 channels (R, G, B, alpha), grey spread to RGB and alpha 1 where the file has
/// none, so RGBA images written by <see cref="ImageBatchPngExtensions"/> round-trip exactly too.</para>
/// </remarks>
public static class SafePngLoader
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>Reads and decodes the PNG file at <paramref name="path"/>.</summary>
    /// <param name="path">The PNG file.</param>
    /// <param name="limits">Size limits; <see cref="ImageDecodeLimits.Default"/> when <see langword="null"/>.</param>
    /// <returns>A batch of one image with 1 (grey) or 3 (RGB) channels.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ImageTooLargeException">The file or the image is over a limit.</exception>
    /// <exception cref="InvalidPngException">The file is not a valid PNG, or not a regular file (a directory, FIFO, socket or device).</exception>
    public static ImageBatch Load(string path, ImageDecodeLimits? limits = null)
    {
        return LoadFile(path, limits, keepAlpha: false);
    }

    /// <summary>Decodes PNG file content held in memory.</summary>
    /// <param name="png">The PNG file content.</param>
    /// <param name="limits">Size limits; <see cref="ImageDecodeLimits.Default"/> when <see langword="null"/>.</param>
    /// <returns>A batch of one image with 1 (grey) or 3 (RGB) channels.</returns>
    /// <exception cref="ImageTooLargeException">The content or the image is over a limit.</exception>
    /// <exception cref="InvalidPngException">The content is not a valid PNG.</exception>
    public static ImageBatch Decode(byte[] png, ImageDecodeLimits? limits = null)
    {
        return DecodeData(png, limits, keepAlpha: false);
    }

    /// <summary>Reads and decodes the PNG file at <paramref name="path"/>, keeping alpha: always 4 channels (R, G, B, alpha).</summary>
    /// <param name="path">The PNG file.</param>
    /// <param name="limits">Size limits; <see cref="ImageDecodeLimits.Default"/> when <see langword="null"/>.</param>
    /// <returns>A batch of one image with 4 channels; alpha is 1 where the file has none.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ImageTooLargeException">The file or the image is over a limit.</exception>
    /// <exception cref="InvalidPngException">The file is not a valid PNG, or not a regular file (a directory, FIFO, socket or device).</exception>
    public static ImageBatch LoadRgba(string path, ImageDecodeLimits? limits = null)
    {
        return LoadFile(path, limits, keepAlpha: true);
    }

    /// <summary>Decodes PNG file content held in memory, keeping alpha: always 4 channels (R, G, B, alpha).</summary>
    /// <param name="png">The PNG file content.</param>
    /// <param name="limits">Size limits; <see cref="ImageDecodeLimits.Default"/> when <see langword="null"/>.</param>
    /// <returns>A batch of one image with 4 channels; alpha is 1 where the file has none.</returns>
    /// <exception cref="ImageTooLargeException">The content or the image is over a limit.</exception>
    /// <exception cref="InvalidPngException">The content is not a valid PNG.</exception>
    public static ImageBatch DecodeRgba(byte[] png, ImageDecodeLimits? limits = null)
    {
        return DecodeData(png, limits, keepAlpha: true);
    }

    /// <summary>Reads width and height from the PNG header without decoding, and checks them against the limits.</summary>
    /// <param name="png">The PNG file content.</param>
    /// <param name="limits">Size limits; <see cref="ImageDecodeLimits.Default"/> when <see langword="null"/>.</param>
    /// <returns>The width and height in pixels.</returns>
    /// <exception cref="ImageTooLargeException">The image is over a limit.</exception>
    /// <exception cref="InvalidPngException">The content does not start with a PNG signature and header.</exception>
    public static (int Width, int Height) ReadSize(byte[] png, ImageDecodeLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(png);
        limits ??= ImageDecodeLimits.Default;
        limits.Validate();
        return ReadHeader(png, limits, "PNG data");
    }

    /// <summary>
    /// The file checks of <see cref="Load"/> and <see cref="LoadRgba"/>: exists, is a regular file (a symbolic link
    /// is followed to its target, which must be one too), within the size limit counted as the bytes are read; then decodes.
    /// </summary>
    private static ImageBatch LoadFile(string path, ImageDecodeLimits? limits, bool keepAlpha)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        limits ??= ImageDecodeLimits.Default;
        limits.Validate();
        var info = new FileInfo(path);
        if (info.Exists && info.Length > limits.MaxFileBytes)
        {
            throw OverFileLimit(path, info.Length.ToString(CultureInfo.InvariantCulture), limits);
        }

        // The length above is only a shortcut: a device (/dev/zero) reports 0 and a file may grow, so the bytes are
        // counted as they are read, and only regular files are read at all (a FIFO would block, a device never ends).
        long readLimit = Math.Min(limits.MaxFileBytes, Array.MaxLength - 1L);
        byte[] bytes;
        try
        {
            bytes = RegularFile.ReadAtMost(path, readLimit, followSymbolicLinks: true);
        }
        catch (NotRegularFileException ex)
        {
            throw new InvalidPngException($"PNG file '{path}' is not a regular file, so it was not read: {ex.Message}", ex);
        }

        if (bytes.LongLength > readLimit)
        {
            throw OverFileLimit(path, "more than " + readLimit.ToString(CultureInfo.InvariantCulture), limits);
        }

        return DecodeCore(bytes, limits, $"PNG file '{path}'", keepAlpha);
    }

    private static ImageTooLargeException OverFileLimit(string path, string size, ImageDecodeLimits limits) => new(
        $"PNG file '{path}' is {size} bytes, over the limit of {limits.MaxFileBytes} bytes (ImageDecodeLimits.MaxFileBytes). " +
        "Raise the limit if the file is trusted.");

    /// <summary>The checks of <see cref="Decode"/> and <see cref="DecodeRgba"/>: within the size limit; then decodes.</summary>
    private static ImageBatch DecodeData(byte[] png, ImageDecodeLimits? limits, bool keepAlpha)
    {
        ArgumentNullException.ThrowIfNull(png);
        limits ??= ImageDecodeLimits.Default;
        limits.Validate();
        if (png.LongLength > limits.MaxFileBytes)
        {
            throw new ImageTooLargeException(
                $"PNG data is {png.LongLength} bytes, over the limit of {limits.MaxFileBytes} bytes (ImageDecodeLimits.MaxFileBytes). " +
                "Raise the limit if the data is trusted.");
        }

        return DecodeCore(png, limits, "PNG data", keepAlpha);
    }

    private static ImageBatch DecodeCore(byte[] png, ImageDecodeLimits limits, string what, bool keepAlpha)
    {
        (int width, int height) = ReadHeader(png, limits, what);
        (byte bitDepth, byte colorType) = CheckHeaderFields(png, what);

        // Only the chunks that define pixels reach the decoder: ancillary chunks (text, compressed text, ICC
        // profiles, EXIF, physical size, ...) are dropped here, so a decompression bomb in metadata or a malformed
        // metadata chunk costs nothing, and the decoder is also told to ignore metadata.
        byte[] pixelsOnly = KeepPixelChunks(png, what);
        var configuration = new Configuration(new PngConfigurationModule());
        configuration.ImageFormatsManager.SetDecoder(PngFormat.Instance, new PngDecoder { IgnoreMetadata = true });
        try
        {
            IImageInfo? identified = Image.Identify(configuration, pixelsOnly, out _);
            if (identified is null)
            {
                throw new InvalidPngException($"{what} could not be identified as PNG.");
            }

            limits.CheckImageSize(identified.Width, identified.Height, what);
            if (identified.Width != width || identified.Height != height)
            {
                throw new InvalidPngException(
                    $"{what} is inconsistent: its header says {width}x{height} but the decoder reports {identified.Width}x{identified.Height}.");
            }

            if (keepAlpha)
            {
                return DecodeRgbaPixels(configuration, pixelsOnly);
            }

            bool grey = colorType is 0 or 4;
            return grey ? DecodeGrey(configuration, pixelsOnly) : DecodeRgb(configuration, pixelsOnly);
        }
        catch (Exception exception) when (exception is not (InvalidPngException or ImageTooLargeException or OutOfMemoryException))
        {
            // Every other decoder failure (ImageFormatException, InvalidDataException, NotSupportedException,
            // ArgumentOutOfRangeException, IndexOutOfRangeException, ...) means the file is not one we can read.
            throw new InvalidPngException(
                $"{what} is not a valid PNG ({bitDepth}-bit, colour type {colorType}): {exception.Message} " +
                "Re-save it with a standard PNG encoder.",
                exception);
        }
    }

    /// <summary>Checks the IHDR fields that the PNG specification constrains, so unsupported files fail with a clear message.</summary>
    private static (byte BitDepth, byte ColorType) CheckHeaderFields(byte[] png, string what)
    {
        if (png.Length < 33)
        {
            throw new InvalidPngException($"{what} is truncated inside its IHDR chunk ({png.Length} bytes; a PNG has at least 33 before its data).");
        }

        byte bitDepth = png[24];
        byte colorType = png[25];
        byte[]? allowed = colorType switch
        {
            0 => [1, 2, 4, 8, 16], // greyscale
            2 => [8, 16], // RGB
            3 => [1, 2, 4, 8], // palette
            4 => [8, 16], // greyscale with alpha
            6 => [8, 16], // RGBA
            _ => null,
        };
        if (allowed is null)
        {
            throw new InvalidPngException(
                $"{what} declares colour type {colorType}; the PNG specification defines only 0 (grey), 2 (RGB), 3 (palette), 4 (grey with alpha) and 6 (RGBA).");
        }

        if (Array.IndexOf(allowed, bitDepth) < 0)
        {
            throw new InvalidPngException(
                $"{what} declares bit depth {bitDepth} for colour type {colorType}; allowed depths are {string.Join(", ", allowed)}.");
        }

        if (png[26] != 0)
        {
            throw new InvalidPngException($"{what} declares compression method {png[26]}; PNG defines only 0 (deflate).");
        }

        if (png[27] != 0)
        {
            throw new InvalidPngException($"{what} declares filter method {png[27]}; PNG defines only 0 (adaptive).");
        }

        if (png[28] > 1)
        {
            throw new InvalidPngException($"{what} declares interlace method {png[28]}; PNG defines only 0 (none) and 1 (Adam7).");
        }

        return (bitDepth, colorType);
    }

    /// <summary>
    /// Walks the chunk list, checks every length and every kept chunk's CRC-32, and returns a PNG made of the
    /// signature and the chunks that define pixels only: IHDR, PLTE, tRNS, IDAT and IEND.
    /// </summary>
    private static byte[] KeepPixelChunks(byte[] png, string what)
    {
        using var kept = new MemoryStream(png.Length);
        kept.Write(png, 0, 8);
        int position = 8;
        bool sawEnd = false;
        bool sawData = false;
        while (!sawEnd)
        {
            if (png.Length - position < 12)
            {
                throw new InvalidPngException(
                    $"{what} is truncated at byte {position}: a chunk needs at least 12 bytes and the file ends before its IEND chunk.");
            }

            uint length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(position, 4));
            ReadOnlySpan<byte> type = png.AsSpan(position + 4, 4);
            string typeName = ChunkName(type);
            if (length > int.MaxValue || length > (uint)(png.Length - position - 12))
            {
                throw new InvalidPngException(
                    $"{what} has a chunk '{typeName}' at byte {position} that declares {length} bytes of data, more than the {png.Length - position - 12} bytes left in the file.");
            }

            foreach (byte letter in type)
            {
                if (letter is not ((>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z')))
                {
                    throw new InvalidPngException($"{what} has a chunk at byte {position} whose type '{typeName}' is not four ASCII letters.");
                }
            }

            int total = 12 + (int)length;
            bool critical = (type[0] & 0x20) == 0;
            bool keep = critical || type.SequenceEqual("tRNS"u8);
            if (keep)
            {
                uint stored = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(position + 8 + (int)length, 4));
                uint actual = Crc32(png.AsSpan(position + 4, 4 + (int)length));
                if (stored != actual)
                {
                    throw new InvalidPngException(
                        $"{what} has a corrupt chunk '{typeName}' at byte {position}: its CRC-32 is 0x{stored:X8} but its content gives 0x{actual:X8}.");
                }

                if (!(type.SequenceEqual("IHDR"u8) || type.SequenceEqual("PLTE"u8) || type.SequenceEqual("IDAT"u8) || type.SequenceEqual("IEND"u8)
                    || type.SequenceEqual("tRNS"u8)))
                {
                    throw new InvalidPngException(
                        $"{what} has an unknown critical chunk '{typeName}' at byte {position}; a decoder must not guess what it means.");
                }

                if (position > 8 && type.SequenceEqual("IHDR"u8))
                {
                    throw new InvalidPngException($"{what} has a second IHDR chunk at byte {position}.");
                }

                sawData |= type.SequenceEqual("IDAT"u8);
                sawEnd = type.SequenceEqual("IEND"u8);
                kept.Write(png, position, total);
            }

            position += total;
        }

        if (!sawData)
        {
            throw new InvalidPngException($"{what} has no IDAT chunk: it holds no image data.");
        }

        return kept.ToArray();
    }

    private static string ChunkName(ReadOnlySpan<byte> type)
    {
        Span<char> name = stackalloc char[4];
        for (int i = 0; i < 4; i++)
        {
            name[i] = type[i] is >= 0x20 and < 0x7F ? (char)type[i] : '?';
        }

        return new string(name);
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        }

        return c ^ 0xFFFFFFFFu;
    }

    private static ImageBatch DecodeGrey(Configuration configuration, byte[] png)
    {
        using Image<L8> image = Image.Load<L8>(configuration, png);
        var pixels = new float[image.Width * image.Height];
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                Span<L8> row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    pixels[(y * rows.Width) + x] = PixelQuantization.ToFloat(row[x].PackedValue);
                }
            }
        });
        return new ImageBatch(pixels, 1, image.Height, image.Width, 1);
    }

    /// <summary>Decodes an image that passed its loader's checks to RGB floats in [0, 1] (shared by the PNG and JPEG loaders).</summary>
    internal static ImageBatch DecodeRgb(Configuration configuration, byte[] encoded)
    {
        using Image<Rgb24> image = Image.Load<Rgb24>(configuration, encoded);
        var pixels = new float[image.Width * image.Height * 3];
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                Span<Rgb24> row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    int offset = ((y * rows.Width) + x) * 3;
                    pixels[offset] = PixelQuantization.ToFloat(row[x].R);
                    pixels[offset + 1] = PixelQuantization.ToFloat(row[x].G);
                    pixels[offset + 2] = PixelQuantization.ToFloat(row[x].B);
                }
            }
        });
        return new ImageBatch(pixels, 1, image.Height, image.Width, 3);
    }

    private static ImageBatch DecodeRgbaPixels(Configuration configuration, byte[] png)
    {
        using Image<Rgba32> image = Image.Load<Rgba32>(configuration, png);
        var pixels = new float[image.Width * image.Height * 4];
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                Span<Rgba32> row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    int offset = ((y * rows.Width) + x) * 4;
                    pixels[offset] = PixelQuantization.ToFloat(row[x].R);
                    pixels[offset + 1] = PixelQuantization.ToFloat(row[x].G);
                    pixels[offset + 2] = PixelQuantization.ToFloat(row[x].B);
                    pixels[offset + 3] = PixelQuantization.ToFloat(row[x].A);
                }
            }
        });
        return new ImageBatch(pixels, 1, image.Height, image.Width, 4);
    }

    private static (int Width, int Height) ReadHeader(byte[] png, ImageDecodeLimits limits, string what)
    {
        // Signature (8 bytes), then the IHDR chunk: length (4) = 13, type (4) = "IHDR", width (4), height (4).
        if (png.Length < 24 || !png.AsSpan(0, 8).SequenceEqual(Signature))
        {
            throw new InvalidPngException($"{what} does not start with the PNG signature; only PNG files are accepted.");
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(8, 4)) != 13
            || png[12] != (byte)'I' || png[13] != (byte)'H' || png[14] != (byte)'D' || png[15] != (byte)'R')
        {
            throw new InvalidPngException($"{what} does not have an IHDR chunk first, as the PNG specification requires.");
        }

        uint width = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(16, 4));
        uint height = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(20, 4));
        if (width == 0 || height == 0)
        {
            throw new InvalidPngException($"{what} declares an empty image ({width}x{height}).");
        }

        limits.CheckImageSize(width, height, what);
        return ((int)width, (int)height);
    }
}
