using System.Buffers.Binary;
using System.Globalization;
using Lucent.Net.Images;
using Lucent.Net.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Parameterization;

/// <summary>
/// An average magnitude spectrum of natural images: for each colour channel, the mean over images of
/// <c>|rfft2(image)|</c> (orthonormal FFT) on a square grid of <see cref="Size"/> pixels, laid out
/// (channels, size, size/2 + 1). MACO (<see cref="MacoParameterization"/>) fixes an image's magnitude to it and
/// optimises only the phase.
/// </summary>
/// <remarks>
/// <para>With the orthonormal FFT, Parseval's identity makes the mean squared magnitude equal the pixel variance
/// whatever the size, so a spectrum computed at one size can be resampled (<see cref="Resize"/>) to another in
/// normalised frequency (cycles per pixel).</para>
/// <para>The file format (<see cref="Save"/>, <see cref="Load"/>, <see cref="FromBytes"/>) is a 16-byte header
/// (ASCII <c>LMAG</c>, version 1 and the value type as little-endian 16-bit numbers, then channels, height and
/// width as 16-bit numbers, 2 reserved zero bytes) followed by channels x height x (width/2 + 1) little-endian
/// float16 or float32 values, nothing else. Reading treats the file as untrusted: sizes are bounded
/// (<see cref="MaxSize"/>, at most 4 channels), the length must match the header exactly and every value
/// must be finite and not negative; anything else is an <see cref="InvalidMagnitudeSpectrumException"/>.</para>
/// <para><see cref="Default"/> is shipped with the package: computed by <see cref="FromImages(IEnumerable{ImageBatch}, int)"/>
/// at 224 pixels from public-domain and CC0 photographs (scikit-image's astronaut, chelsea, coffee and
/// rocket; docs/maco.md) and stored as float16 (about 150 KB).</para>
/// </remarks>
public sealed class MagnitudeSpectrum
{
    /// <summary>The largest height and width accepted (1024 pixels).</summary>
    public const int MaxSize = 1024;

    /// <summary>The size of the file header in bytes.</summary>
    public const int HeaderBytes = 16;

    private const ushort FormatVersion = 1;
    private const ushort Float16Type = 1;
    private const ushort Float32Type = 2;
    private static readonly byte[] Magic = "LMAG"u8.ToArray();
    private static readonly Lazy<MagnitudeSpectrum> Shipped = new(LoadShipped);

    private readonly float[] _values;

    private MagnitudeSpectrum(int channels, int height, int width, float[] values)
    {
        Channels = channels;
        Height = height;
        Width = width;
        _values = values;
    }

    /// <summary>The number of colour channels (3 for RGB).</summary>
    public int Channels { get; }

    /// <summary>The image height the spectrum is for.</summary>
    public int Height { get; }

    /// <summary>The image width the spectrum is for.</summary>
    public int Width { get; }

    /// <summary>The side of a square spectrum (its <see cref="Width"/>).</summary>
    public int Size => Width;

    /// <summary>The number of spectrum columns, <c>width/2 + 1</c> (the real FFT's half spectrum).</summary>
    public int Columns => (Width / 2) + 1;

    /// <summary>
    /// The spectrum shipped with the package: 3 channels, 224 x 224, averaged over four public-domain/CC0
    /// photographs (see the remarks of <see cref="MagnitudeSpectrum"/>).
    /// </summary>
    public static MagnitudeSpectrum Default => Shipped.Value;

    /// <summary>The values laid out (channels, height, columns), copied.</summary>
    /// <returns>A new array.</returns>
    public float[] ToArray() => (float[])_values.Clone();

    /// <summary>The values as a float32 tensor (channels, height, columns) on <paramref name="device"/>.</summary>
    /// <param name="device">Where the tensor lives; CPU when <see langword="null"/>.</param>
    /// <returns>A new tensor; the caller owns it.</returns>
    public Tensor ToTensor(Device? device = null)
    {
        var tensor = torch.tensor(_values, [Channels, Height, Columns], ScalarType.Float32);
        if (device is null || device == tensor.device)
        {
            return tensor;
        }

        using (tensor)
        {
            return tensor.to(device);
        }
    }

