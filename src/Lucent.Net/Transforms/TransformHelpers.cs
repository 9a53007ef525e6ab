using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Transforms;

/// <summary>Shared checks, random draws and name formatting for the built-in transforms.</summary>
internal static class TransformHelpers
{
    /// <summary>Throws unless <paramref name="image"/> is a (batch, channels, height, width) tensor.</summary>
    public static void RequireImageBatch(Tensor image, string transformName)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.dim() != 4)
        {
            throw new ArgumentException(
                $"{transformName} needs images laid out (batch, channels, height, width); got a tensor of shape [{string.Join(", ", image.shape)}]. Add a batch dimension with unsqueeze(0) if you have a single image.",
                nameof(image));
        }
    }

    /// <summary>Draws an index in [0, <paramref name="count"/>) from the context's generator.</summary>
    public static int ChooseIndex(TransformContext context, int count)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var draw = torch.randint(0, count, [1], dtype: ScalarType.Int64, device: context.Generator.device, generator: context.Generator);
        return (int)draw.item<long>();
    }

    /// <summary>Formats an interpolated message culture-independently.</summary>
    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Formats a number for a transform name, culture-independently.</summary>
    public static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    /// <summary>Formats a list of numbers like Python's list repr.</summary>
    public static string FormatList(IEnumerable<double> values) => "[" + string.Join(", ", values.Select(Format)) + "]";

    /// <summary>Copies and validates a list of finite values.</summary>
    public static double[] CopyFinite(IEnumerable<double> values, string parameterName, string what)
    {
        ArgumentNullException.ThrowIfNull(values, parameterName);
        var copy = values.ToArray();
        if (copy.Length == 0)
        {
            throw new ArgumentException($"The list of {what} is empty; give at least one value.", parameterName);
        }

        foreach (double value in copy)
        {
            if (!double.IsFinite(value))
            {
                throw new ArgumentOutOfRangeException(parameterName, value, $"Every one of the {what} must be a finite number.");
            }
        }

        return copy;
    }

    /// <summary>Shifts images by whole pixels: output(y, x) = input(y - dy, x - dx), zero fill.</summary>
    public static Tensor Shift(Tensor image, long dx, long dy)
    {
        long height = image.shape[2];
        long width = image.shape[3];
        if (dx == 0 && dy == 0)
        {
            return image.alias();
        }

        if (Math.Abs(dx) >= width || Math.Abs(dy) >= height)
        {
            return torch.zeros_like(image);
        }

        using var scope = torch.NewDisposeScope();
        // Keep the part that stays inside, then pad the vacated side with zeros.
        var kept = image
            .narrow(3, dx >= 0 ? 0 : -dx, width - Math.Abs(dx))
            .narrow(2, dy >= 0 ? 0 : -dy, height - Math.Abs(dy));
        long[] padding = [Math.Max(dx, 0), Math.Max(-dx, 0), Math.Max(dy, 0), Math.Max(-dy, 0)];
        var shifted = torch.nn.functional.pad(kept, padding, PaddingModes.Constant, 0.0);
        return shifted.MoveToOuterDisposeScope();
    }
}
