using System.Diagnostics;
using Lucent.Net.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Modules;

// The memory test reads the process's resident size: it runs alone, after the parallel tests.
[Collection(Lucent.Net.Tests.TestSupport.GlobalRandomStateCollection.Name)]
public class RedirectedReluTests
{
    [Fact]
    public void Forward_is_relu_and_backward_lets_a_tenth_of_the_gradient_through_negative_inputs()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { -2f, -0.5f, 0f, 0.5f, 3f }).requires_grad_(true);
        var y = RedirectedRelu.Apply(x);
        y.data<float>().ToArray().Should().Equal(0f, 0f, 0f, 0.5f, 3f);

        var upstream = tensor(new float[] { 1f, 2f, 3f, 4f, 5f });
        var grad = autograd.grad([y], [x], [upstream])[0];
        // At exactly zero the gradient is the leaky ReLU's 0.1 (Lucent: 1); both are subgradients (see remarks).
        grad.data<float>().ToArray().Should().Equal(0.1f, 0.2f, 0.3f, 4f, 5f);
    }

    [Fact]
    public void Matches_the_gradient_composed_from_elementwise_operations()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3, CPU);
        var x = randn([2, 8, 16, 16], generator: generator).requires_grad_(true);
        var upstream = randn([2, 8, 16, 16], generator: generator);
        var composed = nn.functional.relu(x).detach() + ((x - x.detach()) * where(x.lt(0), 0.1, 1.0).to(x.dtype));

        var fast = RedirectedRelu.Apply(x);
        fast.allclose(composed, 0, 0).Should().BeTrue();
        var gFast = autograd.grad([fast], [x], [upstream])[0];
        var gComposed = autograd.grad([composed], [x], [upstream])[0];
        var nonZero = x.ne(0);
        gFast.masked_select(nonZero).allclose(gComposed.masked_select(nonZero), 0, 0).Should().BeTrue();
    }

    [Fact]
    public void Without_gradients_it_is_a_plain_relu_and_the_module_calls_the_same_function()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { -1f, 2f });
        using var module = new RedirectedRelu();
        module.call(x).data<float>().ToArray().Should().Equal(0f, 2f);
    }

    [Fact]
    public void Many_backward_passes_keep_memory_flat_to_the_kilobyte_per_call()
    {
        // 2,000 calls on small tensors. A TorchSharp custom autograd node leaked about 5 KB per call
        // (about 10 MB here); the leaky-ReLU formulation stays within allocator noise.
        using var generator = new Generator(4, CPU);
        long rssAtWarmUp = 0;
        for (int i = 0; i < 2200; i++)
        {
            using (var scope = NewDisposeScope())
            {
                var x = randn([2, 8, 32, 32], generator: generator).requires_grad_(true);
                RedirectedRelu.Apply(x).sum().backward();
            }

            if (i == 200)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                rssAtWarmUp = Process.GetCurrentProcess().WorkingSet64;
            }
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        (Process.GetCurrentProcess().WorkingSet64 - rssAtWarmUp).Should().BeLessThan(6L * 1024 * 1024);
    }
}
