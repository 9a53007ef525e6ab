using Lucent.Net.Rendering;

namespace Lucent.Net.DependencyInjection;

/// <summary>
/// The settings of the Lucent services, bound from the configuration section <c>Lucent</c> (see
/// <c>docs/configuration.md</c>) and validated at startup: the core's <see cref="RenderOptions"/> every render
/// starts from (<see cref="Render"/>), and what only a host has: named pipelines, the device and weights folder
/// of the model zoo, progress logging.
/// </summary>
public sealed class LucentOptions
{
    /// <summary>The configuration section the options are read from by default.</summary>
    public const string SectionName = "Lucent";

    /// <summary>The name of the built-in pipeline holding Lucent's standard transforms.</summary>
    public const string StandardPipeline = "standard";

    /// <summary>The name of the built-in empty pipeline (no transforms).</summary>
    public const string NoTransformsPipeline = "none";

    /// <summary>
    /// The render settings every render through <see cref="IFeatureRenderer"/> starts from: the core's own
    /// <see cref="RenderOptions"/> (Lucent's defaults), bound from the section's keys (<c>Steps</c>, <c>Thresholds</c>,
    /// <c>ImageSize</c>, <c>BatchSize</c>, <c>LearningRate</c>, <c>Seed</c>, <c>Fft</c>, <c>Decorrelate</c>, <c>Alpha</c>,
    /// <c>Maco</c>, <c>Preprocess</c>, <c>InputNormalization</c> (as <see cref="RenderOptions.Preprocessing"/>), <c>FixedImageSize</c>, <c>FreezeModel</c>,
    /// <c>StopForwardEarly</c>, <c>MicroBatchSize</c>;
    /// <c>docs/configuration.md</c>). Its <see cref="RenderOptions.Transforms"/> left null means the
    /// <see cref="DefaultPipeline"/>. Change it in code with <c>with</c>:
    /// <c>o.Render = o.Render.WithImage(i =&gt; i with { Batch = 4 }) with { Seed = 3 }</c>.
    /// </summary>
    public RenderOptions Render { get; set; } = new();

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

    /// <summary>
    /// The key <see cref="RenderOptions.FixedImageSize"/> was read from: <c>FixedImageSize</c>, or <c>ModelInputSize</c>
    /// (its name before 0.1.0) when only that one is set; validation messages name it.
    /// </summary>
    internal string FixedImageSizeKey { get; set; } = "FixedImageSize";

    /// <summary>Problems met while reading configuration (values that are not numbers, unknown keys); reported at validation.</summary>
    internal List<string> BindingErrors { get; } = [];
}
