using Lucent.Net.Runtime;

namespace Lucent.Net.Tests.Runtime;

/// <summary>
/// Hosts that reference NuGet packages in place (a .NET Interactive kernel's <c>#r "nuget: ..."</c>) keep TorchSharp's
/// and LibTorch's native libraries in two package folders; the runtime finds both from TorchSharp.dll's location.
/// </summary>
public sealed class PackageLayoutTests : IDisposable
{
    private readonly DirectoryInfo _packages = Directory.CreateTempSubdirectory("lucent-packages-");

    public void Dispose() => _packages.Delete(recursive: true);

    private string Touch(params string[] parts)
    {
        string path = Path.Combine([_packages.FullName, .. parts]);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
        return path;
    }

    [Fact]
    public void TorchSharp_and_the_newest_LibTorch_with_its_library_are_found_in_a_packages_folder()
    {
        string assembly = Touch("torchsharp", "0.107.0", "lib", "net8.0", "TorchSharp.dll");
        Touch("torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Touch("libtorch-cpu-linux-x64", "2.9.0", "runtimes", "linux-x64", "native", "libtorch_cpu.so");
        Touch("libtorch-cpu-linux-x64", "2.10.0", "runtimes", "linux-x64", "native", "libtorch_cpu.so");
        Touch("libtorch-cpu-linux-x64", "2.11.0", "runtimes", "linux-x64", "native", "libc10.so"); // incomplete: skipped

        var found = LucentRuntime.FindPackageNativeDirectories(assembly);

        found.Should().NotBeNull();
        found!.Value.TorchSharp.Should().Be(Path.Combine(_packages.FullName, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native"));
        found.Value.LibTorch.Should().Be(Path.Combine(_packages.FullName, "libtorch-cpu-linux-x64", "2.10.0", "runtimes", "linux-x64", "native"),
            "2.10.0 sorts above 2.9.0 as a version, and 2.11.0 has no libtorch_cpu.so");
    }

    [Fact]
    public void Other_layouts_are_not_guessed()
    {
        string assembly = Touch("torchsharp", "0.107.0", "lib", "net8.0", "TorchSharp.dll");
        LucentRuntime.FindPackageNativeDirectories(assembly).Should().BeNull("no native library next to TorchSharp and no LibTorch package");

        Touch("torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        LucentRuntime.FindPackageNativeDirectories(assembly).Should().BeNull("no LibTorch package");

        LucentRuntime.FindPackageNativeDirectories(string.Empty).Should().BeNull("TorchSharp was not loaded from a file");
        LucentRuntime.FindPackageNativeDirectories(Touch("app", "TorchSharp.dll")).Should().BeNull();
    }
}
