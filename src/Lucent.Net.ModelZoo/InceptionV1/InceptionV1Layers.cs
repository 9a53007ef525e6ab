namespace Lucent.Net.ModelZoo.InceptionV1;

/// <summary>
/// The hookable layers of <see cref="InceptionV1Model"/>, in Lucent's registration order (which is
/// also the order of <c>named_modules()</c>): first the 57 convolutions and the final linear layer,
/// then the ReLU, pooling, concatenation and softmax layers in the order the forward pass computes
/// them. The last entry, <c>softmax2</c>, is what Lucent calls <c>labels</c>.
/// </summary>
public static class InceptionV1Layers
{
    /// <summary>The number of classes of the final layer (1008: Lucid's 1000 ImageNet classes plus 8 unused).</summary>
    public const int ClassCount = 1008;

    /// <summary>The input size the layer table's spatial sizes refer to (224 pixels).</summary>
    public const int ReferenceInputSize = 224;

    /// <summary>Suffix of every convolution's hook name (e.g. <c>mixed4a_3x3_pre_relu_conv</c>).</summary>
    public const string ConvolutionSuffix = "_pre_relu_conv";

    /// <summary>The hook name of the final linear layer.</summary>
    public const string LinearName = "softmax2_pre_activation_matmul";

    /// <summary>The hook name of the model's output (the softmax).</summary>
    public const string OutputName = "softmax2";

    internal static readonly IReadOnlyList<BlockSpec> Blocks =
    [
        new("mixed3a", 192, 64, 96, 128, 16, 32, 32, 28, null),
        new("mixed3b", 256, 128, 128, 192, 32, 96, 64, 28, null),
        new("mixed4a", 480, 192, 96, 204, 16, 48, 64, 14, "maxpool4"),
        new("mixed4b", 508, 160, 112, 224, 24, 64, 64, 14, null),
        new("mixed4c", 512, 128, 128, 256, 24, 64, 64, 14, null),
        new("mixed4d", 512, 112, 144, 288, 32, 64, 64, 14, null),
        new("mixed4e", 528, 256, 160, 320, 32, 128, 128, 14, null),
        new("mixed5a", 832, 256, 160, 320, 48, 128, 128, 7, "maxpool10"),
        new("mixed5b", 832, 384, 192, 384, 48, 128, 128, 7, null),
    ];

    internal static readonly IReadOnlyList<ConvSpec> Convolutions = BuildConvolutions();

    /// <summary>Every hookable layer, in registration order (58 weighted layers, then 80 operation layers).</summary>
    public static IReadOnlyList<InceptionV1LayerInfo> All { get; } = BuildTable();

    /// <summary>Every hook name, in registration order.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(l => l.Name).ToArray();

    /// <summary>The names of the nine Inception block outputs (<c>mixed3a</c> to <c>mixed5b</c>).</summary>
    public static IReadOnlyList<string> BlockNames { get; } = Blocks.Select(b => b.Name).ToArray();

