using System.Reflection;
using System.Runtime.Loader;

namespace Lucent.Net.Interactive.Tests;

public class HostAssembliesTests
{
    [Fact]
    public void A_newer_Microsoft_Extensions_version_than_the_host_has_binds_to_the_hosts_assembly()
    {
        // Lucent.Net references Microsoft.Extensions.Logging.Abstractions; ask for a version no host has.
        var loaded = typeof(Microsoft.Extensions.Logging.ILogger).Assembly;
        var requested = new AssemblyName(loaded.GetName().Name!) { Version = new Version(99, 0, 0, 0) };

        HostAssemblies.Resolve(AssemblyLoadContext.Default, requested).Should().BeSameAs(loaded);
    }

    [Fact]
    public void Other_names_are_left_to_fail_as_before()
    {
        HostAssemblies.Resolve(AssemblyLoadContext.Default, new AssemblyName("Lucent.Net") { Version = new Version(99, 0) }).Should().BeNull();
        HostAssemblies.Resolve(AssemblyLoadContext.Default, new AssemblyName("Microsoft.Extensions.DoesNotExist")).Should().BeNull("the host has no assembly of that name");
    }
}
