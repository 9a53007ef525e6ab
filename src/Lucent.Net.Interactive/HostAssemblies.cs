using System.Reflection;
using System.Runtime.Loader;

namespace Lucent.Net.Interactive;

/// <summary>
/// Lets Lucent.Net run in a notebook kernel that brings older Microsoft.Extensions assemblies than Lucent.Net was built
/// against. The dotnet-interactive kernel runs on the ASP.NET Core shared framework of its .NET version, whose
/// <c>Microsoft.Extensions.Logging.Abstractions</c> (say 10.0) wins over the package's newer one (11.0): the default load
/// context cannot load the newer version beside it, and the first render fails with <see cref="FileNotFoundException"/>.
/// When such a load fails, this resolver answers with the host's assembly of the same name (the APIs Lucent.Net uses,
/// <c>ILogger</c> and its extensions, are the same). It answers only for <c>Microsoft.Extensions.*</c> names and only when
/// the host has an assembly of that name; everything else fails as before.
/// </summary>
internal static class HostAssemblies
{
    private static readonly object Gate = new();
    private static bool _installed;

    [ThreadStatic]
    private static bool _resolving;

    /// <summary>Installs the resolver on the default load context, once.</summary>
    internal static void Install()
    {
        lock (Gate)
        {
            if (!_installed)
            {
                AssemblyLoadContext.Default.Resolving += Resolve;
                _installed = true;
            }
        }
    }

    /// <summary>The host's assembly with the requested simple name, for a Microsoft.Extensions assembly; null otherwise.</summary>
    /// <param name="context">The load context asking.</param>
    /// <param name="requested">The assembly that could not be loaded.</param>
    /// <returns>An assembly of the same simple name, or null.</returns>
    internal static Assembly? Resolve(AssemblyLoadContext context, AssemblyName requested)
    {
        if (_resolving || requested.Name is not { } name || !name.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal))
        {
            return null;
        }

        var loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => string.Equals(a.GetName().Name, name, StringComparison.Ordinal));
        if (loaded is not null)
        {
            return loaded;
        }

        _resolving = true;
        try
        {
            // Without a version the default context binds to whatever version the host has.
            return context.LoadFromAssemblyName(new AssemblyName(name));
        }
        catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return null;
        }
        finally
        {
            _resolving = false;
        }
    }
}
