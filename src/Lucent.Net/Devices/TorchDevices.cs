using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Devices;

/// <summary>
/// The devices tensors and models live on: parses <c>auto</c>, <c>cpu</c>, <c>cuda</c> and <c>cuda:N</c>, finds the device a
/// model lives on, and names devices in messages. See <c>docs/gpu.md</c>.
/// </summary>
public static class TorchDevices
{
    /// <summary>The device text that picks CUDA when TorchSharp reports it available, else the CPU.</summary>
    public const string Auto = "auto";

    /// <summary>The device texts <see cref="Parse"/> accepts, as messages list them.</summary>
    public const string Forms = "auto, cpu, cuda or cuda:N (N = 0, 1, ...)";

    /// <summary>The one-line hint on getting TorchSharp's CUDA backend, used in error messages.</summary>
    public const string CudaBackendHint =
        "Build the app with the CUDA backend (dotnet build -p:TorchBackend=cuda, which references TorchSharp-cuda-linux or TorchSharp-cuda-windows instead of TorchSharp-cpu; see docs/gpu.md) on a machine with an NVIDIA driver, or use --device cpu.";

    /// <summary>Turns <c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (case-insensitive) into a device.</summary>
    /// <param name="text">The device text; null or empty means <see cref="Auto"/>.</param>
    /// <returns>The device: for <c>auto</c>, CUDA device 0 when CUDA is available, else the CPU.</returns>
    /// <exception cref="ArgumentException">The text is not one of the accepted forms.</exception>
    /// <exception cref="DeviceUnavailableException">A CUDA device was asked for and TorchSharp has no CUDA (or not that many devices).</exception>
    public static Device Parse(string? text)
    {
        string value = string.IsNullOrWhiteSpace(text) ? Auto : text.Trim().ToLowerInvariant();
        if (value == Auto)
        {
            return IsCudaAvailable() ? torch.CUDA : torch.CPU;
        }

        if (value == "cpu")
        {
            return torch.CPU;
        }

        if (CudaIndex(value) is not int index)
        {
            throw new ArgumentException($"Unknown device '{text}': use {Forms}.", nameof(text));
        }

        if (!IsCudaAvailable())
        {
            throw new DeviceUnavailableException($"CUDA is not available: TorchSharp found no CUDA backend or no CUDA device for '{text}'. {CudaBackendHint}", text!.Trim());
        }

        int count = torch.cuda.device_count();
        if (index >= count)
        {
            throw new DeviceUnavailableException($"CUDA device {index} does not exist: this machine has {count} CUDA device(s), cuda:0 to cuda:{count - 1}.", text!.Trim());
        }

        return torch.device(DeviceType.CUDA, index);
    }

    /// <summary>
    /// Whether <paramref name="text"/> has one of the forms <see cref="Parse"/> accepts (<c>auto</c>, <c>cpu</c>,
    /// <c>cuda</c>, <c>cuda:N</c>, case-insensitive; null or empty means <c>auto</c>), without loading LibTorch or
    /// asking whether the device exists: a check of command-line or configuration text before anything native runs.
    /// </summary>
    /// <param name="text">The device text.</param>
    /// <returns>True when <see cref="Parse"/> would not call it unknown.</returns>
    public static bool IsWellFormed(string? text)
    {
        string value = string.IsNullOrWhiteSpace(text) ? Auto : text.Trim().ToLowerInvariant();
        return value is Auto or "cpu" || CudaIndex(value) is not null;
    }

