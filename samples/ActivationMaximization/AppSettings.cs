namespace ActivationMaximization;

/// <summary>What to run.</summary>
public enum AppCommand
{
    /// <summary>Channels 0-9 of mixed4a.</summary>
    Part1,

    /// <summary>Four parameterisations of mixed4a:5 without transforms.</summary>
    Part2,

    /// <summary>No transforms, jitter 8 and the standard transforms on mixed4a:5.</summary>
    Part3,

    /// <summary>Channel 3 of conv2d2, mixed3a, mixed4a and mixed5a.</summary>
    Part4,

    /// <summary>The four parts in one run (the default).</summary>
    All,

    /// <summary>List the model's layers with their output shapes.</summary>
    Layers,
}

/// <summary>The parsed command line.</summary>
public sealed record AppSettings
{
    /// <summary>The default number of optimisation steps (the tutorial's <c>thresholds=(256,)</c>).</summary>
    public const int DefaultSteps = 256;

    /// <summary>The default image size (Lucent's <c>param.image(128)</c>).</summary>
    public const int DefaultSize = 128;

    /// <summary>Steps used by <c>--quick</c> unless <c>--steps</c> is given.</summary>
    public const int QuickSteps = 8;

    /// <summary>Image size used by <c>--quick</c> unless <c>--size</c> is given.</summary>
    public const int QuickSize = 64;

    /// <summary>The default output folder.</summary>
    public static readonly string DefaultOutput = Path.Combine("artifacts", "activation-maximization");

    /// <summary>The command.</summary>
    public AppCommand Command { get; init; } = AppCommand.All;

    /// <summary>The model asked for; <see langword="null"/> means InceptionV1 with a fallback to ResNet-18.</summary>
    public ModelKind? Model { get; init; }

    /// <summary>A weights file: InceptionV1's <c>inception5h.pth</c>, or ResNet-18's <c>ResNet18.onnx</c>.</summary>
    public string? Weights { get; init; }

    /// <summary>Optimisation steps per rendering.</summary>
    public int Steps { get; init; } = DefaultSteps;

    /// <summary>Image size in pixels (square).</summary>
    public int Size { get; init; } = DefaultSize;

    /// <summary>
    /// Resize images to this size before the model; null for Lucent's rule (upsample to 224x224 when smaller).
    /// <c>--quick</c> sets it to the image size so that a smoke run is cheap.
    /// </summary>
    public int? InputSize { get; init; }

    /// <summary>The seed of every rendering and measurement.</summary>
    public long Seed { get; init; }

    /// <summary>Where the images, figures, results.json and report.html go.</summary>
    public string OutputDirectory { get; init; } = DefaultOutput;

    /// <summary>Whether <c>--quick</c> was given.</summary>
    public bool Quick { get; init; }

    /// <summary>Plain progress lines instead of the live display.</summary>
    public bool NoProgress { get; init; }

    /// <summary>Allow InceptionV1 with random weights when its pretrained weights are missing (tests and benchmarks only).</summary>
    public bool AllowRandomWeights { get; init; }

    /// <summary>Never download weights.</summary>
    public bool NoDownload { get; init; }

    /// <summary>Where to render: <c>auto</c> (CUDA when available), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (docs/gpu.md).</summary>
    public string Device { get; init; } = Lucent.Net.Devices.TorchDevices.Auto;

    /// <summary>Run the model in bfloat16 (faster on CPUs with AMX or avx512_bf16; images stay float32).</summary>
    public bool BFloat16 { get; init; }

    /// <summary>The tutorial parts this command runs.</summary>
    public IReadOnlyList<int> Parts => Command switch
    {
        AppCommand.Part1 => [1],
        AppCommand.Part2 => [2],
        AppCommand.Part3 => [3],
        AppCommand.Part4 => [4],
        AppCommand.All => [1, 2, 3, 4],
        _ => [],
    };
}
