using Microsoft.DotNet.Interactive;

namespace Lucent.Net.Interactive;

/// <summary>
/// The .NET Interactive kernel extension of Lucent.Net: registers the display formatters
/// (<see cref="LucentFormatters.Register"/>), and lets Lucent.Net's Microsoft.Extensions references bind to the
/// kernel's own (older) copies, which the kernel's shared framework puts first. The package's <c>interactive-extensions/dotnet/extension.dib</c> runs it
/// when a notebook references the package with <c>#r "nuget: Lucent.Net.Interactive"</c>.
/// </summary>
public sealed class LucentKernelExtension : IKernelExtension
{
    /// <summary>Registers the formatters and the assembly resolver for the kernel's Microsoft.Extensions assemblies.</summary>
    /// <param name="kernel">The kernel that loads the extension (not needed: formatters are process-wide).</param>
    /// <returns>A completed task.</returns>
    public Task OnLoadAsync(Kernel kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        HostAssemblies.Install();
        LucentFormatters.Register();
        return Task.CompletedTask;
    }
}
