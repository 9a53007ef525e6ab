using Lucent.Net.Activations;
using Lucent.Net.ModelZoo.Layout;
using Lucent.Net.ModelZoo.Normalization;
using Lucent.Net.ModelZoo.Pruning;
using Lucent.Net.Modules;
using Lucent.Net.Transforms;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.InceptionV1;

/// <summary>
/// InceptionV1 as Lucid and Lucent use it (the "inception5h" GoogLeNet, 1008 classes), with
/// Lucent's module names, registration order and padding, so that layer names, hooks and the
/// pretrained state dict (<c>inception5h.pth</c>, 116 tensors) carry over unchanged.
/// </summary>
/// <remarks>
/// <para>
/// Every child is registered flat on the model, so a hook name is the module name: first the
/// 57 convolutions (<c>&lt;layer&gt;_pre_relu_conv</c>) and the linear layer
/// (<c>softmax2_pre_activation_matmul</c>), then one module per operation: ReLUs named after their
/// convolution (<c>conv2d0</c>, <c>mixed4a_3x3</c>, ...), max pools (<c>maxpool0</c>,
/// <c>mixed4a_pool</c>, ...), block outputs (<c>mixed4a</c>, ...) and the softmax
/// (<c>softmax2</c>, the last registered module, i.e. Lucent's <c>labels</c>).
/// <see cref="InceptionV1Layers"/> lists them with their sizes. The two local response
/// normalisations are not modules, as in Lucent.
/// </para>
/// <para>
/// <see cref="forward"/> takes images that are already preprocessed (<c>x * 255 - 117</c>, see
/// <see cref="Preprocessing"/>), laid out (batch, 3, height, width); 224x224 is the native size.
/// It disposes its own temporaries, but leaves every layer output alive because forward hooks may
/// hold them: call it inside <c>torch.NewDisposeScope()</c> (the renderer does, once per step) so
/// they are freed when the scope ends.
/// </para>
/// </remarks>
public sealed class InceptionV1Model : nn.Module<Tensor, Tensor>, IPreprocessingProvider, IClassLabels, IPrunableModel
{
    /// <summary>The names of the 1008 outputs (<see cref="Labels.ImageNetLabels.InceptionV1"/>), so objectives can name classes: <c>ClassLogit("tabby")</c>.</summary>
    public ClassLabels ClassLabels => Labels.ImageNetLabels.InceptionV1;

    /// <summary>Local response normalisation window (channels).</summary>
    public const int LrnSize = 9;

    /// <summary>Local response normalisation alpha (the float32 value of 1e-4 that Lucid's graph stores).</summary>
    public const double LrnAlpha = 9.99999974738e-05;

    /// <summary>Local response normalisation beta.</summary>
    public const double LrnBeta = 0.5;

    /// <summary>Local response normalisation k.</summary>
    public const double LrnK = 1.0;

    /// <summary>The head's average pool size (7x7, no padding).</summary>
    public const int HeadPoolSize = 7;

    private static readonly InceptionV1PreprocessingTransform SharedPreprocessing = new();
    private static readonly long[] StemPadding = [2, 3, 2, 3];

    private readonly Dictionary<string, Conv2d> _convolutions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, nn.Module<Tensor, Tensor>> _operations = new(StringComparer.Ordinal);
    private readonly Linear _linear;
    private readonly bool _lucentKernels;
    private readonly bool _composedLrn;
    private readonly bool _allowPruning;
    private readonly bool _channelsLast;
    private (string Layer, bool[] Branches)? _pruning;

