using FluentAssertions;
using Lucent.Net.Runtime;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Consumer.Tests;

/// <summary>
/// A user's own TorchSharp code in a project that references Lucent.Net packages: the module initializer
/// from Lucent.Net.Native (a dependency of them all) has run the kernel self-check before this code, so plain TorchSharp convolutions
/// are right even on CPUs where LibTorch's oneDNN kernels are wrong (docs/cpu-correctness.md).
/// </summary>
public sealed class KernelCheckConsumerTests
{
    [Fact]
    public void Plain_TorchSharp_convolutions_are_right_without_calling_Lucent_Net_first()
    {
        // No Lucent.Net call before the torch calls: only the injected initializer.
        using var generator = new Generator(0, CPU);
        using var scope = NewDisposeScope();
        var x = randn([1, 508, 14, 14], generator: generator).relu();
        var w = randn([112, 508, 1, 1], generator: generator) * (1.0 / Math.Sqrt(508));
        var b = randn([112], generator: generator) * 0.1;
        var y64 = nn.functional.conv2d(x.to(float64), w.to(float64), b.to(float64));
        var channelsLast = x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        double error = (nn.functional.conv2d(channelsLast, w, b).to(float64) - y64).abs().max().item<double>();
        error.Should().BeLessThan(1e-4);

        LucentRuntime.Kernels.Should().NotBeNull("the injected initializer ran the check before the first torch call");
        LucentRuntime.Kernels!.Float32Correct.Should().BeTrue(LucentRuntime.Kernels.Description);
    }
}