    /// <summary>The CUDA device index of <c>cuda</c> (0) or <c>cuda:N</c> (lower-case, trimmed); null for any other text.</summary>
    private static int? CudaIndex(string value)
    {
        if (value == "cuda")
        {
            return 0;
        }

        return value.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(value.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            ? index
            : null;
    }

    /// <summary>Whether TorchSharp can use CUDA here (the CUDA backend is referenced and a device is present).</summary>
    /// <returns>True when CUDA is available.</returns>
    public static bool IsCudaAvailable()
    {
        return torch.cuda.is_available();
    }

    /// <summary>
    /// The device of the model's parameters, or of its buffers when it has no parameters (imported graphs),
    /// or the CPU when it has neither.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <returns>The device.</returns>
    /// <exception cref="DeviceMismatchException">The model's parameters and buffers are not all on one device.</exception>
    public static Device ModelDevice(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Device? found = null;
        string? foundName = null;
        foreach (var (name, tensor) in model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(model.named_buffers().Select(b => (b.name, b.buffer))))
        {
            var device = tensor.device;
            if (found is null)
            {
                found = device;
                foundName = name;
            }
            else if (!SameDevice(found, device))
            {
                throw new DeviceMismatchException(
                    $"The model is split across devices: '{foundName}' is on {Describe(found)} and '{name}' on {Describe(device)}. Move the whole model with model.to(device).",
                    Describe(found),
                    Describe(device));
            }
        }

        return found ?? torch.CPU;
    }

    /// <summary>A device's name as PyTorch writes it: <c>cpu</c>, <c>cuda:0</c>, <c>meta</c>.</summary>
    /// <param name="device">The device.</param>
    /// <returns>The name.</returns>
    public static string Describe(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        string type = Enum.IsDefined(device.type)
            ? device.type.ToString().ToLowerInvariant()
            : (int)device.type == 17 ? "lazy" : string.Create(CultureInfo.InvariantCulture, $"device type {(int)device.type}");
        return device.type == DeviceType.CPU || device.index < 0 ? type : string.Create(CultureInfo.InvariantCulture, $"{type}:{device.index}");
    }

    /// <summary>Whether two devices are the same (a device without an index counts as index 0).</summary>
    internal static bool SameDevice(Device a, Device b) =>
        a.type == b.type && (a.type == DeviceType.CPU || Math.Max(a.index, 0) == Math.Max(b.index, 0));

    /// <summary>Throws when a tensor the render made is not on the render's device.</summary>
    /// <exception cref="DeviceMismatchException">It is on another device.</exception>
    internal static void Require(Tensor tensor, Device device, string what, string fix)
    {
        if (!SameDevice(tensor.device, device))
        {
            throw new DeviceMismatchException(
                $"{what} is on {Describe(tensor.device)} but the model is on {Describe(device)}. {fix}",
                Describe(device),
                Describe(tensor.device));
        }
    }

    /// <summary>Whether a LibTorch error says that tensors on different devices met.</summary>
    internal static bool IsDeviceError(Exception ex) =>
        ex.Message.Contains("same device", StringComparison.OrdinalIgnoreCase)
        || ex.Message.Contains("is not a lazy tensor", StringComparison.Ordinal)
        || (ex.Message.Contains("Input type", StringComparison.Ordinal) && ex.Message.Contains("weight type", StringComparison.Ordinal))
        || ex.Message.Contains("Meta tensors", StringComparison.Ordinal)
        || ex.Message.Contains("meta tensor", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Tensors of one render are on different devices: the model on one, the options, the image or a
/// parameterisation on another. The message names both devices and how to fix it.
/// </summary>
public sealed class DeviceMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public DeviceMismatchException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong.</param>
    public DeviceMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public DeviceMismatchException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception naming both devices.</summary>
    /// <param name="message">What was wrong and how to fix it.</param>
    /// <param name="expectedDevice">The device the render runs on (or was asked to run on).</param>
    /// <param name="actualDevice">The device found instead.</param>
    /// <param name="innerException">The cause, if any.</param>
    public DeviceMismatchException(string message, string expectedDevice, string actualDevice, Exception? innerException = null)
        : base(message, innerException)
    {
        ExpectedDevice = expectedDevice;
        ActualDevice = actualDevice;
    }

    /// <summary>The device the render runs on or was asked to run on (e.g. <c>cuda:0</c>).</summary>
    public string? ExpectedDevice { get; }

    /// <summary>The device found instead (e.g. <c>cpu</c>).</summary>
    public string? ActualDevice { get; }
}

/// <summary>A device was asked for that this machine or this TorchSharp backend does not have (e.g. <c>cuda</c> with the CPU backend).</summary>
public sealed class DeviceUnavailableException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public DeviceUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong.</param>
    public DeviceUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public DeviceUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for one device.</summary>
    /// <param name="message">What was wrong and how to fix it.</param>
    /// <param name="device">The device asked for.</param>
    public DeviceUnavailableException(string message, string device)
        : base(message)
    {
        Device = device;
    }

    /// <summary>The device asked for, as given.</summary>
    public string? Device { get; }
}