    /// <summary>
    /// Creates the model with random initial weights: TorchSharp's default initialisation from its global
    /// generator, or from <see cref="InceptionV1Options.InitializationSeed"/> when set. Load weights with
    /// <see cref="LoadStateDict"/>.
    /// </summary>
    /// <param name="options">Options; <see langword="null"/> for the defaults (redirected ReLU).</param>
    public InceptionV1Model(InceptionV1Options? options = null)
        : base("InceptionV1")
    {
        options ??= new InceptionV1Options();
        UsesRedirectedRelu = options.UseRedirectedRelu;
        _lucentKernels = options.UseLucentKernels;
        _composedLrn = options.UseComposedLrn;
        _allowPruning = options.AllowPruning;
        _channelsLast = options.UseChannelsLast;

        foreach (var spec in InceptionV1Layers.Convolutions)
        {
            var conv = nn.Conv2d(
                spec.In,
                spec.Out,
                spec.Kernel,
                stride: spec.Name == "conv2d0" ? 2 : 1,
                padding: spec.Name == "conv2d0" || _lucentKernels ? 0 : spec.Kernel / 2);
            _convolutions.Add(spec.Name, conv);
            register_module(spec.Name + InceptionV1Layers.ConvolutionSuffix, conv);
        }

        _linear = nn.Linear(1024, InceptionV1Layers.ClassCount);
        register_module(InceptionV1Layers.LinearName, _linear);

        foreach (var layer in InceptionV1Layers.All)
        {
            nn.Module<Tensor, Tensor>? module = layer.Kind switch
            {
                InceptionV1LayerKind.Relu => options.UseRedirectedRelu ? new RedirectedRelu(layer.Name) : nn.ReLU(),
                InceptionV1LayerKind.MaxPool when layer.Name.EndsWith("_pool", StringComparison.Ordinal) =>
                    new PaddedMaxPool2d(layer.Name, stride: 1, left: 1, right: 1, top: 1, bottom: 1) { PadExplicitly = _lucentKernels },
                InceptionV1LayerKind.MaxPool => new PaddedMaxPool2d(layer.Name, stride: 2, left: 0, right: 1, top: 0, bottom: 1) { PadExplicitly = _lucentKernels },
                InceptionV1LayerKind.Concatenation => new InceptionConcat(layer.Name),
                InceptionV1LayerKind.Softmax => nn.Softmax(1),
                _ => null,
            };
            if (module is not null)
            {
                _operations.Add(layer.Name, module);
                register_module(layer.Name, module);
            }
        }

        if (options.InitializationSeed is { } seed)
        {
            SeededInitialization.Reinitialize(this, seed);
        }
    }

    /// <summary>Whether the ReLUs are Lucid's redirected ReLU (see <see cref="InceptionV1Options.UseRedirectedRelu"/>).</summary>
    public bool UsesRedirectedRelu { get; }

    /// <summary>The preprocessing the model expects: <c>x * 255 - 117</c> on images in [0, 1].</summary>
    public IImageTransform Preprocessing => SharedPreprocessing;

    /// <summary>Runs the network.</summary>
    /// <param name="input">Preprocessed images laid out (batch, 3, height, width), values in [-117, 138].</param>
    /// <returns>Class probabilities laid out (batch, 1008) for 224x224 input; the caller owns the tensor.</returns>
    /// <exception cref="ArgumentException">
    /// The input is not a batch of 3-channel images, or is smaller than 224x224 so that the head
    /// cannot run (the layers before it are computed, and their hooks fire, before this is thrown).
    /// </exception>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || input.shape[1] != 3)
        {
            throw new ArgumentException(
                $"InceptionV1 needs preprocessed RGB images laid out (batch, 3, height, width); got shape [{string.Join(", ", input.shape)}].",
                nameof(input));
        }

        Tensor conv2d0Pre;
        using (var padded = nn.functional.pad(input, StemPadding))
        using (var ordered = _channelsLast ? ChannelsLast.From(padded) : padded.alias())
        {
            conv2d0Pre = _convolutions["conv2d0"].call(ordered);
        }

        var conv2d0 = Operation("conv2d0", conv2d0Pre);
        var maxpool0 = Operation("maxpool0", conv2d0);
        Tensor conv2d1Pre;
        using (var normalised = LocalResponseNorm(maxpool0))
        {
            conv2d1Pre = _convolutions["conv2d1"].call(normalised);
        }

