using Lucent.Net.Runtime;
using Lucent.Net.Transforms;
using TorchSharp;

namespace Lucent.Net.Tests.Transforms;

/// <summary>The small-tensor outputs pinned by Lucent's tests/optvis/test_transform.py.</summary>
public class LucentPinnedTransformTests
{
    public LucentPinnedTransformTests() => LucentRuntime.EnsureInitialized();

    private static TransformContext Context() => TransformContext.FromSeed(0);

    private static float[,,,] Repeat3(float[,] plane)
    {
        int h = plane.GetLength(0), w = plane.GetLength(1);
        var result = new float[1, 3, h, w];
        for (int c = 0; c < 3; c++)
        {
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    result[0, c, y, x] = plane[y, x];
                }
            }
        }

        return result;
    }

    [Fact]
    public void Pad_reflect_of_ones_is_ones()
    {
        using var input = torch.ones(1, 3, 2, 2);
        using var output = Transform.Pad(1).Apply(input, Context());
        using var expected = torch.ones(1, 3, 4, 4);
        TensorAssert.Equal(output, expected);
    }

    [Fact]
    public void Pad_constant_fills_with_one_half_by_default()
    {
        using var input = torch.ones(1, 3, 2, 2);
        using var output = Transform.Pad(1, PadMode.Constant).Apply(input, Context());
        using var expected = TensorAssert.FromNested(Repeat3(new float[,]
        {
            { 0.5f, 0.5f, 0.5f, 0.5f },
            { 0.5f, 1f, 1f, 0.5f },
            { 0.5f, 1f, 1f, 0.5f },
            { 0.5f, 0.5f, 0.5f, 0.5f },
        }));
        TensorAssert.Equal(output, expected);
    }

    [Fact]
    public void Random_scale_down_by_a_third_leaves_only_the_centre()
    {
        using var input = torch.ones(1, 3, 3, 3);
        using var output = Transform.RandomScale(0.33).Apply(input, Context());
        using var expected = TensorAssert.FromNested(Repeat3(new float[,] { { 0, 0, 0 }, { 0, 1, 0 }, { 0, 0, 0 } }));
        TensorAssert.Equal(output, expected);
    }

    [Fact]
    public void Random_scale_up_by_two_of_one_pixel_gives_two_by_two_ones()
    {
        using var input = torch.ones(1, 3, 1, 1);
        using var output = Transform.RandomScale(2).Apply(input, Context());
        using var expected = torch.ones(1, 3, 2, 2);
        TensorAssert.Equal(output, expected);
    }

    [Fact]
    public void Random_rotate_quarter_turn_in_radians_of_even_column_image_gives_row_image()
    {
        using var input = TensorAssert.FromNested(Repeat3(new float[,] { { 0, 1 }, { 0, 1 } }));
        using var output = Transform.RandomRotate([Math.PI / 2], AngleUnit.Radians).Apply(input, Context());
        using var expected = TensorAssert.FromNested(Repeat3(new float[,] { { 1, 1 }, { 0, 0 } }));
        TensorAssert.Equal(output, expected);
    }

    [Fact]
    public void Random_rotate_ninety_degrees_of_odd_column_image_gives_row_image()
    {
        using var input = TensorAssert.FromNested(Repeat3(new float[,] { { 0, 0, 1 }, { 0, 0, 1 }, { 0, 0, 1 } }));
        using var output = Transform.RandomRotate([90]).Apply(input, Context());
        using var expected = TensorAssert.FromNested(Repeat3(new float[,] { { 1, 1, 1 }, { 0, 0, 0 }, { 0, 0, 0 } }));
        TensorAssert.Equal(output, expected);
    }

    [Fact]
    public void Normalize_of_zeros_is_minus_mean_over_std()
    {
        using var input = torch.zeros(1, 3, 1, 1);
        using var output = Transform.Normalize().Apply(input, Context());
        TensorAssert.Values(output).Should().BeEquivalentTo(
            new[] { -0.485f / 0.229f, -0.456f / 0.224f, -0.406f / 0.225f },
            o => o.WithStrictOrdering().Using<float>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-6f)).WhenTypeIs<float>());
    }
}