    /// <summary>
    /// Makes a spectrum from values laid out (channels, height, width/2 + 1).
    /// </summary>
    /// <param name="values">The magnitudes; finite and not negative.</param>
    /// <param name="channels">1 to 4 channels.</param>
    /// <param name="height">1 to <see cref="MaxSize"/>.</param>
    /// <param name="width">1 to <see cref="MaxSize"/>.</param>
    /// <returns>The spectrum (the values are copied).</returns>
    /// <exception cref="ArgumentException">A size is out of range, the value count does not match, or a value is negative or not finite.</exception>
    public static MagnitudeSpectrum FromValues(ReadOnlySpan<float> values, int channels, int height, int width)
    {
        CheckSizes(channels, height, width, message => new ArgumentException(message, nameof(values)));
        long expected = (long)channels * height * ((width / 2) + 1);
        if (values.Length != expected)
        {
            throw new ArgumentException($"A {channels}-channel spectrum for {height}x{width} images needs {expected} values (channels x height x (width/2 + 1)); got {values.Length}.", nameof(values));
        }

        var copy = values.ToArray();
        for (int i = 0; i < copy.Length; i++)
        {
            if (!float.IsFinite(copy[i]) || copy[i] < 0)
            {
                throw new ArgumentException($"Magnitude {i} is {copy[i].ToString(CultureInfo.InvariantCulture)}; magnitudes must be finite and not negative.", nameof(values));
            }
        }

        return new MagnitudeSpectrum(channels, height, width, copy);
    }

    /// <summary>
    /// The average magnitude spectrum of images: each image is centre-cropped to a square, resized to
    /// <paramref name="size"/> (bilinear, with antialiasing when shrinking), and the orthonormal
    /// <c>|rfft2|</c> of each of its first 3 channels is averaged over all images.
    /// </summary>
    /// <param name="images">Images with values in [0, 1], laid out (batch, height, width, channels) with 3 or 4 channels (alpha is ignored); every image of every batch counts once.</param>
    /// <param name="size">The side of the spectrum's square grid; 2 to <see cref="MaxSize"/>.</param>
    /// <returns>A 3-channel spectrum.</returns>
    /// <exception cref="ArgumentException">No image was given, an image has fewer than 3 channels, or the size is out of range.</exception>
    public static MagnitudeSpectrum FromImages(IEnumerable<ImageBatch> images, int size)
    {
        ArgumentNullException.ThrowIfNull(images);
        return FromTensors(images.Select(batch =>
        {
            ArgumentNullException.ThrowIfNull(batch, nameof(images));
            return TensorImages.ToTensor(batch);
        }), size, disposeInputs: true);
    }

    /// <summary>
    /// The average magnitude spectrum of image tensors; see <see cref="FromImages(IEnumerable{ImageBatch}, int)"/>.
    /// </summary>
    /// <param name="images">Tensors laid out (batch, channels, height, width) with 3 or 4 channels, values in [0, 1]; not disposed.</param>
    /// <param name="size">The side of the spectrum's square grid; 2 to <see cref="MaxSize"/>.</param>
    /// <returns>A 3-channel spectrum.</returns>
    /// <exception cref="ArgumentException">No image was given, a tensor is not an image batch with 3 or 4 channels, or the size is out of range.</exception>
    public static MagnitudeSpectrum FromImages(IEnumerable<Tensor> images, int size)
    {
        ArgumentNullException.ThrowIfNull(images);
        return FromTensors(images, size, disposeInputs: false);
    }

    private static MagnitudeSpectrum FromTensors(IEnumerable<Tensor> images, int size, bool disposeInputs)
    {
        if (size < 2 || size > MaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"The spectrum size must be between 2 and {MaxSize} pixels.");
        }

        using var scope = torch.NewDisposeScope();
        Tensor? sum = null;
        long count = 0;
        foreach (var image in images)
        {
            ArgumentNullException.ThrowIfNull(image, nameof(images));
            try
            {
                if (image.dim() != 4 || image.shape[1] < 3 || image.shape[1] > 4 || image.shape[2] < 2 || image.shape[3] < 2)
                {
                    throw new ArgumentException($"Each image must be laid out (batch, channels, height, width) with 3 or 4 channels and at least 2x2 pixels; got shape [{string.Join(", ", image.shape)}].", nameof(images));
                }

                var rgb = image.narrow(1, 0, 3).to_type(ScalarType.Float32).cpu();
                long height = rgb.shape[2];
                long width = rgb.shape[3];
                long side = Math.Min(height, width);
                var square = rgb.narrow(2, (height - side) / 2, side).narrow(3, (width - side) / 2, side);
                var resized = side == size
                    ? square
                    : nn.functional.interpolate(square, [size, size], mode: InterpolationMode.Bilinear, align_corners: false, antialias: side > size);
                var magnitude = torch.fft.rfft2(resized, norm: FFTNormType.Ortho).abs().sum(0, keepdim: false);
                sum = sum is null ? magnitude : sum.add(magnitude);
                count += image.shape[0];
            }
            finally
            {
                if (disposeInputs)
                {
                    image.Dispose();
                }
            }
        }

