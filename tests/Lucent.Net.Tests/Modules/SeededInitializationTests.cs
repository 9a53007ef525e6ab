using Lucent.Net.Modules;
using Lucent.Net.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Modules;

public sealed class SeededInitializationTests
{
    [Fact]
    public void The_same_seed_gives_the_same_weights_whatever_the_global_generator_did()
    {
        using var a = new TinyConvNet(seed: 3);
        torch.rand(1000).Dispose(); // draw from the global generator in between
        using var b = new TinyConvNet(seed: 3);
        using var c = new TinyConvNet(seed: 4);

        foreach (var ((name, pa), (_, pb), (_, pc)) in a.named_parameters().Zip(b.named_parameters(), c.named_parameters()))
        {
            pa.allclose(pb, rtol: 0, atol: 0).Should().BeTrue($"{name} must not depend on the global generator");
            pa.allclose(pc, rtol: 0, atol: 0).Should().BeFalse($"{name} must depend on the seed");
        }
    }

    [Fact]
    public void Weights_and_biases_are_uniform_within_one_over_the_root_of_the_fan_in()
    {
        using var conv = nn.Conv2d(16, 32, 3);
        SeededInitialization.Reinitialize(conv, 11);
        double bound = 1.0 / Math.Sqrt(16 * 9);
        conv.weight!.abs().max().item<float>().Should().BeLessThanOrEqualTo((float)bound);
        conv.weight!.abs().max().item<float>().Should().BeGreaterThan((float)(0.9 * bound), "4608 uniform draws reach near the bound");
        conv.bias!.abs().max().item<float>().Should().BeLessThanOrEqualTo((float)bound);
        conv.weight!.mean().item<float>().Should().BeApproximately(0f, (float)(0.05 * bound));
    }
}
