using Lucent.Net.ModelZoo.Catalog;
using Lucent.Net.ModelZoo.Checkpoints;
using Lucent.Net.ModelZoo.Weights;
using Lucent.Net.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Gan;

/// <summary>
/// An upconvolutional image generator of Dosovitskiy and Brox ("Generating Images with Perceptual Similarity
/// Metrics based on Deep Networks", 2016), as Lucent ports it (<c>lucent.optvis.param.gan.upconvGAN</c>): it maps
/// a code (the activations of one CaffeNet layer, see <see cref="UpconvGanVariant"/>) to a 256x256 image. Used as
/// an image prior: optimise the code instead of the pixels (<see cref="GanImageParameterization"/>).
/// </summary>
/// <remarks>
/// <para>Layers and state-dict names are Lucent's. fc6, fc7, fc8: <c>defc7</c>, <c>defc6</c>, <c>defc5</c>
/// (linear layers to 4096), <c>reshape</c> to (256, 4, 4); pool5: <c>Rconv6</c>, <c>Rconv7</c> (3x3 convolutions,
/// padding 1, to 512 channels) and <c>Rconv8</c> (3x3, no padding: 6x6 to 4x4). Then, shared:
/// <c>deconv5</c> (transposed 4x4, stride 2, padding 1, to 256 channels), <c>conv5_1</c> (transposed 3x3, padding 1,
/// to 512), <c>deconv4</c> (to 256), <c>conv4_1</c> (256), <c>deconv3</c> (128), <c>conv3_1</c> (128),
/// <c>deconv2</c> (64), <c>deconv1</c> (32), <c>deconv0</c> (3): five doublings, 8 to 256 pixels. Every layer but the
/// last is followed by a leaky ReLU of slope 0.3 (named <c>relu_&lt;layer&gt;</c>, or <c>Rrelu6</c>..<c>Rrelu8</c>).</para>
/// <para>The network outputs Caffe's BGR order, mean-subtracted, in 0..255 units; <see cref="forward"/> returns it
/// with the channels reversed to RGB (Lucent's <c>forward</c>) and <see cref="Visualize"/> adds the mean
/// (123, 117, 104), clamps to [0, 255] and divides by 255 (Lucent's <c>visualize</c>). Lucent does not crop.</para>
/// <para>The weights are frozen (<c>requires_grad</c> false) on construction, as in Lucent: gradients reach the code,
/// never the generator.</para>
/// </remarks>
public sealed class UpconvGenerator : nn.Module<Tensor, Tensor>
{
    /// <summary>The height and width of the generated images (256).</summary>
    public const int ImageSize = 256;

    /// <summary>The slope of every leaky ReLU (0.3).</summary>
    public const double NegativeSlope = 0.3;

    /// <summary>The number of tensors in each generator's state dict (12 layers, a weight and a bias each).</summary>
    public const int TensorCount = 24;

    private static readonly float[] RgbMean = [123f, 117f, 104f];

    private readonly nn.Module<Tensor, Tensor>[] _layers;
    private readonly long[] _codeShape;

    /// <summary>Creates a generator with random weights (see <see cref="UpconvGeneratorOptions"/>); load the
    /// pretrained ones with <see cref="LoadStateDict"/>, <see cref="LoadFromFile"/> or <see cref="LoadPretrainedAsync"/>.</summary>
    /// <param name="variant">Which generator.</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="variant"/> is not a defined value.</exception>
    public UpconvGenerator(UpconvGanVariant variant, UpconvGeneratorOptions? options = null)
        : this(variant, UpconvGanWidths.For(variant), options)
    {
    }

