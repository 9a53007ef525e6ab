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
    /// <summary>Lucent's default learning rate for Adam.</summary>
    public const double DefaultLearningRate = 0.05;

    /// <summary>Lucent's default image size.</summary>
    public const int DefaultImageSize = 128;

    /// <summary>MACO's learning rate (1.0, with NAdam), used for a MACO image when <see cref="LearningRate"/> is left at <see cref="DefaultLearningRate"/>.</summary>
    public const double MacoLearningRate = 1.0;

    /// <summary>Images smaller than this (in either side) are upsampled to it before the model, as in Lucent.</summary>
    public const int MinimumModelInputSize = ResizeTransform.DefaultMinimumModelInputSize;

    /// <summary>
    /// Makes the image parameterisation from the render's seeded generator (Lucent's <c>param_f</c>).
    /// Null means the standard image that <see cref="Image"/> describes.
    /// </summary>
    public Func<Generator, IImageParameterization>? Parameterization { get; init; }

    /// <summary>
    /// The standard image a render makes when <see cref="Parameterization"/> is null (Lucent's default
    /// <c>param.image(128)</c>: 128x128, FFT, colour decorrelation, sd 0.01, one image). Its
    /// <see cref="ImageOptions.Device"/> is ignored: the image is made on the render's device. For
    /// <see cref="Renderer.RenderBatch"/> and <see cref="Renderer.RenderChannels"/> the batch is the number of
    /// objectives (leave <see cref="ImageOptions.Batch"/> at 1 or set it to that number).
    /// </summary>
    public ImageOptions Image { get; init; } = new(DefaultImageSize);

    /// <summary>Makes the optimiser for the parameterisation's parameters. Null means Adam with learning rate <see cref="LearningRate"/>.</summary>
    public Func<IReadOnlyList<Parameter>, optim.Optimizer>? OptimizerFactory { get; init; }

    /// <summary>
    /// Whether the render steps the optimiser with a closure that re-evaluates the loss (Lucent's
    /// <c>optimizer.step(closure)</c>), as L-BFGS needs. Null (the default) means: for optimisers that
    /// cannot step without one (TorchSharp's <c>optim.LBFGS</c>). With a closure, every evaluation draws new
    /// random transforms, as Lucent's closure does; the loss recorded for a step is its first evaluation's.
    /// </summary>
    public bool? OptimizerNeedsClosure { get; init; }

    /// <summary>Learning rate of the default Adam optimiser (0.05).</summary>
    public double LearningRate { get; init; } = DefaultLearningRate;

    /// <summary>The transforms applied to the image on every step, in order. Null means Lucent's standard transforms; empty means none.</summary>
    public IReadOnlyList<IImageTransform>? Transforms { get; init; }

    /// <summary>
    /// The steps at which the image is recorded (Lucent's <c>thresholds</c>, default (512,)). Positive; in any
    /// order and with duplicates, as Lucent accepts them (its loop runs to <c>max(thresholds)</c> and records
    /// when <c>i in thresholds</c>): the value read back is sorted with duplicates removed, so each step is
    /// recorded once and <see cref="Steps"/> is the largest.
    /// </summary>
    public IReadOnlyList<int> Thresholds
    {
        get => _thresholds;
        init => _thresholds = value is null ? null! : NormalizeThresholds(value);
    }

    private readonly IReadOnlyList<int> _thresholds = [512];

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
    /// <c>fixed_image_size</c>). Null means: upsample to 224x224 when smaller than 224 in either side.
    /// </summary>
    public (int Height, int Width)? FixedImageSize { get; init; }

    /// <summary>The seed of the render's generator: parameter initialisation and every random transform. Same seed, same image.</summary>
    public long Seed { get; init; }

    /// <summary>Freeze the model's parameters during the render (restored afterwards). Lucent leaves them trainable; freezing gives the same images faster.</summary>
    public bool FreezeModel { get; init; } = true;

    /// <summary>Stop the forward pass once every layer the objective needs is computed.</summary>
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
    /// images do not depend on it beyond float rounding. Null (the default) chooses by the kernels in use
    /// (<see cref="Runtime.LucentRuntime.Kernels"/>): one image at a time with LibTorch's own convolution
    /// kernels, which compute image by image anyway and lose 3x per image at batch 10 to the larger working
    /// set (AMD Zen 5, docs/performance.md); the whole batch with oneDNN, which gains from batching.
    /// Objectives that read the <c>input</c> or <c>labels</c> layer always run on the whole batch.
    /// </summary>
    public int? MicroBatchSize { get; init; }

    /// <summary>
    /// Whether to accumulate MACO's transparency map, the sum over steps of the absolute gradient of the loss
    /// with respect to the image (<see cref="RenderResult.Transparency"/>); <see langword="null"/> (the default)
    /// means on for MACO images (<see cref="ImageOptions.Maco"/> or a <see cref="MacoParameterization"/>) and off
    /// otherwise. Not recorded for optimisers that need a closure (L-BFGS).
    /// </summary>
    public bool? TransparencyMap { get; init; }

    /// <summary>The largest threshold: how many steps the render runs.</summary>
    public int Steps => Thresholds.Count == 0 ? 0 : Thresholds[^1];

    /// <summary>Checks the options and throws <see cref="InvalidRenderOptionsException"/> naming the bad setting.</summary>
    public void Validate()
    {
        if (Thresholds is null || Thresholds.Count == 0)
        {
            throw new InvalidRenderOptionsException(nameof(Thresholds), "Thresholds must hold at least one step number, e.g. [256] or [64, 128, 256].");
        }

        for (int i = 0; i < Thresholds.Count; i++)
        {
            if (Thresholds[i] < 1)
            {
                throw new InvalidRenderOptionsException(nameof(Thresholds), $"Thresholds must be positive step numbers; got {Thresholds[i]} at position {i}.");
            }
        }

        if (MicroBatchSize is < 1)
        {
            throw new InvalidRenderOptionsException(nameof(MicroBatchSize), $"MicroBatchSize must be at least 1 (or null to choose by the kernels in use); got {MicroBatchSize}.");
        }

        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
        {
            throw new InvalidRenderOptionsException(nameof(LearningRate), $"LearningRate must be a positive finite number; got {LearningRate}.");
        }

        if (Image is null)
        {
            throw new InvalidRenderOptionsException(nameof(Image), "Image must describe the standard image (e.g. new ImageOptions(128)); it is null.");
        }

        if (Image.Width < 1 || Image.EffectiveHeight < 1)
        {
            throw new InvalidRenderOptionsException(nameof(Image), $"Image must be at least 1x1 pixels; got {Image.Width}x{Image.EffectiveHeight}.");
        }

        if (Image.Maco && (Image.Alpha || Image.Channels is not null || !Image.Fft))
        {
            throw new InvalidRenderOptionsException(nameof(Image), "Image.Maco makes a MACO image (fixed magnitude spectrum, optimised phase, the spectrum's channels); leave Alpha, Channels and Fft at their defaults with it.");
        }

        if (Image.Batch < 1)
        {
            throw new InvalidRenderOptionsException(nameof(Image), $"Image.Batch must be at least 1; got {Image.Batch}.");
        }

        if (FixedImageSize is { } size && (size.Height < 1 || size.Width < 1))
        {
            throw new InvalidRenderOptionsException(nameof(FixedImageSize), $"FixedImageSize must be at least 1x1; got {size.Height}x{size.Width}.");
        }
    }
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
}
