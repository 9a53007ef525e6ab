using Microsoft.DotNet.Interactive;

namespace Lucent.Net.Interactive;

/// <summary>
/// The .NET Interactive kernel extension of Lucent.Net: registers the display formatters
/// (<see cref="LucentFormatters.Register"/>). The package's <c>interactive-extensions/dotnet/extension.dib</c> runs it
/// when a notebook references the package with <c>#r "nuget: Lucent.Net.Interactive"</c>.
/// </summary>
public sealed class LucentKernelExtension : IKernelExtension
{
    /// <summary>Registers the formatters.</summary>
    /// <param name="kernel">The kernel that loads the extension (not needed: formatters are process-wide).</param>
    /// <returns>A completed task.</returns>
    public Task OnLoadAsync(Kernel kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        LucentFormatters.Register();
        return Task.CompletedTask;
    }
}