    /// <summary>Creates a generator with the given widths (tests use narrow ones).</summary>
    internal UpconvGenerator(UpconvGanVariant variant, UpconvGanWidths widths, UpconvGeneratorOptions? options = null)
        : base("upconvGAN_" + Name(variant))
    {
        Variant = variant;
        Widths = widths;
        var layers = new List<(string Name, nn.Module<Tensor, Tensor> Module)>();
        if (variant == UpconvGanVariant.Pool5)
        {
            _codeShape = [widths.Code, 6, 6];
            layers.Add(("Rconv6", nn.Conv2d(widths.Code, widths.C512, 3, stride: 1, padding: 1)));
            layers.Add(("Rrelu6", nn.LeakyReLU(NegativeSlope)));
            layers.Add(("Rconv7", nn.Conv2d(widths.C512, widths.C512, 3, stride: 1, padding: 1)));
            layers.Add(("Rrelu7", nn.LeakyReLU(NegativeSlope)));
            layers.Add(("Rconv8", nn.Conv2d(widths.C512, widths.C512, 3, stride: 1, padding: 0L)));
            layers.Add(("Rrelu8", nn.LeakyReLU(NegativeSlope)));
            layers.Add(("deconv5", Up(widths.C512, widths.C256)));
        }
        else
        {
            _codeShape = [widths.Code];
            layers.Add(("defc7", nn.Linear(widths.Code, widths.Hidden)));
            layers.Add(("relu_defc7", nn.LeakyReLU(NegativeSlope)));
            layers.Add(("defc6", nn.Linear(widths.Hidden, widths.Hidden)));
            layers.Add(("relu_defc6", nn.LeakyReLU(NegativeSlope)));
            layers.Add(("defc5", nn.Linear(widths.Hidden, widths.Hidden)));
            layers.Add(("relu_defc5", nn.LeakyReLU(NegativeSlope)));
            layers.Add(("reshape", new UpconvReshape(widths.C256)));
            layers.Add(("deconv5", Up(widths.C256, widths.C256)));
        }

        layers.Add(("relu_deconv5", nn.LeakyReLU(NegativeSlope)));
        layers.Add(("conv5_1", Same(widths.C256, widths.C512)));
        layers.Add(("relu_conv5_1", nn.LeakyReLU(NegativeSlope)));
        layers.Add(("deconv4", Up(widths.C512, widths.C256)));
        layers.Add(("relu_deconv4", nn.LeakyReLU(NegativeSlope)));
        layers.Add(("conv4_1", Same(widths.C256, widths.C256)));
        layers.Add(("relu_conv4_1", nn.LeakyReLU(NegativeSlope)));
        layers.Add(("deconv3", Up(widths.C256, widths.C128)));
        layers.Add(("relu_deconv3", nn.LeakyReLU(NegativeSlope)));
        layers.Add(("conv3_1", Same(widths.C128, widths.C128)));
        layers.Add(("relu_conv3_1", nn.LeakyReLU(NegativeSlope)));
        layers.Add(("deconv2", Up(widths.C128, widths.C64)));
        layers.Add(("relu_deconv2", nn.LeakyReLU(NegativeSlope)));
        layers.Add(("deconv1", Up(widths.C64, widths.C32)));
        layers.Add(("relu_deconv1", nn.LeakyReLU(NegativeSlope)));
        layers.Add(("deconv0", Up(widths.C32, 3)));

        foreach (var (name, module) in layers)
        {
            register_module(name, module);
        }

        _layers = [.. layers.Select(l => l.Module)];
        if (options?.InitializationSeed is { } seed)
        {
            SeededInitialization.Reinitialize(this, seed);
        }

        foreach (var parameter in parameters())
        {
            parameter.requires_grad = false;
        }
    }

    /// <summary>Which generator this is.</summary>
    public UpconvGanVariant Variant { get; }

    /// <summary>
    /// The shape of one code, without the batch dimension: [4096] for fc6 and fc7, [1000] for fc8, [256, 6, 6] for
    /// pool5 (Lucent's <c>codelen</c> is its first entry). A new array on every call.
    /// </summary>
    public long[] CodeShape => (long[])_codeShape.Clone();

    /// <summary>The layer widths.</summary>
    internal UpconvGanWidths Widths { get; }

