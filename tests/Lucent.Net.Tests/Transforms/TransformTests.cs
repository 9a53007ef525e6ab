using Lucent.Net.Runtime;
using Lucent.Net.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Transforms;

public class TransformTests
{
    public TransformTests() => LucentRuntime.EnsureInitialized();

    private static Tensor Ramp(long batch, long channels, long height, long width) =>
        torch.arange(1, 1 + (batch * channels * height * width), dtype: ScalarType.Float32).view(batch, channels, height, width);

    private static float[] ApplyWithSeed(IImageTransform transform, Tensor input, long seed, int times = 1)
    {
        var context = TransformContext.FromSeed(seed);
        try
        {
            var values = new List<float>();
            for (int i = 0; i < times; i++)
            {
                using var output = transform.Apply(input, context);
                values.AddRange(TensorAssert.Values(output));
            }

            return values.ToArray();
        }
        finally
        {
            context.Generator.Dispose();
        }
    }

    [Fact]
    public void Jitter_keeps_the_size_and_is_a_whole_pixel_shift_with_zero_fill()
    {
        using var input = Ramp(2, 3, 9, 7);
        var jitter = Transform.Jitter(4);
        var context = TransformContext.FromSeed(11);
        for (int trial = 0; trial < 8; trial++)
        {
            using var output = jitter.Apply(input, context);
            output.shape.Should().Equal(2, 3, 9, 7);
            var o = TensorAssert.Values(output);
            var x = TensorAssert.Values(input);
            bool matched = false;
            for (int dy = 0; dy < 4 && !matched; dy++)
            {
                for (int dx = 0; dx < 4 && !matched; dx++)
                {
                    matched = IsShift(x, o, 2 * 3, 9, 7, dx, dy);
                }
            }

            matched.Should().BeTrue("jitter output must be the input moved right/down by 0..d-1 pixels with zeros filled in");
        }

        context.Generator.Dispose();
    }

