using Lucent.Net.Devices;
using Lucent.Net.Parameterization;
using Lucent.Net.Transforms;
using Microsoft.Extensions.Logging;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.Rendering;

/// <summary>
/// Settings of one render (the arguments of Lucent's <c>render_vis</c>). Every property has
/// Lucent's default; see <c>docs/rendering.md</c>.
/// </summary>
public sealed record RenderOptions
{
    private readonly double? _learningRate;

    /// <summary>Lucent's default learning rate for Adam.</summary>
    public const double DefaultLearningRate = 0.05;

    /// <summary>Lucent's default image size.</summary>
    public const int DefaultImageSize = 128;

    /// <summary>MACO's learning rate (1.0, with NAdam), used for a MACO image when <see cref="LearningRate"/> is left at <see cref="DefaultLearningRate"/>.</summary>
    public const double MacoLearningRate = 1.0;

    /// <summary>Images smaller than this (in either side) are upsampled to it before the model, as in Lucent.</summary>
    public const int MinimumModelInputSize = ResizeTransform.DefaultMinimumModelInputSize;

    /// <summary>The largest width or height of the standard image (<see cref="ImageOptions"/> as <see cref="Parameterization"/>), in pixels.</summary>
    public const int MaxImageSize = 4096;

    /// <summary>The most images the standard image may hold (<see cref="ImageOptions.Batch"/>, or the objectives of a batch render).</summary>
    public const int MaxBatchSize = 1024;

    /// <summary>
    /// The most pixels the standard image may hold in all, width x height x batch (2^26: e.g. 1024 images of
    /// 256x256, or 4 of 4096x4096), so that the image, its gradients and the optimiser's state stay within a few GiB.
    /// </summary>
    public const long MaxImagePixels = 1L << 26;

    /// <summary>The largest side of <see cref="FixedImageSize"/>, in pixels (the largest resize, <see cref="ResizeTransform.MaxSize"/>).</summary>
    public const int MaxFixedImageSize = ResizeTransform.MaxSize;

    /// <summary>
    /// What makes the image (Lucent's <c>param_f</c>), the one door for it: <see cref="ImageOptions"/> for the standard
    /// image (the default, Lucent's <c>param.image(128)</c>: 128x128, FFT, colour decorrelation, sd 0.01, one image;
    /// <c>new ImageOptions(224) { Batch = 4 }</c>, or MACO's with <see cref="ImageOptions.Maco"/>), or any other
    /// parameterisation through <see cref="ParameterizationFactory.From(Func{Generator, IImageParameterization})"/>
    /// (<c>ParameterizationFactory.From(g =&gt; ImageParameterizations.Cppn(128, generator: g))</c>). The standard image
    /// is made on the render's device (its <see cref="ImageOptions.Device"/> is ignored). For
    /// <see cref="Renderer.RenderBatch"/> and <see cref="Renderer.RenderChannels"/> the batch is the number of
    /// objectives (leave <see cref="ImageOptions.Batch"/> at 1 or set it to that number; a custom factory must make that many).
    /// </summary>
    public ParameterizationFactory Parameterization { get; init; } = new ImageOptions(DefaultImageSize);

    /// <summary>
    /// These options with the standard image changed by <paramref name="change"/>, e.g.
    /// <c>options.WithImage(i =&gt; i with { Batch = 4 })</c> (what <c>options with { Image = options.Image with { ... } }</c>
    /// was before 0.1.0).
    /// </summary>
    /// <param name="change">Makes the new image options from the current ones.</param>
    /// <returns>The changed copy.</returns>
    /// <exception cref="InvalidRenderOptionsException"><see cref="Parameterization"/> is not <see cref="ImageOptions"/>.</exception>
    public RenderOptions WithImage(Func<ImageOptions, ImageOptions> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var image = Parameterization as ImageOptions ?? throw new InvalidRenderOptionsException(
            nameof(Parameterization),
            $"WithImage changes the standard image, but Parameterization is a custom factory ({Parameterization?.GetType().Name ?? "null"}); set Parameterization = new ImageOptions(...) instead.");
        return this with { Parameterization = change(image) ?? throw new ArgumentException("The change returned null image options.", nameof(change)) };
    }