        if (sum is null || count == 0)
        {
            throw new ArgumentException("Give at least one image to compute a magnitude spectrum from.", nameof(images));
        }

        var mean = sum.div(count).contiguous();
        return new MagnitudeSpectrum(3, size, size, mean.data<float>().ToArray());
    }

    /// <summary>
    /// This spectrum resampled to <paramref name="height"/> x <paramref name="width"/> images in normalised
    /// frequency: each target entry (frequencies fy, fx in cycles per pixel) takes the bilinear interpolation of this
    /// spectrum at the same frequencies (rows wrap around, as frequencies do; columns are clamped to the highest).
    /// The zero frequency maps onto itself. Natural spectra are smooth (about 1/f), so this is a close approximation;
    /// a spectrum computed at the target size is exact. The same size returns this spectrum.
    /// </summary>
    /// <param name="height">1 to <see cref="MaxSize"/>.</param>
    /// <param name="width">1 to <see cref="MaxSize"/>.</param>
    /// <returns>The resampled spectrum.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    public MagnitudeSpectrum Resize(int height, int width)
    {
        CheckSizes(Channels, height, width, message => new ArgumentOutOfRangeException(nameof(height), message));
        if (height == Height && width == Width)
        {
            return this;
        }

        int columns = (width / 2) + 1;
        int sourceColumns = Columns;
        var values = new float[Channels * height * columns];
        for (int c = 0; c < Channels; c++)
        {
            for (int r = 0; r < height; r++)
            {
                int signedRow = r <= (height - 1) / 2 ? r : r - height;
                double rowPosition = signedRow * (double)Height / height;
                int row0 = (int)Math.Floor(rowPosition);
                double rowWeight = rowPosition - row0;
                int rowA = ((row0 % Height) + Height) % Height;
                int rowB = (((row0 + 1) % Height) + Height) % Height;
                for (int k = 0; k < columns; k++)
                {
                    double columnPosition = Math.Min(k * (double)Width / width, sourceColumns - 1);
                    int column0 = Math.Min((int)Math.Floor(columnPosition), sourceColumns - 1);
                    int column1 = Math.Min(column0 + 1, sourceColumns - 1);
                    double columnWeight = columnPosition - column0;
                    double top = At(c, rowA, column0) + (columnWeight * (At(c, rowA, column1) - At(c, rowA, column0)));
                    double bottom = At(c, rowB, column0) + (columnWeight * (At(c, rowB, column1) - At(c, rowB, column0)));
                    values[(((c * height) + r) * columns) + k] = (float)(top + (rowWeight * (bottom - top)));
                }
            }
        }

        return new MagnitudeSpectrum(Channels, height, width, values);

        double At(int channel, int row, int column) => _values[(((channel * Height) + row) * sourceColumns) + column];
    }

    /// <summary>The file content (see the remarks of <see cref="MagnitudeSpectrum"/>).</summary>
    /// <param name="halfPrecision">Store float16 values (half the size; relative error about 0.05%) rather than float32.</param>
    /// <returns>The bytes.</returns>
    public byte[] ToBytes(bool halfPrecision = true)
    {
        int valueBytes = halfPrecision ? 2 : 4;
        var bytes = new byte[HeaderBytes + (_values.Length * valueBytes)];
        Magic.CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), halfPrecision ? Float16Type : Float32Type);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)Channels);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(10), (ushort)Height);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(12), (ushort)Width);
        var body = bytes.AsSpan(HeaderBytes);
        for (int i = 0; i < _values.Length; i++)
        {
            if (halfPrecision)
            {
                BinaryPrimitives.WriteHalfLittleEndian(body[(i * 2)..], (Half)_values[i]);
            }
            else
            {
                BinaryPrimitives.WriteSingleLittleEndian(body[(i * 4)..], _values[i]);
            }
        }

        return bytes;
    }

    /// <summary>Reads a spectrum from file content, checking everything (see the remarks of <see cref="MagnitudeSpectrum"/>).</summary>
    /// <param name="bytes">The content.</param>
    /// <returns>The spectrum.</returns>
    /// <exception cref="InvalidMagnitudeSpectrumException">The content is not a valid spectrum file.</exception>
    public static MagnitudeSpectrum FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HeaderBytes || !bytes[..4].SequenceEqual(Magic))
        {
            throw new InvalidMagnitudeSpectrumException($"Not a magnitude spectrum file: it must start with the 16-byte 'LMAG' header; got {bytes.Length} bytes{(bytes.Length >= 4 ? " starting differently" : string.Empty)}.");
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(bytes[4..]);
        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(bytes[6..]);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]);
        int height = BinaryPrimitives.ReadUInt16LittleEndian(bytes[10..]);
        int width = BinaryPrimitives.ReadUInt16LittleEndian(bytes[12..]);
        if (version != FormatVersion)
        {
            throw new InvalidMagnitudeSpectrumException($"Magnitude spectrum file version {version} is not supported; this version of Lucent.Net reads version {FormatVersion}.");
        }

        if (type != Float16Type && type != Float32Type)
        {
            throw new InvalidMagnitudeSpectrumException($"Magnitude spectrum value type {type} is unknown; expected {Float16Type} (float16) or {Float32Type} (float32).");
        }

        if (bytes[14] != 0 || bytes[15] != 0)
        {
            throw new InvalidMagnitudeSpectrumException("The reserved bytes 14 and 15 of a magnitude spectrum header must be zero.");
        }

        CheckSizes(channels, height, width, message => new InvalidMagnitudeSpectrumException(message));
        int valueBytes = type == Float16Type ? 2 : 4;
        long count = (long)channels * height * ((width / 2) + 1);
        long expected = HeaderBytes + (count * valueBytes);
        if (bytes.Length != expected)
        {
            throw new InvalidMagnitudeSpectrumException($"A {channels}-channel {height}x{width} spectrum file of {(valueBytes == 2 ? "float16" : "float32")} values has {expected} bytes; this one has {bytes.Length} (truncated or with trailing data).");
        }

        var values = new float[count];
        var body = bytes[HeaderBytes..];
        for (int i = 0; i < values.Length; i++)
        {
            float value = valueBytes == 2
                ? (float)BinaryPrimitives.ReadHalfLittleEndian(body[(i * 2)..])
                : BinaryPrimitives.ReadSingleLittleEndian(body[(i * 4)..]);
            if (!float.IsFinite(value) || value < 0)
            {
                throw new InvalidMagnitudeSpectrumException($"Magnitude {i} of the spectrum file is {value.ToString(CultureInfo.InvariantCulture)}; magnitudes must be finite and not negative.");
            }

            values[i] = value;
        }

        return new MagnitudeSpectrum(channels, height, width, values);
    }

    /// <summary>Writes the spectrum to <paramref name="path"/> (a temporary file renamed into place).</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="halfPrecision">Store float16 values rather than float32.</param>
    public void Save(string path, bool halfPrecision = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        string temporary = full + "." + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture) + ".tmp";
        try
        {
            File.WriteAllBytes(temporary, ToBytes(halfPrecision));
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>
    /// Reads a spectrum file: a regular file (no link, FIFO or device) of at most the size of a 4-channel
    /// <see cref="MaxSize"/> float32 spectrum, checked as <see cref="FromBytes"/> does.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>The spectrum.</returns>
    /// <exception cref="InvalidMagnitudeSpectrumException">The file is too large or not a valid spectrum file.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static MagnitudeSpectrum Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        long limit = HeaderBytes + (4L * MaxSize * ((MaxSize / 2) + 1) * 4);
        var bytes = RegularFile.ReadAtMost(path, limit, followSymbolicLinks: true);
        if (bytes.Length > limit)
        {
            throw new InvalidMagnitudeSpectrumException($"'{path}' is larger than the largest magnitude spectrum file ({limit} bytes); it is not one.");
        }

        return FromBytes(bytes);
    }

    private static void CheckSizes(int channels, int height, int width, Func<string, Exception> error)
    {
        if (channels < 1 || channels > 4)
        {
            throw error($"A magnitude spectrum has 1 to 4 channels; got {channels}.");
        }

        if (height < 1 || height > MaxSize || width < 1 || width > MaxSize)
        {
            throw error($"A magnitude spectrum is for images of 1 to {MaxSize} pixels a side; got {height}x{width}.");
        }
    }

    private static MagnitudeSpectrum LoadShipped()
    {
        const string Name = "Lucent.Net.Parameterization.natural-spectrum-224.lmag";
        using var stream = typeof(MagnitudeSpectrum).Assembly.GetManifestResourceStream(Name)
            ?? throw new InvalidOperationException($"The shipped magnitude spectrum resource '{Name}' is missing from the Lucent.Net assembly.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return FromBytes(memory.ToArray());
    }
}

/// <summary>A magnitude spectrum file is not valid (bad header, sizes out of range, wrong length or bad values).</summary>
public sealed class InvalidMagnitudeSpectrumException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public InvalidMagnitudeSpectrumException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong.</param>
    public InvalidMagnitudeSpectrumException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public InvalidMagnitudeSpectrumException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