    private static bool IsShift(float[] input, float[] output, int planes, int h, int w, int dx, int dy)
    {
        for (int p = 0; p < planes; p++)
        {
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    int sy = y - dy, sx = x - dx;
                    float expected = sy >= 0 && sx >= 0 ? input[(p * h * w) + (sy * w) + sx] : 0f;
                    if (output[(p * h * w) + (y * w) + x] != expected)
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }

    [Fact]
    public void Jitter_is_reproducible_with_the_same_seed_and_varies_with_another()
    {
        using var input = Ramp(1, 3, 10, 10);
        var jitter = Transform.Jitter(8);
        var first = ApplyWithSeed(jitter, input, 42, times: 6);
        var again = ApplyWithSeed(jitter, input, 42, times: 6);
        var other = ApplyWithSeed(jitter, input, 43, times: 6);
        again.Should().Equal(first);
        other.Should().NotEqual(first);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(-3)]
    public void Jitter_distance_must_be_greater_than_one(int d)
    {
        var act = () => new JitterTransform(d);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*must be > 1*");
    }

    [Fact]
    public void Jitter_draws_every_offset_in_range()
    {
        using var input = torch.ones(1, 1, 4, 4);
        var seen = new HashSet<int>();
        var context = TransformContext.FromSeed(5);
        for (int i = 0; i < 60; i++)
        {
            using var output = Transform.Jitter(3).Apply(input, context);
            var v = TensorAssert.Values(output);
            int zeroRows = Enumerable.Range(0, 4).Count(y => v[y * 4 + 3] == 0f);
            int zeroColumns = Enumerable.Range(0, 4).Count(x => v[(3 * 4) + x] == 0f);
            seen.Add((zeroColumns * 10) + zeroRows);
        }

        context.Generator.Dispose();
        seen.Should().BeEquivalentTo(new[] { 0, 1, 2, 10, 11, 12, 20, 21, 22 }, "dx and dy each take every value 0..d-1");
    }

    [Fact]
    public void Pad_reflect_mirrors_without_repeating_the_edge()
    {
        using var input = torch.tensor(new float[] { 1, 2, 3 }).view(1, 1, 1, 3);
        using var wide = torch.nn.functional.pad(input, [0, 0, 1, 1], PaddingModes.Replicate);
        using var output = Transform.Pad(1).Apply(wide, TransformContext.FromSeed(0));
        output.shape.Should().Equal(1, 1, 5, 5);
        TensorAssert.Values(output).Take(5).Should().Equal(2, 1, 2, 3, 2);
    }

    [Fact]
    public void Pad_reflect_wider_than_the_image_throws_a_clear_error()
    {
        using var input = torch.ones(1, 3, 2, 2);
        var act = () => Transform.Pad(2).Apply(input, TransformContext.FromSeed(0));
        act.Should().Throw<ArgumentException>().WithMessage("*Reflect padding by 2*");
    }

    [Fact]
    public void Pad_names_read_like_lucent()
    {
        Transform.Pad(12, PadMode.Constant, 0.5).Name.Should().Be("pad(12, constant, 0.5)");
        Transform.Pad(3).Name.Should().Be("pad(3, reflect)");
        new PadTransform(3, PadMode.Reflect, 0.7).ConstantValue.Should().Be(0, "Lucent ignores the value outside constant mode");
        var act = () => new PadTransform(-1);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData(152, 0.9, 137, 8)]
    [InlineData(152, 1.1, 168, 0)]
    [InlineData(10, 0.5, 5, 3)]
    public void Random_scale_resizes_to_ceiling_and_pads_by_ceiling_of_half_the_difference(int size, double scale, int newSize, int pad)
    {
        using var input = torch.ones(1, 3, size, size);
        using var output = RandomScaleTransform.Rescale(input, scale);
        output.shape.Should().Equal(1, 3, newSize + (2 * pad), newSize + (2 * pad));
        using var row = output[0, 0, newSize / 2 + pad];
        var values = TensorAssert.Values(row);
        if (pad > 0)
        {
            values.Take(pad).Should().OnlyContain(v => v == 0f);
            values.Skip(pad + newSize).Should().OnlyContain(v => v == 0f);
        }

        values.Skip(pad).Take(newSize).Should().OnlyContain(v => Math.Abs(v - 1f) < 1e-6f);
    }

    [Fact]
    public void Random_scale_pads_non_square_images_in_lucents_order()
    {
        // h = 4, w = 8, scale 0.5 -> 2 x 4; pad_y = 1, pad_x = 2; Lucent pads (left, right, top, bottom) = (1, 2, 1, 2).
        using var input = torch.ones(1, 1, 4, 8);
        using var output = RandomScaleTransform.Rescale(input, 0.5);
        output.shape.Should().Equal(1, 1, 2 + 1 + 2, 4 + 1 + 2);
        var v = TensorAssert.Values(output);
        int width = 7;
        for (int y = 0; y < 5; y++)
        {
            for (int x = 0; x < width; x++)
            {
                bool inside = y >= 1 && y < 3 && x >= 1 && x < 5;
                v[(y * width) + x].Should().Be(inside ? 1f : 0f, $"pixel ({y}, {x})");
            }
        }
    }

    [Fact]
    public void Random_scale_rejects_bad_scales()
    {
        var empty = () => new RandomScaleTransform([]);
        empty.Should().Throw<ArgumentException>();
        var negative = () => Transform.RandomScale(1.0, -0.5);
        negative.Should().Throw<ArgumentOutOfRangeException>();
        var nan = () => Transform.RandomScale(double.NaN);
        nan.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Rotation_by_zero_is_the_identity_and_by_a_half_turn_reverses()
    {
        using var input = Ramp(1, 2, 3, 4);
        using var same = RandomRotateTransform.Rotate(input, 0);
        TensorAssert.Equal(same, input);
        using var half = RandomRotateTransform.Rotate(input, 180);
        using var flipped = input.flip(2, 3);
        TensorAssert.Close(half, flipped, 1e-4f);
    }

    [Fact]
    public void Rotation_counter_clockwise_by_ninety_degrees_moves_the_top_row_to_the_left_column()
    {
        // 3x3 image with the top row set: a counter-clockwise quarter turn (as displayed) puts it in the left column.
        using var input = torch.zeros(1, 1, 3, 3);
        using (var row = input[0, 0, 0])
        {
            row.fill_(1f);
        }

        using var output = RandomRotateTransform.Rotate(input, 90);
        TensorAssert.Values(output).Should().Equal(1, 0, 0, 1, 0, 0, 1, 0, 0);
    }

    [Theory]
    [InlineData(45.0)]
    [InlineData(-7.0)]
    [InlineData(10.0)]
    public void Rotation_matches_a_reference_bilinear_sampler_about_the_pixel_centre(double degrees)
    {
        const int h = 5, w = 7;
        using var generator = new Generator(17);
        using var input = torch.rand(1, 1, h, w, generator: generator);
        using var output = RandomRotateTransform.Rotate(input, degrees);
        output.shape.Should().Equal(1, 1, h, w);
        var x = TensorAssert.Values(input);
        var o = TensorAssert.Values(output);
        double a = degrees * Math.PI / 180, cos = Math.Cos(a), sin = Math.Sin(a);
        double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
        for (int py = 0; py < h; py++)
        {
            for (int px = 0; px < w; px++)
            {
                // Inverse of kornia/OpenCV's rotation matrix: counter-clockwise as displayed.
                double sx = cx + (cos * (px - cx)) - (sin * (py - cy));
                double sy = cy + (sin * (px - cx)) + (cos * (py - cy));
                int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
                double fx = sx - x0, fy = sy - y0, expected = 0;
                foreach (var (xx, yy, weight) in new[] { (x0, y0, (1 - fx) * (1 - fy)), (x0 + 1, y0, fx * (1 - fy)), (x0, y0 + 1, (1 - fx) * fy), (x0 + 1, y0 + 1, fx * fy) })
                {
                    if (xx >= 0 && xx < w && yy >= 0 && yy < h)
                    {
                        expected += weight * x[(yy * w) + xx];
                    }
                }

                o[(py * w) + px].Should().BeApproximately((float)expected, 1e-5f, $"pixel ({py}, {px})");
            }
        }
    }

    [Fact]
    public void Rotation_names_and_units()
    {
        var rotate = Transform.RandomRotate([-1, 0, 1]);
        rotate.Name.Should().Be("random_rotate([-1, 0, 1], degrees)");
        rotate.Unit.Should().Be(AngleUnit.Degrees);
    }

    [Fact]
    public void Resize_is_bilinear_with_corners_aligned()
    {
        using var input = torch.tensor(new float[] { 0, 1 }).view(1, 1, 1, 2);
        using var output = Transform.Resize(1, 5).Apply(input, TransformContext.FromSeed(0));
        TensorAssert.Values(output).Should().Equal(0f, 0.25f, 0.5f, 0.75f, 1f);
    }

    [Fact]
    public void Resize_for_model_input_follows_render_vis()
    {
        ResizeTransform.ForModelInput((128, 128))!.Name.Should().Be("resize(224, 224)");
        ResizeTransform.ForModelInput((300, 200))!.Height.Should().Be(224);
        ResizeTransform.ForModelInput((224, 224)).Should().BeNull();
        var fixedSize = ResizeTransform.ForModelInput((512, 512), (299, 300))!;
        (fixedSize.Height, fixedSize.Width).Should().Be((299, 300));
        var act = () => new ResizeTransform(0, 5);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Transforms_reject_tensors_that_are_not_image_batches()
    {
        using var flat = torch.ones(3, 4, 4);
        var act = () => Transform.Jitter(2).Apply(flat, TransformContext.FromSeed(0));
        act.Should().Throw<ArgumentException>().WithMessage("*(batch, channels, height, width)*");
    }
}