    /// <summary>Makes the optimiser for the parameterisation's parameters. Null means Adam with learning rate <see cref="LearningRate"/>.</summary>
    public Func<IReadOnlyList<Parameter>, optim.Optimizer>? OptimizerFactory { get; init; }

    /// <summary>
    /// Whether the render steps the optimiser with a closure that re-evaluates the loss (Lucent's
    /// <c>optimizer.step(closure)</c>), as L-BFGS needs. Null (the default) means: for optimisers that
    /// cannot step without one (TorchSharp's <c>optim.LBFGS</c>). With a closure, every evaluation draws new
    /// random transforms, as Lucent's closure does; the loss recorded for a step is its first evaluation's.
    /// </summary>
    public bool? OptimizerNeedsClosure { get; init; }

    /// <summary>
    /// Learning rate of the default optimiser: Adam at 0.05, or for a MACO image NAdam at <see cref="MacoLearningRate"/>
    /// unless set (any value set, 0.05 included, is used as given).
    /// </summary>
    public double LearningRate
    {
        get => _learningRate ?? DefaultLearningRate;
        init => _learningRate = value;
    }

    /// <summary>Whether <see cref="LearningRate"/> was set (not left at the default of the parameterisation).</summary>
    internal bool LearningRateSet => _learningRate is not null;

    /// <summary>The transforms applied to the image on every step, in order. Null means Lucent's standard transforms; empty means none.</summary>
    public IReadOnlyList<IImageTransform>? Transforms { get; init; }

    /// <summary>
    /// How many optimisation steps the render runs (Lucent's loop runs to <c>max(thresholds)</c>). Positive. When left
    /// unset it is the largest of <see cref="Thresholds"/> (512 by default); when set, the image after the last step is
    /// always recorded, and every threshold set with it must be at most this (<see cref="Validate"/> throws
    /// <see cref="InvalidRenderOptionsException"/> otherwise). <c>new RenderOptions { Steps = 256 }</c> is
    /// <c>Thresholds = [256]</c>; <c>{ Steps = 256, Thresholds = [64, 128] }</c> records at 64, 128 and 256.
    /// </summary>
    public int Steps
    {
        get => _steps ?? (Thresholds.Count == 0 ? 0 : Thresholds[^1]);
        init => _steps = value;
    }

    private readonly int? _steps;

    /// <summary>
    /// The steps at which the image is recorded (Lucent's <c>thresholds</c>, default (512,)). Positive; in any
    /// order and with duplicates, as Lucent accepts them (its loop runs to <c>max(thresholds)</c> and records
    /// when <c>i in thresholds</c>): the value read back is sorted with duplicates removed, so each step is
    /// recorded once, and holds <see cref="Steps"/> when that was set (the final image is always recorded).
    /// Left unset, it is <c>[Steps]</c> when <see cref="Steps"/> is set, else <c>[512]</c>.
    /// </summary>
    public IReadOnlyList<int> Thresholds
    {
        get => _thresholds is null
            ? (_steps is { } steps ? [steps] : DefaultThresholds)
            : (_steps is { } last && (_thresholds.Count == 0 || _thresholds[^1] < last) ? [.. _thresholds, last] : _thresholds);
        init => _thresholds = value is null ? null : NormalizeThresholds(value);
    }

    /// <summary>Lucent's default: one image after 512 steps.</summary>
    private static readonly IReadOnlyList<int> DefaultThresholds = [512];

    private readonly IReadOnlyList<int>? _thresholds;

