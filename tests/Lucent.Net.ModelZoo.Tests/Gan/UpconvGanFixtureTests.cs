using System.Text.Json;
using Lucent.Net.ModelZoo.Checkpoints;
using Lucent.Net.ModelZoo.Gan;
using Lucent.Net.Runtime;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.Gan;

/// <summary>
/// Narrow generators saved by real PyTorch with Lucent's layer names (Fixtures/make_gan_fixtures.py) load through the
/// safe checkpoint reader, and the loaded generator reproduces PyTorch's output and visualised image.
/// </summary>
public sealed class UpconvGanFixtureTests
{
    public UpconvGanFixtureTests() => LucentRuntime.EnsureInitialized();

    [Theory]
    [InlineData("pool5")]
    [InlineData("fc8")]
    public void A_state_dict_saved_by_pytorch_loads_and_reproduces_its_output(string name)
    {
        var reference = GanFixtures.Tiny(name);
        using var generator = new UpconvGenerator(GanFixtures.Variant(name), GanFixtures.TinyWidths(name));
        using (var stateDict = PyTorchCheckpoint.ReadStateDict(GanFixtures.TinyPath(name)))
        {
            stateDict.Count.Should().Be(UpconvGenerator.TensorCount);
            generator.LoadStateDict(stateDict).UnexpectedKeys.Should().BeEmpty();
        }

        using var scope = NewDisposeScope();
        long[] shape = [.. reference.GetProperty("code_shape").EnumerateArray().Select(e => e.GetInt64())];
        float[] values = [.. reference.GetProperty("code").EnumerateArray().Select(e => e.GetSingle())];
        var code = tensor(values).view(shape);

        var raw = generator.call(code);
        var image = generator.Visualize(code);

        reference.GetProperty("clamped_fraction").GetDouble().Should().BeGreaterThan(0, "the fixture must exercise the clamp");
        Compare(raw, reference.GetProperty("raw"), tolerance: 1e-3);
        Compare(image, reference.GetProperty("image"), tolerance: 1e-5);
        generator.parameters().Should().OnlyContain(p => !p.requires_grad);
    }

    private static void Compare(Tensor actual, JsonElement expected, double tolerance)
    {
        actual.shape.Should().Equal(expected.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        using var flat = actual.flatten().to(ScalarType.Float64);
        double std = expected.GetProperty("std").GetDouble();
        double scale = Math.Max(std, 1e-3);
        flat.mean().item<double>().Should().BeApproximately(expected.GetProperty("mean").GetDouble(), tolerance * scale);
        flat.std(unbiased: false).item<double>().Should().BeApproximately(std, tolerance * scale);
        var indices = expected.GetProperty("indices").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var values = expected.GetProperty("values").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        for (int i = 0; i < indices.Length; i++)
        {
            flat[indices[i]].item<double>().Should().BeApproximately(values[i], tolerance * scale, $"flat index {indices[i]}");
        }
    }
}
