using Lucent.Net.Modules;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CustomObjectiveSample;

/// <summary>A tiny conv net with random weights (seeded). Children run through call() so the renderer's hooks fire.</summary>
public sealed class TinyConvNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly ReLU relu1;
    private readonly Conv2d conv2;
    private readonly ReLU relu2;
    private readonly Conv2d conv3;
    private readonly ReLU relu3;

    public TinyConvNet(long seed = 0)
        : base(nameof(TinyConvNet))
    {
        conv1 = nn.Conv2d(3, 16, 5, padding: 2);
        relu1 = nn.ReLU();
        conv2 = nn.Conv2d(16, 32, 3, stride: 2, padding: 1);
        relu2 = nn.ReLU();
        conv3 = nn.Conv2d(32, 32, 3, stride: 2, padding: 1);
        relu3 = nn.ReLU();
        RegisterComponents();
        SeededInitialization.Reinitialize(this, seed); // reproducible without the global generator
    }

    public override Tensor forward(Tensor input)
    {
        var x = relu1.call(conv1.call(input));
        x = relu2.call(conv2.call(x));
        return relu3.call(conv3.call(x));
    }
}
