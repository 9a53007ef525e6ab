using System.Text.Json;
using Lucent.Net.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.Onnx;

/// <summary>
/// The PyTorch-exported fixtures of Fixtures/onnx (made by make_onnx_fixtures.py with Debian's PyTorch 1.13):
/// a model per architecture and opset, and the input and PyTorch's output in a JSON file.
/// </summary>
internal sealed class OnnxPyTorchFixture
{
    private OnnxPyTorchFixture(string name, JsonElement root)
    {
        Name = name;
        InputShape = Longs(root.GetProperty("input_shape"));
        InputOffset = root.GetProperty("input_offset").GetInt32();
        OutputShape = Longs(root.GetProperty("output_shape"));
        Output = root.GetProperty("output").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        if (root.TryGetProperty("batch_input_shape", out var batchShape))
        {
            BatchInputShape = Longs(batchShape);
            BatchInputOffset = root.GetProperty("batch_input_offset").GetInt32();
            BatchOutputShape = Longs(root.GetProperty("batch_output_shape"));
            BatchOutput = root.GetProperty("batch_output").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        }
    }

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "onnx");

    public string Name { get; }

    public long[] InputShape { get; }

    public int InputOffset { get; }

    public long[] OutputShape { get; }

    public float[] Output { get; }

    public long[]? BatchInputShape { get; }

    public int BatchInputOffset { get; }

    public long[]? BatchOutputShape { get; }

    public float[]? BatchOutput { get; }

    public static OnnxPyTorchFixture Load(string name)
    {
        using var stream = File.OpenRead(Path.Combine(Folder, name + ".json"));
        using var document = JsonDocument.Parse(stream);
        return new OnnxPyTorchFixture(name, document.RootElement.Clone());
    }

    public static string ModelPath(string name, int opset, string variant = "") => Path.Combine(Folder, $"{name}{variant}_op{opset}.onnx");

    /// <summary>The script's input formula: ((i * 7919 + offset) % 1000) / 500 - 1, in double, then float.</summary>
    public static Tensor Input(long[] shape, int offset)
    {
        LucentRuntime.EnsureInitialized();
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var values = new float[count];
        for (long i = 0; i < count; i++)
        {
            values[i] = (float)((((i * 7919) + offset) % 1000) / 500.0 - 1.0);
        }

        return torch.tensor(values, shape);
    }

    private static long[] Longs(JsonElement array) => array.EnumerateArray().Select(v => v.GetInt64()).ToArray();
}
