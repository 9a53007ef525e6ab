using Lucent.Net.Rendering;

namespace Lucent.Net.DependencyInjection;

/// <summary>
/// Defaults for every render made through <see cref="IFeatureRenderer"/>, bound from the
/// configuration section <c>Lucent</c> (see <c>docs/configuration.md</c>) and validated at
/// startup. Each property has Lucent's default.
/// </summary>
public sealed class LucentOptions
{
    /// <summary>The configuration section the options are read from by default.</summary>
    public const string SectionName = "Lucent";

    /// <summary>The name of the built-in pipeline holding Lucent's standard transforms.</summary>
    public const string StandardPipeline = "standard";

    /// <summary>The name of the built-in empty pipeline (no transforms).</summary>
    public const string NoTransformsPipeline = "none";

    /// <summary>Optimisation steps when <see cref="Thresholds"/> is not set (Lucent's 512).</summary>
    public int Steps { get; set; } = 512;

    /// <summary>The steps at which images are recorded, in any order (duplicates count once); the largest is the number of steps. Null means <c>[Steps]</c>.</summary>
    public IList<int>? Thresholds { get; set; }

    /// <summary>Width and height of the parameterised image in pixels (Lucent's 128).</summary>
    public int ImageSize { get; set; } = RenderOptions.DefaultImageSize;

    /// <summary>Images rendered at once (Lucent's batch, 1).</summary>
    public int BatchSize { get; set; } = 1;

    /// <summary>Learning rate of Adam (Lucent's 0.05).</summary>
    public double LearningRate { get; set; } = RenderOptions.DefaultLearningRate;

    /// <summary>Seed of every render: the initial image and the random transforms.</summary>
    public long Seed { get; set; }

    /// <summary>Whether the image is parameterised in the Fourier basis (Lucent's default, true).</summary>
    public bool Fft { get; set; } = true;

    /// <summary>Whether colours are decorrelated (Lucent's default, true).</summary>
    public bool Decorrelate { get; set; } = true;

    /// <summary>
    /// Whether images have an alpha channel (false; Lucid's <c>image(..., alpha=True)</c>): RGBA images, composited
    /// over a random background before the model on every step, saved as RGBA PNGs (<c>ImageOptions.Alpha</c>).
    /// </summary>
    public bool Alpha { get; set; }

    /// <summary>Whether the model's preprocessing (or ImageNet normalisation) is applied after the transforms (true).</summary>
    public bool Preprocess { get; set; } = true;

    /// <summary>
    /// Resize the transformed image to this square size before the model (Lucent's
    /// <c>fixed_image_size</c>). Null means Lucent's rule: images smaller than 224 are upsampled to 224.
    /// </summary>
    public int? ModelInputSize { get; set; }

    /// <summary>The transform pipeline used when a render names none (<see cref="StandardPipeline"/>).</summary>
    public string DefaultPipeline { get; set; } = StandardPipeline;

    /// <summary>Log the loss every this many steps at Information level; 0 turns progress logging off.</summary>
    public int ProgressLogInterval { get; set; } = 50;

    /// <summary>
    /// Where the model zoo's models are put, and so where renders run: <c>auto</c> (CUDA when TorchSharp has it, else
    /// the CPU), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>. Null means the CPU, as before. <c>cuda</c> needs the
    /// app built with the CUDA backend (<c>docs/gpu.md</c>); validation fails at startup when it is not available.
    /// </summary>
    public string? Device { get; set; }

    /// <summary>Where model weights are stored and downloaded to; null means the model zoo's default folder.</summary>
    public string? WeightsFolder { get; set; }

    /// <summary>
    /// Named transform pipelines declared as lists of transform specs. A pipeline declared here
    /// replaces a pipeline of the same name registered in code or built in.
    /// </summary>
    public IDictionary<string, IList<TransformSpec>> Pipelines { get; } = new Dictionary<string, IList<TransformSpec>>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The configuration path of these options, used in validation messages (e.g. <c>Lucent</c>).</summary>
    public string SectionPath { get; set; } = SectionName;

    /// <summary>Problems met while reading configuration (values that are not numbers, unknown keys); reported at validation.</summary>
    internal List<string> BindingErrors { get; } = [];

    /// <summary>The thresholds a render uses: <see cref="Thresholds"/>, or <c>[Steps]</c>.</summary>
    /// <returns>The thresholds.</returns>
    public IReadOnlyList<int> GetEffectiveThresholds() =>
        Thresholds is { Count: > 0 } thresholds ? thresholds.ToArray() : [Steps];
}
