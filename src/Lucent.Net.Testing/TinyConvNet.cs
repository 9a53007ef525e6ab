using Lucent.Net.Modules;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.Testing;

/// <summary>
/// A tiny convolutional net with seeded random weights, for unit tests of objectives, transforms and
/// parameterisations, and for samples: renders on it take milliseconds and need no download.
/// </summary>
/// <remarks>
/// <para>The layers, in forward order, with the hook names a render targets (<c>conv2:3</c>,
/// <c>channel(relu3, 0)</c>) and their outputs for an input of [N, 3, H, W] and width <c>w</c>:</para>
/// <list type="table">
/// <listheader><term>Layer</term><description>Module and output</description></listheader>
/// <item><term><c>conv1</c>, <c>relu1</c></term><description>3x3 convolution 3 -> w (padding 1), ReLU: [N, w, H, W]</description></item>
/// <item><term><c>conv2</c>, <c>relu2</c></term><description>3x3 convolution w -> 2w (stride 2, padding 1), ReLU: [N, 2w, ceil(H/2), ceil(W/2)]</description></item>
/// <item><term><c>conv3</c>, <c>relu3</c></term><description>3x3 convolution 2w -> 2w (stride 2, padding 1), ReLU: [N, 2w, ceil(H/4), ceil(W/4)]</description></item>
/// <item><term><c>pool</c></term><description>Adaptive average pooling to 1x1: [N, 2w, 1, 1]</description></item>
/// <item><term><c>fc</c></term><description>Linear 2w -> classes on the flattened pool: [N, classes], the logits (Lucent's <c>labels</c>)</description></item>
/// </list>
/// <para>Any image of at least <see cref="MinimumInputSize"/> pixels a side works, so random crops and scales
/// of a transform pipeline never make a layer uncomputable. It is not an <c>IPreprocessingProvider</c>: a
/// render feeds it the renderer's default preprocessing (ImageNet normalisation), a direct call computes on the
/// tensor as given.</para>
/// <para>The weights are drawn by <see cref="SeededInitialization.Reinitialize"/> from a private generator
/// seeded with the constructor's <c>seed</c> (PyTorch's default ranges), in the order conv1, conv2, conv3, fc,
/// each weight before its bias: the same seed and width give bit-identical weights in every process, on every
/// machine, whatever else draws random numbers (PyTorch's <c>torch.Generator().manual_seed(seed)</c> and
/// <c>torch.rand</c> reproduce them). It has no dropout or batch normalisation, so training and evaluation
/// mode compute the same.</para>
/// </remarks>
public sealed class TinyConvNet : nn.Module<Tensor, Tensor>
{
    /// <summary>The smallest height and width the net takes (every layer pads, and the pool adapts).</summary>
    public const int MinimumInputSize = 1;

    // RegisterComponents names each layer after its field (hence no underscore) in declaration order: the hook
    // names in forward order, and the order the seeded initialisation draws the weights in.
    #pragma warning disable IDE1006 // TorchSharp registers submodules and parameters under their field names (the layer and state-dict names)
    private readonly Conv2d conv1;
    private readonly ReLU relu1;
    private readonly Conv2d conv2;
    private readonly ReLU relu2;
    private readonly Conv2d conv3;
    private readonly ReLU relu3;
    private readonly AdaptiveAvgPool2d pool;
    private readonly Linear fc;
    #pragma warning restore IDE1006

    /// <summary>Builds the net with weights drawn from <paramref name="seed"/>.</summary>
    /// <param name="seed">The seed of the weights: the same seed and sizes give the same weights.</param>
    /// <param name="width">The channels of <c>conv1</c>; <c>conv2</c> and <c>conv3</c> have twice as many. At least 1.</param>
    /// <param name="classes">The outputs of <c>fc</c> (the logits). At least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> or <paramref name="classes"/> is less than 1.</exception>
    public TinyConvNet(long seed = 0, int width = 8, int classes = 10)
        : base(nameof(TinyConvNet))
    {
        if (width < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "TinyConvNet's width (the channels of conv1) must be at least 1; 8 is the default.");
        }

        if (classes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "TinyConvNet's classes (the outputs of fc) must be at least 1; 10 is the default.");
        }

        Seed = seed;
        Width = width;
        Classes = classes;
        conv1 = nn.Conv2d(3, width, 3, padding: 1);
        relu1 = nn.ReLU();
        conv2 = nn.Conv2d(width, 2 * width, 3, stride: 2, padding: 1);
        relu2 = nn.ReLU();
        conv3 = nn.Conv2d(2 * width, 2 * width, 3, stride: 2, padding: 1);
        relu3 = nn.ReLU();
        pool = nn.AdaptiveAvgPool2d(1);
        fc = nn.Linear(2 * width, classes);
        RegisterComponents();
        SeededInitialization.Reinitialize(this, seed);
    }

    /// <summary>The hook names of the layers in forward order: conv1, relu1, conv2, relu2, conv3, relu3, pool, fc.</summary>
    public static IReadOnlyList<string> LayerNames { get; } = ["conv1", "relu1", "conv2", "relu2", "conv3", "relu3", "pool", "fc"];

    /// <summary>The seed the weights were drawn from.</summary>
    public long Seed { get; }

    /// <summary>The channels of <c>conv1</c> and <c>relu1</c>; the later convolutions have <c>2 * Width</c>.</summary>
    public int Width { get; }

    /// <summary>The outputs of <c>fc</c>.</summary>
    public int Classes { get; }

    /// <summary>Runs the net. Every layer runs through <c>call</c>, so forward hooks (a render's) fire.</summary>
    /// <param name="input">Images [N, 3, H, W] with H and W at least <see cref="MinimumInputSize"/>.</param>
    /// <returns>The logits [N, classes].</returns>
    /// <exception cref="ArgumentException"><paramref name="input"/> is not a batch of 3-channel images.</exception>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || input.shape[1] != 3 || input.shape[2] < MinimumInputSize || input.shape[3] < MinimumInputSize)
        {
            throw new ArgumentException(
                $"TinyConvNet takes RGB images [batch, 3, height, width] with height and width at least {MinimumInputSize}; got a tensor of shape [{string.Join(", ", input.shape)}]. " +
                "Add a batch dimension with unsqueeze(0), or convert grey or RGBA images to 3 channels.",
                nameof(input));
        }

        // No dispose scope here: a render's hooks keep the intermediate activations, and the caller's scope owns them.
        var x = relu1.call(conv1.call(input));
        x = relu2.call(conv2.call(x));
        x = relu3.call(conv3.call(x));
        return fc.call(pool.call(x).flatten(1));
    }
}
