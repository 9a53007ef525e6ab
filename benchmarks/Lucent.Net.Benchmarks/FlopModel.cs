using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.Benchmarks;

/// <summary>
/// Counts the multiply-accumulates of a model's convolutions and linear layers at a given input
/// size, from the layer shapes: for a convolution, <c>MAC = H_out * W_out * C_out * (C_in / groups) * k_h * k_w</c>;
/// for a linear layer, <c>in * out</c>. The output sizes come from one forward pass of a 1-image
/// input of that size (hooks read the shapes, nothing is timed).
/// </summary>
internal static class FlopModel
{
    /// <summary>Forward MACs per image of every convolution and linear layer computed up to and including <paramref name="lastLayer"/> (null: the whole model).</summary>
    public static (long MacsToLayer, long MacsFull, int ConvolutionsToLayer) CountMacs(nn.Module<Tensor, Tensor> model, string? lastLayer, int inputSize)
    {
        long total = 0;
        long atLayer = -1;
        int convolutions = 0;
        int convolutionsAtLayer = 0;
        var handles = new List<IDisposable>();
        static IDisposable Wrap(nn.HookableModule<Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover remover) => new Lucent.Net.Activations.ModelLayers.HookHandle(remover);
        foreach (var (name, module) in model.named_modules())
        {
            if (module is Conv2d conv)
            {
                handles.Add(Wrap(conv.register_forward_hook((m, input, output) =>
                {
                    var w = conv.weight!.shape; // (C_out, C_in / groups, k_h, k_w)
                    long macs = output.shape[2] * output.shape[3] * w[0] * w[1] * w[2] * w[3];
                    total += macs;
                    convolutions++;
                    return null!;
                })));
            }
            else if (module is Linear linear)
            {
                handles.Add(Wrap(linear.register_forward_hook((m, input, output) =>
                {
                    total += linear.weight!.shape[0] * linear.weight.shape[1];
                    return null!;
                })));
            }

            if (lastLayer is not null && name == lastLayer && module is nn.Module<Tensor, Tensor> target)
            {
                handles.Add(Wrap(target.register_forward_hook((m, input, output) =>
                {
                    atLayer = total;
                    convolutionsAtLayer = convolutions;
                    return null!;
                })));
            }
        }

        try
        {
            using var noGrad = torch.no_grad();
            using var scope = NewDisposeScope();
            var input = torch.zeros(1, 3, inputSize, inputSize);
            model.call(input);
        }
        finally
        {
            foreach (var handle in handles)
            {
                handle.Dispose();
            }
        }

        return (atLayer < 0 ? total : atLayer, total, lastLayer is null ? convolutions : convolutionsAtLayer);
    }
}
