using Lucent.Net.ModelZoo.ResNet;
using Lucent.Net.Runtime;

namespace Lucent.Net.ModelZoo.Tests.ResNet;

/// <summary>Loads the pretrained ResNet-18 once for a test class (parsing the 63 MB file takes about a second).</summary>
public sealed class ResNet18Fixture : IDisposable
{
    public ResNet18Fixture()
    {
        LucentRuntime.EnsureInitialized();
        Model = PretrainedResNet18.Load();
    }

    public ResNet18Model Model { get; }

    public void Dispose() => Model.Dispose();
}

/// <summary>Shares one loaded model between the ResNet-18 test classes.</summary>
[CollectionDefinition("ResNet18")]
public sealed class ResNet18Collection : ICollectionFixture<ResNet18Fixture>
{
}