    /// <summary>Looks up a layer by hook name.</summary>
    /// <param name="name">A hook name, e.g. <c>mixed4a</c>.</param>
    /// <returns>The layer.</returns>
    /// <exception cref="ArgumentException">No InceptionV1 layer has that name.</exception>
    public static InceptionV1LayerInfo Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var layer in All)
        {
            if (string.Equals(layer.Name, name, StringComparison.Ordinal))
            {
                return layer;
            }
        }

        throw new ArgumentException(
            $"InceptionV1 has no layer named '{name}'. Block outputs are {string.Join(", ", BlockNames)}; InceptionV1Layers.Names lists all {All.Count} hook names.",
            nameof(name));
    }

    private static List<ConvSpec> BuildConvolutions()
    {
        var convs = new List<ConvSpec>
        {
            new("conv2d0", 3, 64, 7, 112),
            new("conv2d1", 64, 64, 1, 56),
            new("conv2d2", 64, 192, 3, 56),
        };
        foreach (var b in Blocks)
        {
            convs.Add(new(b.Name + "_1x1", b.In, b.OneByOne, 1, b.Size));
            convs.Add(new(b.Name + "_3x3_bottleneck", b.In, b.ThreeByThreeBottleneck, 1, b.Size));
            convs.Add(new(b.Name + "_5x5_bottleneck", b.In, b.FiveByFiveBottleneck, 1, b.Size));
            convs.Add(new(b.Name + "_pool_reduce", b.In, b.PoolReduce, 1, b.Size));
            convs.Add(new(b.Name + "_3x3", b.ThreeByThreeBottleneck, b.ThreeByThree, 3, b.Size));
            convs.Add(new(b.Name + "_5x5", b.FiveByFiveBottleneck, b.FiveByFive, 5, b.Size));
        }

        return convs;
    }

    private static InceptionV1LayerInfo[] BuildTable()
    {
        var table = new List<InceptionV1LayerInfo>();
        foreach (var c in Convolutions)
        {
            table.Add(new(c.Name + ConvolutionSuffix, InceptionV1LayerKind.Convolution, c.Out, c.Size));
        }

        table.Add(new(LinearName, InceptionV1LayerKind.Linear, ClassCount, null));

        table.Add(new("conv2d0", InceptionV1LayerKind.Relu, 64, 112));
        table.Add(new("maxpool0", InceptionV1LayerKind.MaxPool, 64, 56));
        table.Add(new("conv2d1", InceptionV1LayerKind.Relu, 64, 56));
        table.Add(new("conv2d2", InceptionV1LayerKind.Relu, 192, 56));
        table.Add(new("maxpool1", InceptionV1LayerKind.MaxPool, 192, 28));
        foreach (var b in Blocks)
        {
            if (b.MaxPoolBefore is string pool)
            {
                table.Add(new(pool, InceptionV1LayerKind.MaxPool, b.In, b.Size));
            }

            table.Add(new(b.Name + "_pool", InceptionV1LayerKind.MaxPool, b.In, b.Size));
            table.Add(new(b.Name + "_1x1", InceptionV1LayerKind.Relu, b.OneByOne, b.Size));
            table.Add(new(b.Name + "_3x3_bottleneck", InceptionV1LayerKind.Relu, b.ThreeByThreeBottleneck, b.Size));
            table.Add(new(b.Name + "_5x5_bottleneck", InceptionV1LayerKind.Relu, b.FiveByFiveBottleneck, b.Size));
            table.Add(new(b.Name + "_pool_reduce", InceptionV1LayerKind.Relu, b.PoolReduce, b.Size));
            table.Add(new(b.Name + "_3x3", InceptionV1LayerKind.Relu, b.ThreeByThree, b.Size));
            table.Add(new(b.Name + "_5x5", InceptionV1LayerKind.Relu, b.FiveByFive, b.Size));
            table.Add(new(b.Name, InceptionV1LayerKind.Concatenation, b.Out, b.Size));
        }

        table.Add(new(OutputName, InceptionV1LayerKind.Softmax, ClassCount, null));
        return [.. table];
    }

    /// <summary>An Inception block: input channels, branch widths, output size at 224, and the stride-2 pool before it, if any.</summary>
    internal sealed record BlockSpec(
        string Name,
        int In,
        int OneByOne,
        int ThreeByThreeBottleneck,
        int ThreeByThree,
        int FiveByFiveBottleneck,
        int FiveByFive,
        int PoolReduce,
        int Size,
        string? MaxPoolBefore)
    {
        public int Out => OneByOne + ThreeByThree + FiveByFive + PoolReduce;
    }

    /// <summary>A convolution (without the hook-name suffix): channels in and out, square kernel, output size at 224.</summary>
    internal sealed record ConvSpec(string Name, int In, int Out, int Kernel, int Size);
}
