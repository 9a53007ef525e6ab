using System.Text.Json.Serialization;

namespace ActivationMaximization;

/// <summary>The contents of results.json.</summary>
public sealed record RunResults
{
    /// <summary>Format version of this file.</summary>
    public int SchemaVersion { get; init; } = 1;

    /// <summary>When the run ended (UTC, ISO 8601).</summary>
    public required string CreatedUtc { get; init; }

    /// <summary>The model used.</summary>
    public required ModelInfo Model { get; init; }

    /// <summary>The settings.</summary>
    public required SettingsInfo Settings { get; init; }

    /// <summary>Tutorial layer to model layer.</summary>
    public required IReadOnlyList<LayerMap> LayerMapping { get; init; }

    /// <summary>The parts run.</summary>
    public required IReadOnlyList<PartInfo> Parts { get; init; }

    /// <summary>Every rendered image.</summary>
    public required IReadOnlyList<ImageInfo> Images { get; init; }

    /// <summary>The tutorial's claims as numbers.</summary>
    public required IReadOnlyList<ClaimInfo> Claims { get; init; }

    /// <summary>Seconds spent loading the model.</summary>
    public double ModelLoadSeconds { get; init; }

    /// <summary>Seconds of the whole run.</summary>
    public double TotalSeconds { get; init; }
}

/// <summary>The model of a run.</summary>
/// <param name="Kind">inceptionv1 or resnet18.</param>
/// <param name="Description">Readable name.</param>
/// <param name="Weights">Where the weights came from.</param>
/// <param name="Pretrained">False only with --allow-random-weights.</param>
/// <param name="FallbackReason">Why InceptionV1 was not used; null when it was, or when ResNet-18 was asked for.</param>
public sealed record ModelInfo(string Kind, string Description, string Weights, bool Pretrained, string? FallbackReason);

/// <summary>The settings of a run.</summary>
/// <param name="Command">The command.</param>
/// <param name="Steps">Steps per image.</param>
/// <param name="Size">Image size.</param>
/// <param name="ModelInputSize">Size the model sees (224 by Lucent's rule unless --input-size or --quick).</param>
/// <param name="Seed">Seed.</param>
/// <param name="Quick">Whether --quick was given.</param>
/// <param name="Optimizer">The optimiser.</param>
/// <param name="ObjectiveValue">What the objective values mean.</param>
/// <param name="HighFrequencyCutoff">Cycles per pixel above which energy counts as high-frequency.</param>
/// <param name="Robustness">How robustness is measured.</param>
public sealed record SettingsInfo(string Command, int Steps, int Size, int ModelInputSize, long Seed, bool Quick, string Optimizer, string ObjectiveValue, double HighFrequencyCutoff, string Robustness);

/// <summary>One part of a run.</summary>
/// <param name="Number">1 to 4.</param>
/// <param name="Title">Figure title.</param>
/// <param name="Figure">Figure file, relative to the output folder.</param>
/// <param name="Rows">Figure rows.</param>
/// <param name="Columns">Figure columns.</param>
/// <param name="Seconds">Time spent on the part (renders and measurements).</param>
/// <param name="ImageIds">The part's images, in figure order.</param>
public sealed record PartInfo(int Number, string Title, string Figure, int Rows, int Columns, double Seconds, IReadOnlyList<string> ImageIds);

/// <summary>Robustness of an image to random transforms.</summary>
/// <param name="Untransformed">The objective on the plain final image.</param>
/// <param name="TransformedMean">The objective averaged over the random transforms.</param>
/// <param name="Ratio">TransformedMean / Untransformed.</param>
public sealed record RobustnessInfo(double Untransformed, double TransformedMean, double Ratio);

/// <summary>One rendered image and its measurements.</summary>
public sealed record ImageInfo
{
    /// <summary>Part number.</summary>
    public required int Part { get; init; }

    /// <summary>Identifier.</summary>
    public required string Id { get; init; }

    /// <summary>PNG file, relative to the output folder.</summary>
    public required string File { get; init; }

    /// <summary>Title in the figure.</summary>
    public required string Title { get; init; }

    /// <summary>The objective rendered, e.g. <c>layer3:5</c> (channel objective).</summary>
    public required string Objective { get; init; }

    /// <summary>The tutorial's objective, e.g. <c>mixed4a:5</c>.</summary>
    public required string TutorialObjective { get; init; }

    /// <summary>The parameterisation.</summary>
    public required string Parameterization { get; init; }

    /// <summary>The transforms during optimisation.</summary>
    public required string Transforms { get; init; }

    /// <summary>Objective at step 1 (mean channel activation; the loss is its negative).</summary>
    public required double ObjectiveFirst { get; init; }

    /// <summary>Objective at the last step (the final objective value).</summary>
    public required double ObjectiveLast { get; init; }

    /// <summary>Objective of the final image without any transform.</summary>
    public required double ObjectiveFinalImage { get; init; }

    /// <summary>Share of spectral energy above the cutoff.</summary>
    public required double HighFrequencyShare { get; init; }

    /// <summary>PNG size per pixel.</summary>
    public required double PngBytesPerPixel { get; init; }

    /// <summary>The spatial scale of the image's structure in pixels: the wavelength of its power-weighted mean spatial frequency (<see cref="Lucent.Net.Imaging.ImageMetrics.StructureScale"/>).</summary>
    public double StructureScale { get; init; }

    /// <summary>How edge-like the image is: orientation coherence of its luminance in 9x9 windows, 0 to 1 (<see cref="Lucent.Net.Imaging.ImageMetrics.EdgeCoherence"/>).</summary>
    public double EdgeCoherence { get; init; }

    /// <summary>Robustness to random transforms (part 3 only).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RobustnessInfo? Robustness { get; init; }

    /// <summary>Render time of the image (a batch's time divided by its size); 0 for an image reused from another render.</summary>
    public required double Seconds { get; init; }

    /// <summary>The objective at every step, thinned to at most <see cref="ExperimentRunner.CurvePoints"/> evenly spaced steps (the first and last kept); the report draws it.</summary>
    public IReadOnlyList<double> ObjectiveCurve { get; init; } = [];

    /// <summary>
    /// The id of the image whose render this one is, when both have the same settings (part 3's "No transforms" is part 2's
    /// "FFT + Decorrelate (default)": same objective, parameterisation, transforms and seed); null when rendered for itself.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SameRenderAs { get; init; }
}

/// <summary>A claim of the tutorial and what was measured.</summary>
/// <param name="Part">Part number.</param>
/// <param name="Claim">The tutorial's claim.</param>
/// <param name="Measurement">What was measured.</param>
/// <param name="Values">The numbers, by name.</param>
/// <param name="Verdict">Whether the numbers agree with the claim, in words.</param>
/// <param name="Supported">Whether they do.</param>
public sealed record ClaimInfo(int Part, string Claim, string Measurement, IReadOnlyDictionary<string, double> Values, string Verdict, bool Supported);
