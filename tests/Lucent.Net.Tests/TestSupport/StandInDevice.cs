using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.TestSupport;

/// <summary>
/// A non-CPU device that works on a CPU-only machine, standing in for CUDA in tests: LibTorch's lazy-tensor
/// device (c10 device type 17) with its TorchScript backend, which ships inside <c>libtorch_cpu</c>.
/// </summary>
/// <remarks>
/// <para>Why not <c>meta</c>: TorchSharp 0.107 (LibTorch 2.10) creates meta tensors and moves modules to
/// meta, but the C++ library has no meta kernels for convolutions, the inverse FFT, grid sampling or
/// reflection padding (the Python-only meta registrations are not in LibTorch), so a render cannot get
/// past its first convolution or FFT there. Meta is still used where no kernel runs (the mismatch test).</para>
/// <para>The lazy device runs every operation (on the CPU, through TorchScript), so values can even be
/// read and compared with a CPU render; and like CUDA it refuses to mix its tensors with CPU tensors
/// ("Input tensor is not a lazy tensor: CPUFloatType"), so any tensor created on the wrong device fails the
/// test. It is stricter than CUDA (which accepts 0-dimensional CPU tensors in some operations). TorchSharp's
/// <see cref="DeviceType"/> has no name for it and no call to start its backend, so this class calls
/// <c>torch::lazy::InitTorchScriptBackend()</c>, an exported function of <c>libtorch_cpu</c>, once.</para>
/// </remarks>
public static partial class StandInDevice
{
    /// <summary>c10's DeviceType::Lazy.</summary>
    public const int LazyDeviceType = 17;

    private static readonly Lazy<string?> Start = new(StartBackend);

    /// <summary>The lazy device (index 0).</summary>
    public static Device Lazy => new((DeviceType)LazyDeviceType, 0);

    /// <summary>Why the stand-in device is not usable here; null when it is.</summary>
    public static string? UnavailableReason => Start.Value;

    /// <summary>Skips the calling test (with the reason) when the stand-in device cannot start.</summary>
    public static Device Require()
    {
        Skip.If(UnavailableReason is not null, UnavailableReason);
        return Lazy;
    }

    private static string? StartBackend()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "The lazy stand-in device is started through a Linux symbol name of libtorch_cpu; this test runs on Linux only.";
        }

        try
        {
            Lucent.Net.Runtime.LucentRuntime.EnsureInitialized();
            torch.zeros(1).Dispose();
            InitTorchScriptBackend();
            using var probe = torch.ones(2, device: Lazy).mul(3);
            return probe.sum().ToDouble() == 6.0 ? null : "The lazy stand-in device computed a wrong value.";
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException or ExternalException or InvalidOperationException)
        {
            return "LibTorch's lazy-tensor device could not be started: " + ex.Message;
        }
    }

    [LibraryImport("libtorch_cpu", EntryPoint = "_ZN5torch4lazy22InitTorchScriptBackendEv")]
    private static partial void InitTorchScriptBackend();
}

/// <summary>Tests on the lazy stand-in device run one at a time: the lazy backend keeps per-device state.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StandInDeviceCollection
{
    public const string Name = "Stand-in device";
}
