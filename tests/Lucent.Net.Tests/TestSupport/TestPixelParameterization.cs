using Lucent.Net.Parameterization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.TestSupport;

/// <summary>A minimal parameterisation for renderer tests: sigmoid of a pixel tensor.</summary>
public sealed class TestPixelParameterization : IImageParameterization
{
    private readonly Parameter pixels;

    public TestPixelParameterization(int size, Generator generator, int batch = 1)
    {
        using (var scope = torch.NewDisposeScope())
        {
            var init = torch.randn([batch, 3, size, size], generator: generator) * 0.01;
            pixels = new Parameter(init, requires_grad: true);
            pixels.DetachFromDisposeScope();
        }

        Shape = new ImageShape(batch, 3, size, size);
    }

    public IReadOnlyList<Parameter> Parameters => [pixels];

    public ImageShape Shape { get; }

    public string Name => "test_pixel";

    public Tensor CreateImage() => torch.sigmoid(pixels);

    public void Dispose() => pixels.Dispose();
}
