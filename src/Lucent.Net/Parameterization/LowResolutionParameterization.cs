using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.Parameterization;

/// <summary>Settings of a <see cref="LowResolutionParameterization"/> (Lucent's <c>lowres_tensor</c> arguments).</summary>
/// <param name="Shape">The shape of the tensor produced.</param>
/// <param name="UnderlyingShape">The shape of the trainable tensor that is resized to <paramref name="Shape"/>.</param>
public sealed record LowResolutionOptions(ImageShape Shape, ImageShape UnderlyingShape)
{
    /// <summary>Standard deviation of the initial values (0.01).</summary>
    public double StandardDeviation { get; init; } = 0.01;

    /// <summary>
    /// Optional shift, as the integer list Lucent passes to torch's reflect padding before cropping back to
    /// <see cref="Shape"/>: two entries (left, right of the width) or four (left, right, top, bottom). Only
    /// the left and top entries move the result (right by left pixels, down by top pixels, mirrored in at
    /// the edge); the others pad what is cropped away. Lucent's scalar <c>k</c> is <c>[k, k, k, k]</c>, its
    /// <c>False</c> is 0 and its <c>True</c> at index n is <see cref="HalfRatioOffset"/>(n).
    /// <see langword="null"/> means no shift.
    /// </summary>
    public IReadOnlyList<int>? Offset { get; init; }

    /// <summary>Where the tensor lives; CPU when <see langword="null"/>.</summary>
    public Device? Device { get; init; }

    /// <summary>Lucent's scalar offset <c>k</c>: the same shift of <paramref name="pixels"/> in every entry (<c>[k, k, k, k]</c>).</summary>
    /// <param name="pixels">The shift in pixels, 0 or more.</param>
    /// <returns>These options with <see cref="Offset"/> set.</returns>
    public LowResolutionOptions WithUniformOffset(int pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pixels);
        return this with { Offset = [pixels, pixels, pixels, pixels] };
    }

    /// <summary>Lucent's <c>offset=True</c>: entry n is <see cref="HalfRatioOffset"/>(n), half the ratio of the shapes (a quarter period).</summary>
    /// <returns>These options with <see cref="Offset"/> set.</returns>
    public LowResolutionOptions WithHalfRatioOffset() => this with { Offset = [HalfRatioOffset(0), HalfRatioOffset(1), HalfRatioOffset(2), HalfRatioOffset(3)] };

    /// <summary>
    /// Lucent's per-entry list, e.g. <c>offset=[1, False, 1, True]</c> as
    /// <c>WithOffsets(LowResolutionOffset.Pixels(1), LowResolutionOffset.None, LowResolutionOffset.Pixels(1), LowResolutionOffset.HalfRatio)</c>.
    /// </summary>
    /// <param name="entries">Two entries (left, right) or four (left, right, top, bottom), as <see cref="Offset"/>.</param>
    /// <returns>These options with <see cref="Offset"/> set.</returns>
    /// <exception cref="ArgumentException">Not two or four entries.</exception>
    public LowResolutionOptions WithOffsets(params LowResolutionOffset[] entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Length is not (2 or 4))
        {
            throw new ArgumentException($"A low-resolution offset has 2 entries (left, right) or 4 (left, right, top, bottom); got {entries.Length}.", nameof(entries));
        }

        return this with { Offset = entries.Select((e, n) => e.IsHalfRatio ? HalfRatioOffset(n) : e.PixelCount).ToArray() };
    }

    /// <summary>
    /// The value Lucent uses for an offset entry given as <c>True</c> at index <paramref name="index"/>:
    /// <c>int(shape[n] / underlying_shape[n] / 2)</c> with n = <paramref name="index"/> (over the
    /// dimensions batch, channels, height, width).
    /// </summary>
    /// <param name="index">The entry index, 0 to 3.</param>
    /// <returns>The offset in pixels.</returns>
    public int HalfRatioOffset(int index)
    {
        long[] shape = Shape.ToDimensions();
        long[] underlying = UnderlyingShape.ToDimensions();
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, 3);
        return (int)((double)shape[index] / underlying[index] / 2.0);
    }
}

