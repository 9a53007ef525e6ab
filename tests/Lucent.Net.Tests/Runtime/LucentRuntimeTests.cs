using Lucent.Net.Runtime;
using TorchSharp;

namespace Lucent.Net.Tests.Runtime;

public class LucentRuntimeTests
{
    [Fact]
    public void EnsureInitialized_makes_torch_operations_work()
    {
        var status = LucentRuntime.EnsureInitialized();
        status.Description.Should().NotBeNullOrWhiteSpace();

        using var x = torch.ones(2, 3);
        using var y = x.sum();
        y.item<float>().Should().Be(6f);
    }

    [Fact]
    public void EnsureInitialized_is_idempotent()
    {
        LucentRuntime.EnsureInitialized().Should().BeSameAs(LucentRuntime.EnsureInitialized());
    }

    [Fact]
    public void Compatibility_copy_is_only_used_when_the_system_lacks_the_version()
    {
        var status = LucentRuntime.EnsureInitialized();
        bool systemHasVersion = SystemLibStdCxxHas("GLIBCXX_3.4.32");
        if (OperatingSystem.IsLinux() && status.LibraryPath is not null)
        {
            status.Action.Should().Be(systemHasVersion ? NativeRuntimeAction.None : NativeRuntimeAction.LoadedCompatibilityCopy);
        }
    }

    [Fact]
    public void Convolutions_do_not_print_nnpack_warnings()
    {
        LucentRuntime.EnsureInitialized();
        using var x = torch.randn(1, 3, 16, 16);
        using var conv = torch.nn.Conv2d(3, 4, 3);
        using var y = conv.forward(x);
        y.shape.Should().Equal(1, 4, 14, 14);
        // The setting that causes the flood is NNPACK; after initialisation it is off on this process.
        if (OperatingSystem.IsLinux())
        {
            LucentRuntime.IsNnpackEnabled().Should().Be(false);
        }
    }

    private static bool SystemLibStdCxxHas(string version)
    {
        foreach (var path in new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" })
        {
            if (File.Exists(path))
            {
                var bytes = File.ReadAllBytes(path);
                return System.Text.Encoding.ASCII.GetString(bytes).Contains(version + "\0", StringComparison.Ordinal);
            }
        }

        return true;
    }
}