    /// <summary>Sorts <paramref name="thresholds"/> and removes duplicates (what <see cref="Thresholds"/> stores).</summary>
    /// <param name="thresholds">Step numbers in any order.</param>
    /// <returns>The distinct step numbers in increasing order.</returns>
    public static IReadOnlyList<int> NormalizeThresholds(IEnumerable<int> thresholds)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        var sorted = new SortedSet<int>(thresholds);
        return [.. sorted];
    }

    /// <summary>Whether to append the model's preprocessing after the transforms (Lucent's <c>preprocess</c>, default on).</summary>
    public bool Preprocess { get; init; } = true;

    /// <summary>
    /// Preprocessing to use instead of the model's own. Null means: the model's
    /// <see cref="IPreprocessingProvider.Preprocessing"/> if it has one, else ImageNet normalisation.
    /// </summary>
    public IImageTransform? Preprocessing { get; init; }

    /// <summary>
    /// Resize the transformed image to this (height, width) before the model (Lucent's
    /// <c>fixed_image_size</c>). Null means: the model's own input size when it declares a fixed one
    /// (<see cref="Lucent.Net.Modules.IModelInputSize"/>, e.g. an ONNX graph with a fixed height and width), else
    /// upsample to 224x224 when smaller than 224 in either side.
    /// </summary>
    public (int Height, int Width)? FixedImageSize { get; init; }

    /// <summary>The seed of the render's generator: parameter initialisation and every random transform. Same seed, same image.</summary>
    public long Seed { get; init; }

    /// <summary>Freeze the model's parameters during the render (restored afterwards). Lucent leaves them trainable; freezing gives the same images faster.</summary>
    public bool FreezeModel { get; init; } = true;

    /// <summary>
    /// Stop the forward pass once every layer the objective needs is computed; and where the objective reads
    /// named channels of one layer of a model that can prune (<see cref="Activations.IPrunableModel"/>, e.g.
    /// InceptionV1's mixed layers), skip the branches that feed only that layer's other channels. Same images.
    /// </summary>
    public bool StopForwardEarly { get; init; } = true;

    /// <summary>
    /// The device the render runs on. Null (the default) means the device of the model's parameters (of its
    /// buffers for parameterless graphs; the CPU for neither). When set, the model must already be there:
    /// a model on another device gets a <see cref="DeviceMismatchException"/> naming both. The default
    /// parameterisation is made on this device; a custom <see cref="Parameterization"/> must make its
    /// parameters there too (pass it <c>device:</c>). Images come back to the CPU only when recorded.
    /// See <c>docs/gpu.md</c>.
    /// </summary>
    public Device? Device { get; init; }

    /// <summary>Where to log the render's start, warnings and end. Null logs nothing.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>
    /// For <see cref="Renderer.RenderBatch"/> and <see cref="Renderer.RenderChannels"/>: how many images go
    /// through the model per forward and backward pass within one step. Every step still transforms and
    /// optimises the whole batch at once, and each image's objective sees only its own activations, so the
    /// images do not depend on it beyond float rounding. Null (the default) uses, on the CPU, the size measured to
    /// be fastest for this workload on this machine: the whole batch, 1, 2 or 4, timed on the first step of the
    /// first render of the workload (model, layers, input size, batch), cached beside the kernel verdict and kept
    /// for the rest of the process (<see cref="RenderResult.MicroBatchTuning"/> and <see cref="Runtime.LucentRuntime.Tuning"/> show the choice); with
    /// <c>LUCENT_NET_TUNING=off</c> one image at a time with LibTorch's own convolution kernels and the whole
    /// batch with oneDNN. The measurement does not change the render's images: they are those of a render with
    /// the chosen size set here. A value set here always wins. See docs/performance.md, "Measured defaults".
    /// Objectives that read the <c>input</c> or <c>labels</c> layer always run on the whole batch.
    /// </summary>
    public int? MicroBatchSize { get; init; }

    /// <summary>
    /// Whether to accumulate MACO's transparency map, the sum over steps of the absolute gradient of the loss
    /// with respect to the image (<see cref="RenderResult.Transparency"/>); <see langword="null"/> (the default)
    /// means on for MACO images (<see cref="ImageOptions.Maco"/> or any <see cref="MacoParameterization"/>) and off
    /// otherwise. Not recorded for optimisers that need a closure (L-BFGS).
    /// </summary>
    public bool? TransparencyMap { get; init; }

    /// <summary>
    /// Checks the options and throws <see cref="InvalidRenderOptionsException"/> naming the bad setting: among others,
    /// the standard image within <see cref="MaxImageSize"/>, <see cref="MaxBatchSize"/> and <see cref="MaxImagePixels"/>,
    /// <see cref="FixedImageSize"/> within <see cref="MaxFixedImageSize"/>, and (for the standard image) transforms that
    /// never make an image over <see cref="TransformPipeline.MaxImageSide"/> pixels a side.
    /// </summary>
    public void Validate()
    {
        if (_steps is < 1)
        {
            throw new InvalidRenderOptionsException(nameof(Steps), $"Steps must be at least 1; got {_steps}.");
        }

        if (_thresholds is not null && _thresholds.Count == 0 && _steps is null)
        {
            throw new InvalidRenderOptionsException(nameof(Thresholds), "Thresholds must hold at least one step number, e.g. [256] or [64, 128, 256] (or set Steps).");
        }

        var thresholds = Thresholds;
        for (int i = 0; i < thresholds.Count; i++)
        {
            if (thresholds[i] < 1)
            {
                throw new InvalidRenderOptionsException(nameof(Thresholds), $"Thresholds must be positive step numbers; got {thresholds[i]} at position {i}.");
            }
        }

        if (_steps is { } steps && _thresholds is { Count: > 0 } set && set[^1] > steps)
        {
            throw new InvalidRenderOptionsException(nameof(Thresholds), Invariant(
                $"Thresholds holds step {set[^1]}, after the last step (Steps is {steps}): a render records images only at steps it runs. Raise Steps to at least {set[^1]}, drop the later thresholds, or leave Steps unset (the render then runs to the largest threshold)."));
        }

        if (MicroBatchSize is < 1)
        {
            throw new InvalidRenderOptionsException(nameof(MicroBatchSize), $"MicroBatchSize must be at least 1 (or null for the size measured on this machine); got {MicroBatchSize}.");
        }

        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
        {
            throw new InvalidRenderOptionsException(nameof(LearningRate), $"LearningRate must be a positive finite number; got {LearningRate}.");
        }

        if (Parameterization is null)
        {
            throw new InvalidRenderOptionsException(nameof(Parameterization), "Parameterization must make the image (e.g. new ImageOptions(128), the default); it is null.");
        }

        if (Parameterization is ImageOptions image)
        {
            ValidateImage(image);
        }

        if (FixedImageSize is { } size && (size.Height < 1 || size.Width < 1))
        {
            throw new InvalidRenderOptionsException(nameof(FixedImageSize), $"FixedImageSize must be at least 1x1; got {size.Height}x{size.Width}.");
        }

        if (FixedImageSize is { } fixedSize && (fixedSize.Height > MaxFixedImageSize || fixedSize.Width > MaxFixedImageSize))
        {
            throw new InvalidRenderOptionsException(nameof(FixedImageSize), Invariant($"FixedImageSize must be at most {MaxFixedImageSize}x{MaxFixedImageSize} (RenderOptions.MaxFixedImageSize); got {fixedSize.Height}x{fixedSize.Width}."));
        }

        if (Parameterization is ImageOptions standard)
        {
            CheckTransformedSize(Transforms ?? RenderDefaults.StandardTransforms, standard.EffectiveHeight, standard.Width, "the standard image");
        }
    }

    /// <summary>The standard image's bounds (<see cref="MaxImageSize"/>, <see cref="MaxBatchSize"/>, <see cref="MaxImagePixels"/>) and MACO's settings.</summary>
    private static void ValidateImage(ImageOptions image)
    {
        if (image.Width < 1 || image.EffectiveHeight < 1)
        {
            throw new InvalidRenderOptionsException(nameof(Parameterization), $"The image must be at least 1x1 pixels; got {image.Width}x{image.EffectiveHeight}.");
        }

        if (image.Width > MaxImageSize || image.EffectiveHeight > MaxImageSize)
        {
            throw new InvalidRenderOptionsException(nameof(Parameterization), Invariant($"The image must be at most {MaxImageSize}x{MaxImageSize} pixels (RenderOptions.MaxImageSize); got {image.Width}x{image.EffectiveHeight}."));
        }

        if (image.Maco && (image.Alpha || image.Channels is not null || !image.Fft))
        {
            throw new InvalidRenderOptionsException(nameof(Parameterization), "ImageOptions.Maco makes a MACO image (fixed magnitude spectrum, optimised phase, the spectrum's channels); leave Alpha, Channels and Fft at their defaults with it.");
        }

        if (image.Batch < 1)
        {
            throw new InvalidRenderOptionsException(nameof(Parameterization), $"ImageOptions.Batch must be at least 1; got {image.Batch}.");
        }

        if (image.Batch > MaxBatchSize)
        {
            throw new InvalidRenderOptionsException(nameof(Parameterization), Invariant($"ImageOptions.Batch (the number of images rendered together) must be at most {MaxBatchSize} (RenderOptions.MaxBatchSize); got {image.Batch}. Render them in several batches."));
        }

        long pixels = (long)image.Width * image.EffectiveHeight * image.Batch;
        if (pixels > MaxImagePixels)
        {
            throw new InvalidRenderOptionsException(nameof(Parameterization), Invariant(
                $"The image options hold {image.Batch} image(s) of {image.Width}x{image.EffectiveHeight}, {pixels} pixels in all; at most {MaxImagePixels} (RenderOptions.MaxImagePixels, width x height x batch). Use smaller images or fewer per batch."));
        }
    }

    /// <summary>
    /// Throws <see cref="InvalidRenderOptionsException"/> for <see cref="Transforms"/> when the transforms could make an
    /// image larger than <see cref="TransformPipeline.MaxImageSide"/> a side from <paramref name="height"/> x <paramref name="width"/>.
    /// </summary>
    internal static void CheckTransformedSize(IReadOnlyList<IImageTransform> transforms, long height, long width, string what)
    {
        if (TransformPipeline.FirstOverLimit(transforms, height, width, TransformPipeline.MaxImageSide) is { } over)
        {
            throw new InvalidRenderOptionsException(nameof(Transforms), Invariant(
                $"The transforms could make images of up to {over.Height}x{over.Width} pixels from {what} ({height}x{width}), at the step {over.Step.Name}; at most {TransformPipeline.MaxImageSide} pixels a side (TransformPipeline.MaxImageSide). Use smaller pads, scales or resizes, fewer of them, or a smaller image."));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A render option has a value that cannot work; the message names the option and the fix.</summary>
public sealed class InvalidRenderOptionsException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public InvalidRenderOptionsException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong.</param>
    public InvalidRenderOptionsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public InvalidRenderOptionsException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for one option.</summary>
    /// <param name="option">The option's name.</param>
    /// <param name="message">What was wrong and how to fix it.</param>
    public InvalidRenderOptionsException(string option, string message)
        : base(message, option)
    {
    }

    /// <summary>Creates the exception for one option, with the cause.</summary>
    /// <param name="option">The option's name.</param>
    /// <param name="message">What was wrong and how to fix it.</param>
    /// <param name="innerException">The cause, e.g. a transform's own exception.</param>
    public InvalidRenderOptionsException(string option, string message, Exception? innerException)
        : base(message, option, innerException)
    {
    }
}