        var conv2d1 = Operation("conv2d1", conv2d1Pre);
        var conv2d2Pre = Convolution("conv2d2", conv2d1);
        var conv2d2 = Operation("conv2d2", conv2d2Pre);
        Tensor x;
        using (var normalised = LocalResponseNorm(conv2d2))
        {
            x = Operation("maxpool1", normalised);
        }

        foreach (var block in InceptionV1Layers.Blocks)
        {
            if (block.MaxPoolBefore is string pool)
            {
                x = Operation(pool, x);
            }

            x = Block(block.Name, x);
        }

        if (x.shape[2] < HeadPoolSize || x.shape[3] < HeadPoolSize)
        {
            throw new ArgumentException(
                $"InceptionV1's head needs images of at least {InceptionV1Layers.ReferenceInputSize}x{InceptionV1Layers.ReferenceInputSize} pixels (mixed5b is then {HeadPoolSize}x{HeadPoolSize}, the size of its average pool); got {input.shape[2]}x{input.shape[3]}, which makes mixed5b {x.shape[2]}x{x.shape[3]}. Upsample the image to 224x224 (Lucent's renderer does), or read an earlier layer with a forward hook and stop the pass there.",
                nameof(input));
        }

        Tensor logits;
        using (var pooled = nn.functional.avg_pool2d(x, kernel_size: HeadPoolSize, stride: 1, padding: 0, ceil_mode: false, count_include_pad: false))
        using (var flat = pooled.reshape(-1, 1024))
        {
            logits = _linear.call(flat);
        }

