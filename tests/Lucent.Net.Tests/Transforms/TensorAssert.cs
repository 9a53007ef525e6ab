using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Transforms;

/// <summary>Small helpers shared by the transform and parameterisation tests.</summary>
internal static class TensorAssert
{
    public static float[] Values(Tensor t)
    {
        using var c = t.detach().cpu().contiguous();
        return c.data<float>().ToArray();
    }

    public static Tensor FromNested(float[,,,] values) => torch.tensor(values, dtype: ScalarType.Float32);

    public static void Equal(Tensor actual, Tensor expected)
    {
        actual.shape.Should().Equal(expected.shape);
        Values(actual).Should().Equal(Values(expected));
    }

    public static void Close(Tensor actual, Tensor expected, float tolerance)
    {
        actual.shape.Should().Equal(expected.shape);
        var a = Values(actual);
        var e = Values(expected);
        for (int i = 0; i < a.Length; i++)
        {
            a[i].Should().BeApproximately(e[i], tolerance, $"element {i} should match");
        }
    }
}
