using Lucent.Net.Modules;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.TestSupport;

/// <summary>A small conv net for tests: conv1 -> relu1 -> conv2 -> relu2 -> pool -> flatten -> fc. Counts forward calls per layer.</summary>
public sealed class TinyNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly ReLU relu1;
    private readonly Conv2d conv2;
    private readonly ReLU relu2;
    private readonly AdaptiveAvgPool2d pool;
    private readonly Linear fc;

    public TinyNet(long seed = 1)
        : base(nameof(TinyNet))
    {
        conv1 = nn.Conv2d(3, 8, 3, padding: 1);
        relu1 = nn.ReLU();
        conv2 = nn.Conv2d(8, 16, 3, stride: 2, padding: 1);
        relu2 = nn.ReLU();
        pool = nn.AdaptiveAvgPool2d(1);
        fc = nn.Linear(16, 10);
        RegisterComponents();
        SeededInitialization.Reinitialize(this, seed); // reproducible without the global generator
        conv2.register_forward_hook((_, _, _) =>
        {
            Conv2Calls++;
            return null!;
        });
    }

    /// <summary>How many times conv2 ran.</summary>
    public int Conv2Calls { get; private set; }

    /// <summary>When set, the forward pass throws after relu2 (a layer "not computable at this size").</summary>
    public bool FailAfterRelu2 { get; set; }

    /// <summary>conv2's output computed directly (no hooks), for checking values.</summary>
    public Tensor Conv2Output(Tensor input) => conv2.forward(relu1.forward(conv1.forward(input)));

    public override Tensor forward(Tensor input)
    {
        var x = relu1.call(conv1.call(input));
        x = relu2.call(conv2.call(x));
        if (FailAfterRelu2)
        {
            throw new InvalidOperationException("pool: input too small");
        }

        x = pool.call(x).flatten(1);
        return fc.call(x);
    }
}