        return Operation(InceptionV1Layers.OutputName, logits);
    }

    /// <summary>
    /// Copies weights into the model, e.g. the tensors of Lucent's <c>inception5h.pth</c>. Keys are
    /// <c>&lt;conv&gt;_pre_relu_conv.weight</c> / <c>.bias</c> and
    /// <c>softmax2_pre_activation_matmul.weight</c> / <c>.bias</c>. Values are copied (converted to
    /// the parameter's type and device); the caller keeps ownership of the given tensors.
    /// </summary>
    /// <param name="stateDict">Tensors by parameter name.</param>
    /// <param name="strict">
    /// When <see langword="true"/> (default), every parameter must be given and no other key may
    /// appear. When <see langword="false"/>, missing and unexpected keys are reported in the result
    /// instead. A shape mismatch is always an error.
    /// </param>
    /// <returns>The keys that were missing and those that were ignored.</returns>
    /// <exception cref="InceptionV1StateDictException">Keys or shapes do not match; nothing was copied.</exception>
    public InceptionV1LoadResult LoadStateDict(IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        var parameters = named_parameters().ToList();
        var ownNames = new HashSet<string>(parameters.Select(p => p.name), StringComparer.Ordinal);
        var missing = parameters.Where(p => !stateDict.ContainsKey(p.name)).Select(p => p.name).ToList();
        var unexpected = stateDict.Keys.Where(k => !ownNames.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var mismatched = new List<string>();
        foreach (var (name, parameter) in parameters)
        {
            if (stateDict.TryGetValue(name, out var given))
            {
                if (given is null)
                {
                    mismatched.Add($"{name}: expected shape [{string.Join(", ", parameter.shape)}], got null");
                }
                else if (!given.shape.SequenceEqual(parameter.shape))
                {
                    mismatched.Add($"{name}: expected shape [{string.Join(", ", parameter.shape)}], got [{string.Join(", ", given.shape)}]");
                }
            }
        }

        if (mismatched.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
        {
            throw new InceptionV1StateDictException(missing, unexpected, mismatched);
        }

        using (no_grad())
        {
            foreach (var (name, parameter) in parameters)
            {
                if (stateDict.TryGetValue(name, out var given))
                {
                    parameter.copy_(given);
                }
            }
        }

        return new InceptionV1LoadResult(missing, unexpected);
    }

    /// <summary>The constants of InceptionV1's two LRNs, as LibTorch's <c>local_response_norm</c> reads them.</summary>
    internal static readonly LrnSpec Lrn = LrnSpec.PyTorch(LrnSize, LrnAlpha, LrnBeta, LrnK);

    private Tensor LocalResponseNorm(Tensor input) => _lucentKernels
        ? nn.functional.local_response_norm(input, LrnSize, LrnAlpha, LrnBeta, LrnK)
        : _composedLrn ? ComposedLocalResponseNormalization(input) : LocalResponseNormalization(input);

    /// <summary>
    /// Local response normalisation across channels, <c>x / (k + alpha * mean_9(x^2))^beta</c>, where
    /// <c>mean_9</c> averages the squares of the 9 channels centred on each channel (zero beyond the
    /// edges, always divided by 9): LibTorch's <c>local_response_norm</c> to within float rounding (a
    /// relative 1e-6; pinned by tests). LibTorch averages through <c>avg_pool3d</c>, a slow CPU kernel;
    /// here the window sums are matrix products with the band of <c>alpha / 9</c> weights, in blocks of 32
    /// channels (<c>Normalization.LrnWindow</c>), <c>(.)^-0.5</c> is <c>rsqrt</c>, and where a gradient is recorded the
    /// whole normalisation is one autograd node with a hand-written backward pass (<c>Normalization.LrnFunction</c>):
    /// forward and backward together several times faster than LibTorch's on InceptionV1's two LRN
    /// inputs (docs/performance.md).
    /// </summary>
    /// <param name="input">A tensor laid out (batch, channels, height, width).</param>
    /// <returns>A new tensor; the caller owns it.</returns>
    public static Tensor LocalResponseNormalization(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Normalization.LocalResponseNorm.Apply(input, Lrn);
    }

    /// <summary>
    /// The normalisation before <c>LrnFunction</c>: the same expression with one (channels x channels) band
    /// product, recorded operation by operation by LibTorch's autograd. For the benchmarks' A/B
    /// (<see cref="InceptionV1Options.UseComposedLrn"/>) and the tests that compare the two.
    /// </summary>
    internal static Tensor ComposedLocalResponseNormalization(Tensor input)
    {
        using var scope = NewDisposeScope();
        if (ChannelsLast.Is(input))
        {
            // (batch, height, width, channels) view: the band matrix is symmetric, so x @ band sums the windows.
            var nhwc = input.permute(0, 2, 3, 1);
            var bandLast = LrnBands.For(Lrn, input.shape[1], input.dtype, input.device);
            var denominatorLast = torch.matmul(nhwc.mul(nhwc), bandLast).add_(LrnK);
            return nhwc.mul(denominatorLast.rsqrt()).permute(0, 3, 1, 2).MoveToOuterDisposeScope();
        }

        long batch = input.shape[0], channels = input.shape[1], height = input.shape[2], width = input.shape[3];
        var band = LrnBands.For(Lrn, channels, input.dtype, input.device);
        var squares = input.mul(input).reshape(batch, channels, height * width);
        var denominator = torch.matmul(band, squares).add_(LrnK);
        return input.mul(denominator.rsqrt().reshape(batch, channels, height, width)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Until the returned scope is disposed, a mixed layer (<c>mixed3a</c> .. <c>mixed5b</c>) computes only the
    /// branches (1x1, 3x3, 5x5, pool) whose channels are in <paramref name="channels"/>; the other branches'
    /// channels are zeros and their modules do not run. The channels computed are bit-identical to the whole
    /// layer's, and so is the gradient that reaches the input (the skipped branches only ever passed back
    /// zeros). Other layers are computed whole. Used by the renderer for channel objectives on a mixed layer
    /// (a channel objective on <c>mixed4a</c> needs one of its four branches).
    /// </summary>
    /// <param name="layer">A layer name.</param>
    /// <param name="channels">Channel indices of that layer.</param>
    /// <returns>A scope that restores the whole computation.</returns>
    public IDisposable ComputeOnly(string layer, IReadOnlySet<int> channels)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(channels);
        var previous = _pruning;
        if (_allowPruning && _operations.TryGetValue(layer, out var module) && module is InceptionConcat &&
            ConcatenatedChannels.PartsHolding(BranchWidths(layer), channels) is { } branches && !branches.All(needed => needed))
        {
            _pruning = (layer, branches);
        }

        return new PruningScope(() => _pruning = previous);
    }

    private Tensor Operation(string name, Tensor input) => _operations[name].call(input);

    private long[] BranchWidths(string block) =>
        [.. new[] { "_1x1", "_3x3", "_5x5", "_pool_reduce" }.Select(branch => _convolutions[block + branch].weight!.shape[0])];

    private Tensor Block(string name, Tensor input)
    {
        if (_pruning is { } pruning && pruning.Layer == name)
        {
            return PrunedBlock(name, input, pruning.Branches);
        }

        // Same order of calls as Lucent's forward, so hooks fire in the same order.
        var oneByOnePre = Convolution(name + "_1x1", input);
        var threeBottleneckPre = Convolution(name + "_3x3_bottleneck", input);
        var fiveBottleneckPre = Convolution(name + "_5x5_bottleneck", input);
        var pool = Operation(name + "_pool", input);
        var oneByOne = Operation(name + "_1x1", oneByOnePre);
        var threeBottleneck = Operation(name + "_3x3_bottleneck", threeBottleneckPre);
        var fiveBottleneck = Operation(name + "_5x5_bottleneck", fiveBottleneckPre);
        var poolReducePre = Convolution(name + "_pool_reduce", pool);
        var threePre = Convolution(name + "_3x3", threeBottleneck);
        var fivePre = Convolution(name + "_5x5", fiveBottleneck);
        var poolReduce = Operation(name + "_pool_reduce", poolReducePre);
        var three = Operation(name + "_3x3", threePre);
        var five = Operation(name + "_5x5", fivePre);
        return ((InceptionConcat)_operations[name]).Concatenate(oneByOne, three, five, poolReduce);
    }

    /// <summary>The block with only the branches marked <paramref name="needed"/> (1x1, 3x3, 5x5, pool); zeros for the others.</summary>
    private Tensor PrunedBlock(string name, Tensor input, bool[] needed)
    {
        // Lucent's order of calls among the branches that run.
        Tensor? oneByOne = needed[0] ? Operation(name + "_1x1", Convolution(name + "_1x1", input)) : null;
        Tensor? three = needed[1]
            ? Operation(name + "_3x3", Convolution(name + "_3x3", Operation(name + "_3x3_bottleneck", Convolution(name + "_3x3_bottleneck", input))))
            : null;
        Tensor? five = needed[2]
            ? Operation(name + "_5x5", Convolution(name + "_5x5", Operation(name + "_5x5_bottleneck", Convolution(name + "_5x5_bottleneck", input))))
            : null;
        Tensor? poolReduce = needed[3] ? Operation(name + "_pool_reduce", Convolution(name + "_pool_reduce", Operation(name + "_pool", input))) : null;
        var computed = new[] { oneByOne, three, five, poolReduce };
        var like = computed.First(t => t is not null)!;
        long[] widths = BranchWidths(name);
        var branches = computed.Select((t, i) => t ?? ConcatenatedChannels.Zeros(like, widths[i])).ToArray();
        return ((InceptionConcat)_operations[name]).Concatenate(branches);
    }

    private Tensor Convolution(string name, Tensor input)
    {
        var convolution = _convolutions[name];
        long pad = _lucentKernels ? convolution.weight!.shape[2] / 2 : 0;
        if (pad == 0)
        {
            return convolution.call(input);
        }

        using var padded = nn.functional.pad(input, [pad, pad, pad, pad]);
        return convolution.call(padded);
    }
}
