// Two namespaces that use each other, so that NamespaceLayeringTests.A_loop_is_reported can show the loop check finds loops.
namespace Lucent.Net.Tests.Layering.FixtureA
{
    internal static class UsesB
    {
        public static Type Other() => typeof(FixtureB.UsesA);
    }
}

namespace Lucent.Net.Tests.Layering.FixtureB
{
    internal static class UsesA
    {
        public static Type Other() => FixtureA.UsesB.Other();
    }
}
