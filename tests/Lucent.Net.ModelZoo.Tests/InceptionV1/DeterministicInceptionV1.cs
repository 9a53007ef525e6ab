using Lucent.Net.ModelZoo.InceptionV1;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.InceptionV1;

/// <summary>
/// The deterministic weights and input of the reference-activation fixture
/// (Fixtures/inceptionv1/reference_activations.json, made with PyTorch by Fixtures/make_fixtures.py):
/// computed in double, then rounded to float32.
/// </summary>
internal static class DeterministicInceptionV1
{
    /// <summary>The 116 state-dict keys with shapes, in Lucent's order (convs, then the linear; weight then bias).</summary>
    public static IReadOnlyList<(string Key, long[] Shape)> ExpectedParameters()
    {
        var list = new List<(string, long[])>();
        foreach (var c in InceptionV1Layers.Convolutions)
        {
            list.Add((c.Name + "_pre_relu_conv.weight", [c.Out, c.In, c.Kernel, c.Kernel]));
            list.Add((c.Name + "_pre_relu_conv.bias", [c.Out]));
        }

        list.Add(("softmax2_pre_activation_matmul.weight", [1008, 1024]));
        list.Add(("softmax2_pre_activation_matmul.bias", [1008]));
        return list;
    }

    private static readonly Lazy<Dictionary<string, Tensor>> Shared = new(() =>
    {
        // Created lazily, possibly inside some test's dispose scope: take the tensors out of it.
        var stateDict = StateDict();
        foreach (var value in stateDict.Values)
        {
            value.DetachFromDisposeScope();
        }

        return stateDict;
    });

    /// <summary>
    /// One state dict shared by every test of the process (read-only: tests copy from it, never
    /// write to it), so the 7 million values are computed once. Lives as long as the test process.
    /// </summary>
    public static IReadOnlyDictionary<string, Tensor> SharedStateDict => Shared.Value;

    /// <summary>A fresh state dict; the caller owns (and disposes) the tensors.</summary>
    public static Dictionary<string, Tensor> StateDict()
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var t = 0;
        foreach (var (key, shape) in ExpectedParameters())
        {
            var n = shape.Aggregate(1L, (a, b) => a * b);
            var values = new float[n];
            if (key.EndsWith(".weight", StringComparison.Ordinal))
            {
                var fanIn = n / shape[0];
                var scale = Math.Sqrt(2.0 / fanIn);
                for (long i = 0; i < n; i++)
                {
                    values[i] = (float)(scale * Math.Sin((0.7 * i) + (0.3 * t) + 0.1));
                }
            }
            else
            {
                for (long i = 0; i < n; i++)
                {
                    values[i] = (float)(0.01 * Math.Cos((0.5 * i) + t));
                }
            }

            result[key] = tensor(values, shape);
            t++;
        }

        return result;
    }

    /// <summary>The preprocessed input (1, 3, 224, 224): x * 255 - 117 with x = 0.5 + 0.5 sin(...); the caller owns it.</summary>
    public static Tensor Input()
    {
        const int Size = 224;
        var values = new float[3 * Size * Size];
        for (var c = 0; c < 3; c++)
        {
            for (var h = 0; h < Size; h++)
            {
                for (var w = 0; w < Size; w++)
                {
                    var image = 0.5 + (0.5 * Math.Sin((0.05 * (c + 1) * w) + (0.07 * h) + (0.3 * c)));
                    values[(((c * Size) + h) * Size) + w] = (float)((image * 255) - 117);
                }
            }
        }

        return tensor(values, [1, 3, Size, Size]);
    }

    /// <summary>Disposes every tensor of a state dict.</summary>
    public static void Dispose(Dictionary<string, Tensor> stateDict)
    {
        foreach (var value in stateDict.Values)
        {
            value.Dispose();
        }
    }
}
