namespace Lucent.Net.Tests.TestSupport;

/// <summary>
/// Tests that observe process-wide state run alone, after the parallel tests: TorchSharp's global
/// random generator (any test that creates a module draws from it) and the process's resident
/// memory (memory-flatness tests).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRandomStateCollection
{
    public const string Name = "Global random state";
}
