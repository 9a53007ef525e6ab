using Lucent.Net.ModelZoo.InceptionV1;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.InceptionV1;

public class PaddedMaxPool2dTests
{
    [Theory]
    [InlineData(2, 0, 1, 0, 1, 112)]
    [InlineData(2, 0, 1, 0, 1, 56)]
    [InlineData(2, 0, 1, 0, 1, 15)]
    [InlineData(1, 1, 1, 1, 1, 28)]
    [InlineData(1, 1, 1, 1, 1, 7)]
    public void Implicit_padding_gives_the_same_values_and_gradients_as_explicit_minus_infinity_padding(int stride, int left, int right, int top, int bottom, int size)
    {
        using var scope = NewDisposeScope();
        using var pool = new PaddedMaxPool2d("pool", stride, left, right, top, bottom);
        using var generator = new Generator(5, CPU);
        var x = randn([2, 4, size, size], generator: generator).requires_grad_(true);
        var upstreamShape = pool.PadWithNegativeInfinity(x).shape;
        var upstream = randn(upstreamShape, generator: generator);

        var fast = pool.call(x);
        var reference = pool.PadWithNegativeInfinity(x);
        fast.shape.Should().Equal(reference.shape);
        fast.allclose(reference, 0, 0).Should().BeTrue();

        var gradFast = autograd.grad([fast], [x], [upstream])[0];
        var gradReference = autograd.grad([reference], [x], [upstream])[0];
        gradFast.allclose(gradReference, 0, 0).Should().BeTrue();
    }
}