    /// <summary>Lucent's name of a variant: <c>fc6</c>, <c>fc7</c>, <c>fc8</c> or <c>pool5</c>.</summary>
    /// <param name="variant">The variant.</param>
    /// <returns>The name.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="variant"/> is not a defined value.</exception>
    public static string Name(UpconvGanVariant variant) => variant switch
    {
        UpconvGanVariant.Fc6 => "fc6",
        UpconvGanVariant.Fc7 => "fc7",
        UpconvGanVariant.Fc8 => "fc8",
        UpconvGanVariant.Pool5 => "pool5",
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, "Unknown upconvGAN variant; use Fc6, Fc7, Fc8 or Pool5."),
    };

    /// <summary>
    /// Runs the generator (Lucent's <c>forward</c>): the network's output with its BGR channels reversed to RGB,
    /// mean-subtracted, in 0..255 units (not clamped).
    /// </summary>
    /// <param name="input">Codes laid out (batch, <see cref="CodeShape"/>...), on the generator's device.</param>
    /// <returns>A (batch, 3, 256, 256) tensor; the caller owns it.</returns>
    /// <exception cref="ArgumentException"><paramref name="input"/> does not have the shape (batch, <see cref="CodeShape"/>...).</exception>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        RequireCodeShape(input);
        using var scope = torch.NewDisposeScope();
        var x = input;
        foreach (var layer in _layers)
        {
            x = layer.call(x);
        }

        return x.flip(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The generated images mapped to [0, 1] (Lucent's <c>visualize</c>): <see cref="forward"/>'s output plus the
    /// RGB mean (123, 117, 104), clamped to [0, 255], divided by 255 and multiplied by <paramref name="scale"/>.
    /// Differentiable with respect to <paramref name="code"/> wherever the clamp does not cut.
    /// </summary>
    /// <param name="code">Codes laid out (batch, <see cref="CodeShape"/>...), on the generator's device.</param>
    /// <param name="scale">A factor applied last (Lucent's <c>scale</c>, 1 by default).</param>
    /// <returns>A (batch, 3, 256, 256) tensor, values in [0, <paramref name="scale"/>]; the caller owns it.</returns>
    /// <exception cref="ArgumentException"><paramref name="code"/> does not have the shape (batch, <see cref="CodeShape"/>...).</exception>
    public Tensor Visualize(Tensor code, double scale = 1.0)
    {
        ArgumentNullException.ThrowIfNull(code);
        using var scope = torch.NewDisposeScope();
        var raw = forward(code);
        var mean = torch.tensor(RgbMean, dtype: raw.dtype, device: raw.device).view(1, 3, 1, 1);
        var image = raw.add(mean).clamp(0.0, 255.0).div(255.0);
        if (scale != 1.0)
        {
            image = image.mul(scale);
        }

        return image.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Copies a state dict (for example Lucent's <c>upconvGAN_fc6.pt</c>, read with
    /// <see cref="PyTorchCheckpoint.ReadStateDict(string, CheckpointReadOptions?)"/>) into the generator. Keys are
    /// Lucent's (<c>defc7.weight</c>, <c>deconv0.bias</c>, ...); a key with a <c>.1.</c> in it is read with <c>.</c>
    /// instead, the rename Lucent applies to files loaded from its <c>netsdir</c>. The weights stay frozen.
    /// </summary>
    /// <param name="stateDict">Tensors by name; not modified or disposed.</param>
    /// <param name="strict">When true (the default), any missing or unexpected key is an error.</param>
    /// <returns>The keys that were missing or unexpected (both empty in strict mode).</returns>
    /// <exception cref="StateDictMismatchException">Keys differ (strict mode) or any shape differs (for example a file
    /// of another variant); nothing was copied.</exception>
    public StateDictLoadResult LoadStateDict(IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        var renamed = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, value) in stateDict)
        {
            string name = key.Contains(".1.", StringComparison.Ordinal) ? key.Replace(".1.", ".", StringComparison.Ordinal) : key;
            if (!renamed.TryAdd(name, value))
            {
                throw new StateDictMismatchException(
                    $"The state dict holds both '{name}' and a key that reads as it once '.1.' is replaced by '.'; keep one of them.");
            }
        }

        return StateDictLoader.Load(this, renamed, strict);
    }

    /// <summary>Creates a generator and loads its weights from a PyTorch state dict file.</summary>
    /// <param name="variant">Which generator the file belongs to.</param>
    /// <param name="path">The <c>.pt</c>/<c>.pth</c> file (for example Lucent's <c>upconvGAN_fc6.pt</c>).</param>
    /// <param name="device">Where to put the generator; the CPU when null.</param>
    /// <returns>The generator in evaluation mode, weights frozen; the caller owns (disposes) it.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CheckpointFormatException">The file is not a readable state dict.</exception>
    /// <exception cref="StateDictMismatchException">The state dict does not belong to <paramref name="variant"/>.</exception>
    public static UpconvGenerator LoadFromFile(UpconvGanVariant variant, string path, Device? device = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Generator weights file '{Path.GetFullPath(path)}' does not exist.", path);
        }

        var generator = new UpconvGenerator(variant);
        try
        {
            using (var stateDict = PyTorchCheckpoint.ReadStateDict(path))
            {
                generator.LoadStateDict(stateDict);
            }

            generator.eval();
            if (device is not null && device.type != DeviceType.CPU)
            {
                generator.to(device);
            }

            return generator;
        }
        catch
        {
            generator.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates a generator with Lucent's pretrained weights (<see cref="UpconvGanWeights.For"/>), found or downloaded
    /// by the weight store.
    /// </summary>
    /// <param name="variant">Which generator.</param>
    /// <param name="options">Where the weights come from (<see cref="ModelLoadOptions.WeightsPath"/>,
    /// <see cref="ModelLoadOptions.WeightsUrl"/> for a mirror, <see cref="ModelLoadOptions.WeightStore"/>,
    /// <see cref="ModelLoadOptions.DownloadProgress"/>) and the
    /// <see cref="ModelLoadOptions.Device"/>; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels a download.</param>
    /// <returns>The generator in evaluation mode, weights frozen; the caller owns (disposes) it.</returns>
    /// <exception cref="WeightsUnavailableException">The weights cannot be found or downloaded; the message says which file to put where.</exception>
    /// <exception cref="StateDictMismatchException">The file found does not belong to <paramref name="variant"/>.</exception>
    public static async Task<UpconvGenerator> LoadPretrainedAsync(
        UpconvGanVariant variant,
        ModelLoadOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new ModelLoadOptions();
        var weights = options.From(UpconvGanWeights.For(variant));
        var store = new WeightStore(options.WeightStore);
        string path = await store.ResolveAsync(weights, options.WeightsPath, options.DownloadProgress, cancellationToken).ConfigureAwait(false);
        return LoadFromFile(variant, path, options.Device);
    }

    /// <summary>The number of weights of a generator with these widths.</summary>
    internal static long CountParameters(UpconvGanVariant variant, UpconvGanWidths w)
    {
        static long Conv(long input, long output, long kernel) => (input * output * kernel * kernel) + output;
        static long Linear(long input, long output) => (input * output) + output;
        long head = variant == UpconvGanVariant.Pool5
            ? Conv(w.Code, w.C512, 3) + (2 * Conv(w.C512, w.C512, 3)) + Conv(w.C512, w.C256, 4)
            : Linear(w.Code, w.Hidden) + (2 * Linear(w.Hidden, w.Hidden)) + Conv(w.C256, w.C256, 4);
        return head + Conv(w.C256, w.C512, 3) + Conv(w.C512, w.C256, 4) + Conv(w.C256, w.C256, 3) + Conv(w.C256, w.C128, 4)
            + Conv(w.C128, w.C128, 3) + Conv(w.C128, w.C64, 4) + Conv(w.C64, w.C32, 4) + Conv(w.C32, 3, 4);
    }

    private static nn.Module<Tensor, Tensor> Up(long input, long output) => nn.ConvTranspose2d(input, output, 4, stride: 2, padding: 1);

    private static nn.Module<Tensor, Tensor> Same(long input, long output) => nn.ConvTranspose2d(input, output, 3, stride: 1, padding: 1);

    private void RequireCodeShape(Tensor code)
    {
        bool matches = code.dim() == _codeShape.Length + 1 && code.shape.Skip(1).SequenceEqual(_codeShape);
        if (!matches)
        {
            throw new ArgumentException(
                $"The {Name(Variant)} generator takes codes laid out (batch, {string.Join(", ", _codeShape)}), but got [{string.Join(", ", code.shape)}]. "
                + "Reshape the code, or use the generator of the variant it belongs to.",
                nameof(code));
        }
    }
}
