namespace Lucent.Net.Tests.TestSupport;

/// <summary>
/// Tests that observe TorchSharp's global random generator run alone: any other test that
/// creates a module (weight initialisation) draws from it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRandomStateCollection
{
    public const string Name = "Global random state";
}