/// <summary>
/// A tensor parameterised by a smaller one that is resized with bilinear interpolation, corners aligned, in
/// every dimension that differs (Lucent's <c>lowres_tensor(shape, underlying_shape, offset, sd)</c>), with
/// an optional reflect-padded shift (see <see cref="LowResolutionOptions.Offset"/>).
/// </summary>
/// <remarks>
/// Like Lucent's, the output is raw and unbounded; wrap it in <see cref="ValidRgbParameterization"/>
/// (<see cref="ImageParameterizations.ToValidRgb"/>) for images in [0, 1]. Batch and channel dimensions are
/// interpolated too (for example a batch of 1 stretched to 6 repeats the image).
/// </remarks>
public sealed class LowResolutionParameterization : ImageParameterizationBase
{
    private readonly Parameter _underlying;
    private readonly long[]? _padding;

    internal LowResolutionParameterization(LowResolutionOptions options, RandomSource random)
        : base(options.Shape, Describe(options))
    {
        Options = options;
        _padding = options.Offset?.Select(v => (long)v).ToArray();
        _underlying = RandomSource.ToParameter(random.Normal(options.UnderlyingShape.ToDimensions(), options.StandardDeviation, options.Device));
        Parameters = [_underlying];
    }

    /// <summary>The settings used.</summary>
    public LowResolutionOptions Options { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>
    /// Resizes a 4-D tensor to <paramref name="target"/> with bilinear interpolation, corners aligned, in each
    /// pair of dimensions (batch and channels, then height and width) that differs (Lucent's
    /// <c>resize_bilinear_nd</c>).
    /// </summary>
    /// <param name="input">A 4-D tensor.</param>
    /// <param name="target">The shape wanted.</param>
    /// <returns>A new tensor; the caller owns it.</returns>
    public static Tensor ResizeBilinear(Tensor input, ImageShape target)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4)
        {
            throw new ArgumentException($"Expected a 4-D tensor, got shape [{string.Join(", ", input.shape)}].", nameof(input));
        }

        using var scope = torch.NewDisposeScope();
        var t = input;
        long batch = t.shape[0], channels = t.shape[1], height = t.shape[2], width = t.shape[3];
        if (batch != target.Batch || channels != target.Channels)
        {
            // Move (batch, channels) into the spatial slots of a 4-D tensor and interpolate them there.
            var moved = t.permute(2, 3, 0, 1).reshape(1, height * width, batch, channels);
            var resized = torch.nn.functional.interpolate(moved, [target.Batch, target.Channels], mode: InterpolationMode.Bilinear, align_corners: true);
            t = resized.reshape(height, width, target.Batch, target.Channels).permute(2, 3, 0, 1).contiguous();
        }

        if (height != target.Height || width != target.Width)
        {
            t = torch.nn.functional.interpolate(t, [target.Height, target.Width], mode: InterpolationMode.Bilinear, align_corners: true);
        }

        return (ReferenceEquals(t, input) ? input.alias() : t).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override Tensor CreateImageCore()
    {
        var t = ResizeBilinear(_underlying, Shape);
        if (_padding is null)
        {
            return t;
        }

        var padded = torch.nn.functional.pad(t, _padding, PaddingModes.Reflect);
        return padded.narrow(2, 0, Shape.Height).narrow(3, 0, Shape.Width);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _underlying.Dispose();
        }
    }

    private static string Describe(LowResolutionOptions options)
    {
        var s = options.Shape;
        var u = options.UnderlyingShape;
        string offset = options.Offset is null ? string.Empty : ", offset [" + string.Join(", ", options.Offset) + "]";
        return string.Create(CultureInfo.InvariantCulture, $"lowres({s.Batch}x{s.Channels}x{s.Height}x{s.Width} from {u.Batch}x{u.Channels}x{u.Height}x{u.Width}{offset})");
    }
}
