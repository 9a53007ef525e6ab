using System.Text.Json;
using Lucent.Net.ModelZoo.Checkpoints;
using Lucent.Net.Runtime;
using TorchSharp;

namespace Lucent.Net.ModelZoo.Tests.Checkpoints;

/// <summary>Files written by real PyTorch 2.x (Fixtures/make_fixtures.py) must read back exactly.</summary>
public class RealPyTorchFixtureTests
{
    private static readonly string FixtureDir = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch");

    public RealPyTorchFixtureTests() => LucentRuntime.EnsureInitialized();

    private static Dictionary<string, (string DType, long[] Shape, double[] Values)> Expected()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDir, "tiny_expected.json")));
        var result = new Dictionary<string, (string, long[], double[])>();
        foreach (var p in doc.RootElement.EnumerateObject().Where(p => !p.Name.StartsWith('_')))
        {
            result[p.Name] = (
                p.Value.GetProperty("dtype").GetString()!,
                p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray(),
                p.Value.GetProperty("values").EnumerateArray().Select(e => e.GetDouble()).ToArray());
        }

        return result;
    }

    private static readonly Dictionary<string, torch.ScalarType> DTypes = new()
    {
        ["float32"] = torch.ScalarType.Float32,
        ["float16"] = torch.ScalarType.Float16,
        ["bfloat16"] = torch.ScalarType.BFloat16,
        ["float64"] = torch.ScalarType.Float64,
        ["int64"] = torch.ScalarType.Int64,
    };

    [Theory]
    [InlineData("tiny_zip.pth")]
    [InlineData("tiny_legacy.pth")]
    public void Reads_every_tensor_exactly_with_original_dtypes(string file)
    {
        var expected = Expected();
        using var sd = PyTorchCheckpoint.ReadStateDict(Path.Combine(FixtureDir, file), new CheckpointReadOptions { KeepOriginalDType = true });

        sd.Keys.Should().Equal("conv.weight", "conv.bias", "half", "bf16", "f64", "view_a", "view_t", "i64");
        expected.Keys.Should().BeEquivalentTo(sd.Keys);
        foreach (var (key, tensor) in sd)
        {
            var (dtype, shape, values) = expected[key];
            tensor.dtype.Should().Be(DTypes[dtype], key);
            tensor.shape.Should().Equal(shape, key);
            using var asDouble = tensor.to_type(torch.ScalarType.Float64);
            asDouble.data<double>().ToArray().Should().Equal(values, $"values of {key} must match bit for bit");
        }
    }

    [Theory]
    [InlineData("tiny_zip.pth")]
    [InlineData("tiny_legacy.pth")]
    public void Default_read_gives_float32_for_floating_point_tensors(string file)
    {
        var expected = Expected();
        using var sd = PyTorchCheckpoint.ReadStateDict(Path.Combine(FixtureDir, file));

        foreach (var (key, tensor) in sd)
        {
            tensor.dtype.Should().Be(key == "i64" ? torch.ScalarType.Int64 : torch.ScalarType.Float32, key);
            using var asDouble = tensor.to_type(torch.ScalarType.Float64);
            asDouble.data<double>().ToArray().Should().Equal(expected[key].Values.Select(v => key == "f64" ? (double)(float)v : v), key);
        }

        sd["view_t"].data<float>().ToArray().Should().Equal(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11);
    }

    [Fact]
    public void Every_truncation_of_the_real_files_throws_CheckpointFormatException()
    {
        foreach (string file in new[] { "tiny_zip.pth", "tiny_legacy.pth" })
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(FixtureDir, file));
            for (int cut = 0; cut < bytes.Length; cut++)
            {
                try
                {
                    using var sd = PyTorchCheckpointTests.Read(bytes[..cut]);
                    throw new InvalidOperationException($"{file} cut to {cut} of {bytes.Length} bytes was read without error.");
                }
                catch (CheckpointFormatException)
                {
                }
            }
        }
    }
}
