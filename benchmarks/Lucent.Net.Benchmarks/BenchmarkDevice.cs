using Lucent.Net.Devices;
using static TorchSharp.torch;

namespace Lucent.Net.Benchmarks;

/// <summary>The device the benchmarks run on: <c>--device auto|cpu|cuda|cuda:N</c> (default auto, docs/gpu.md).</summary>
internal static class BenchmarkDevice
{
    /// <summary>The selected device (the CPU until <see cref="TrySelect"/> runs).</summary>
    public static Device Current { get; private set; } = CPU;

    /// <summary>Reads <c>--device</c> from the arguments, prints the device line, or prints one error line and returns false.</summary>
    public static bool TrySelect(string[] args)
    {
        int at = Array.FindIndex(args, a => a.Equals("--device", StringComparison.OrdinalIgnoreCase) || a.StartsWith("--device=", StringComparison.OrdinalIgnoreCase));
        string? text = at < 0 ? null : args[at].Contains('=', StringComparison.Ordinal) ? args[at][(args[at].IndexOf('=', StringComparison.Ordinal) + 1)..] : at + 1 < args.Length ? args[at + 1] : null;
        try
        {
            Current = TorchDevices.Parse(text);
        }
        catch (Exception ex) when (ex is ArgumentException or DeviceUnavailableException)
        {
            Console.Error.WriteLine("error: " + ex.Message);
            return false;
        }

        Console.WriteLine($"device: {TorchDevices.Describe(Current)} (--device {text ?? TorchDevices.Auto})");
        return true;
    }
}
