using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Analysis;

/// <summary>
/// Pictures of many channels in one RGB image, as Lucent's <c>misc.io.collapse_channels</c>:
/// channel i of n gets the hue 360 i / n, each position's colour is the activation-weighted sum of
/// its channels' hues, whitened by how much the channels mix, and scaled to the position's
/// activation norm. Used to show <see cref="ChannelReducer"/> groups over a photograph.
/// </summary>
public static class ChannelColors
{
    /// <summary>The hue wheel's six anchors (red, yellow, green, cyan, blue, magenta), each of unit length.</summary>
    private static readonly double[][] Anchors = CreateAnchors();

    /// <summary>
    /// The unit RGB vector of a hue (Lucent's <c>hue_to_rgb</c>): linear between the six anchors
    /// red, yellow, green, cyan, blue, magenta (60 degrees apart, each normalised), with the
    /// position between anchors warped by a sine when <paramref name="warp"/> so that equally spaced
    /// hues look more distinct near the primaries.
    /// </summary>
    /// <param name="degrees">The hue in degrees; any finite value (taken modulo 360).</param>
    /// <param name="warp">Whether to warp away from the primaries (Lucent's default, true).</param>
    /// <returns>The colour, of Euclidean length 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="degrees"/> is NaN or infinite.</exception>
    public static (double Red, double Green, double Blue) HueToRgb(double degrees, bool warp = true)
    {
        if (!double.IsFinite(degrees))
        {
            throw new ArgumentOutOfRangeException(nameof(degrees), degrees, "A hue must be a finite number of degrees.");
        }

        double angle = degrees - (360 * Math.Floor(degrees / 360));
        const double Sector = 360.0 / 6;
        int n = (int)Math.Floor(angle / Sector);
        double d = (angle - (n * Sector)) / Sector;
        if (n >= 6)
        {
            // Rounding of angles just below 0 lands on 360.
            n = 0;
            d = 0;
        }

        if (warp)
        {
            d = n % 2 == 0 ? Math.Sin(d * Math.PI / 2) : 1 - Math.Sin((1 - d) * Math.PI / 2);
        }

        double[] from = Anchors[n];
        double[] to = Anchors[(n + 1) % 6];
        double r = ((1 - d) * from[0]) + (d * to[0]);
        double g = ((1 - d) * from[1]) + (d * to[1]);
        double b = ((1 - d) * from[2]) + (d * to[2]);
        double norm = Math.Sqrt((r * r) + (g * g) + (b * b));
        return (r / norm, g / norm, b / norm);
    }

    /// <summary>
    /// Non-negative channels to RGB (Lucent's <c>sparse_channels_to_rgb</c>): the sum of each
    /// channel times its hue (<see cref="HueToRgb"/> of 360 i / n), plus (sum - max) of the
    /// channels in every colour (grey where channels mix), normalised to unit length
    /// (with 1e-4 added to the length) and scaled by the Euclidean norm of the position's channels.
    /// </summary>
    /// <param name="activations">Non-negative values shaped [..., channels] (channels last, at least 1 dimension).</param>
    /// <returns>A new tensor shaped [..., 3], of the input's floating type (float64 for other types) and device; not clipped (its largest values are the activations' norms).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="activations"/> is null.</exception>
    /// <exception cref="ArgumentException">The values are negative, not finite, empty or not real numbers.</exception>
    public static Tensor SparseChannelsToRgb(Tensor activations)
    {
        using var scope = torch.NewDisposeScope();
        var x = Checked(activations, nameof(activations));
        double minimum = x.min().item<double>();
        if (minimum < 0)
        {
            throw new ArgumentException(
                FormattableString.Invariant($"SparseChannelsToRgb needs non-negative channels, but the minimum is {minimum:G6}; use CollapseChannels, which splits signs into channels."),
                nameof(activations));
        }

        return Restore(ToRgb(x), activations).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Many channels to one RGB picture (Lucent's <c>collapse_channels</c>): when any value is
    /// negative the channels are first split into their positive parts followed by the positive
    /// parts of their negations (2 x channels), then <see cref="SparseChannelsToRgb"/>.
    /// </summary>
    /// <param name="activations">Values shaped [..., channels] (channels last, at least 1 dimension), e.g. [height, width, groups].</param>
    /// <returns>A new tensor shaped [..., 3], of the input's floating type (float64 for other types) and device; not clipped: divide by its maximum to show it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="activations"/> is null.</exception>
    /// <exception cref="ArgumentException">The values are not finite, empty or not real numbers.</exception>
    public static Tensor CollapseChannels(Tensor activations)
    {
        using var scope = torch.NewDisposeScope();
        var x = Checked(activations, nameof(activations));
        if (x.min().item<double>() < 0)
        {
            x = torch.cat(new[] { x.clamp_min(0), x.neg().clamp_min(0) }, -1);
        }

        return Restore(ToRgb(x), activations).MoveToOuterDisposeScope();
    }

    private static Tensor ToRgb(Tensor x)
    {
        long channels = x.shape[^1];
        var colors = new double[channels * 3];
        for (long i = 0; i < channels; i++)
        {
            var (r, g, b) = HueToRgb(360.0 * i / channels);
            colors[(i * 3) + 0] = r;
            colors[(i * 3) + 1] = g;
            colors[(i * 3) + 2] = b;
        }

        var palette = torch.tensor(colors, new long[] { channels, 3 }, ScalarType.Float64);
        var rgb = x.matmul(palette);
        var mixing = x.sum(-1, keepdim: true).sub(x.amax(new long[] { -1 }, keepdim: true));
        rgb = rgb.add(mixing);
        rgb = rgb.div(rgb.norm(-1, keepdim: true).add(1e-4));
        return rgb.mul(x.norm(-1, keepdim: true));
    }

    private static Tensor Checked(Tensor activations, string paramName)
    {
        ArgumentNullException.ThrowIfNull(activations, paramName);
        string shape = string.Join(", ", activations.shape);
        if (activations.dim() < 1 || activations.shape[^1] == 0 || activations.numel() == 0)
        {
            throw new ArgumentException($"Channels to colour must be shaped [..., channels] with at least one channel, but the shape is [{shape}].", paramName);
        }

        var type = activations.dtype;
        if (!AnalysisTypes.IsReal(type))
        {
            throw new ArgumentException($"Channels to colour must be real numbers, but have type {type}; convert them with .to(ScalarType.Float32).", paramName);
        }

        var x = activations.detach().to(ScalarType.Float64, torch.CPU);
        if (!x.isfinite().all().item<bool>())
        {
            throw new ArgumentException($"Channels to colour (shape [{shape}]) contain NaN or infinite values.", paramName);
        }

        return x;
    }

    private static Tensor Restore(Tensor rgb, Tensor like)
    {
        var type = AnalysisTypes.ResultType(like.dtype);
        return rgb.to(type, like.device);
    }

    private static double[][] CreateAnchors()
    {
        double[][] raw = [[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 1, 1], [0, 0, 1], [1, 0, 1]];
        return raw.Select(c =>
        {
            double norm = Math.Sqrt(c.Sum(v => v * v));
            return c.Select(v => v / norm).ToArray();
        }).ToArray();
    }
}
