using Lucent.Net.Transforms;

namespace ActivationMaximization;

/// <summary>How an image is parameterised (the tutorial's part 2 settings).</summary>
/// <param name="Name">The tutorial's name, e.g. "FFT + Decorrelate (default)".</param>
/// <param name="Fft">Optimise in the Fourier basis with 1/f scaling.</param>
/// <param name="Decorrelate">Optimise in a decorrelated colour space.</param>
public sealed record ParameterizationSpec(string Name, bool Fft, bool Decorrelate)
{
    /// <summary>Lucent's default: FFT + colour decorrelation.</summary>
    public static ParameterizationSpec Default { get; } = new("FFT + Decorrelate (default)", Fft: true, Decorrelate: true);

    /// <summary>Lucent-style description, e.g. <c>image(128, fft=True, decorrelate=True)</c>.</summary>
    /// <param name="size">The image size.</param>
    /// <returns>The description.</returns>
    public string Describe(int size) => $"image({size}, fft={(Fft ? "True" : "False")}, decorrelate={(Decorrelate ? "True" : "False")})";
}

/// <summary>Which transforms are applied during optimisation (the tutorial's part 3 settings).</summary>
public enum TransformSet
{
    /// <summary>No transforms (<c>transforms=[]</c>).</summary>
    None,

    /// <summary><c>[transform.jitter(8)]</c>.</summary>
    Jitter8,

    /// <summary><c>transform.standard_transforms</c> (render_vis's default).</summary>
    Standard,
}

/// <summary>One rendered image of the tutorial.</summary>
/// <param name="Part">1 to 4.</param>
/// <param name="Id">A file-name-safe identifier, unique in the run.</param>
/// <param name="Title">The title the tutorial's figure gives it.</param>
/// <param name="TutorialLayer">The tutorial's InceptionV1 layer.</param>
/// <param name="Layer">The layer rendered (mapped for the model).</param>
/// <param name="Channel">The channel.</param>
/// <param name="Parameterization">How the image is parameterised.</param>
/// <param name="Transforms">Which transforms are used.</param>
public sealed record RenderJob(int Part, string Id, string Title, string TutorialLayer, string Layer, int Channel, ParameterizationSpec Parameterization, TransformSet Transforms)
{
    /// <summary>The objective, e.g. <c>layer3:5</c>.</summary>
    public string Objective => $"{Layer}:{Channel}";

    /// <summary>The tutorial's objective, e.g. <c>mixed4a:5</c>.</summary>
    public string TutorialObjective => $"{TutorialLayer}:{Channel}";
}

/// <summary>Renders optimised together in one batch (parts 1 and 4: image i maximises job i's channel), or a single render.</summary>
/// <param name="Jobs">The images; more than one only when they share the parameterisation and transforms.</param>
public sealed record RenderGroup(IReadOnlyList<RenderJob> Jobs);

/// <summary>One tutorial part: its renders and figure layout.</summary>
/// <param name="Number">1 to 4.</param>
/// <param name="Title">The figure title.</param>
/// <param name="Rows">Rows of the figure.</param>
/// <param name="Columns">Columns of the figure.</param>
/// <param name="Groups">The renders, in figure order.</param>
public sealed record TutorialPart(int Number, string Title, int Rows, int Columns, IReadOnlyList<RenderGroup> Groups)
{
    /// <summary>Every image of the part in figure order.</summary>
    public IEnumerable<RenderJob> Jobs => Groups.SelectMany(g => g.Jobs);

    /// <summary>The figure's file name.</summary>
    public string FigureFile => $"part{Number}.png";
}

/// <summary>The tutorial's experiments, mapped to a model.</summary>
public static class Experiments
{
    /// <summary>Part 1's layer and its channels 0-9.</summary>
    public const string Part1Layer = "mixed4a";

    /// <summary>The channel of parts 2 and 3 (<c>test_channel</c>).</summary>
    public const int TestChannel = 5;

    /// <summary>The channel of part 4 (<c>channel_idx</c>).</summary>
    public const int Part4Channel = 3;

    /// <summary>Part 2's four parameterisations, in the tutorial's order.</summary>
    public static IReadOnlyList<ParameterizationSpec> Part2Parameterizations { get; } =
    [
        new("Pixel (naive)", Fft: false, Decorrelate: false),
        new("FFT only", Fft: true, Decorrelate: false),
        new("Decorrelate only", Fft: false, Decorrelate: true),
        ParameterizationSpec.Default,
    ];

    /// <summary>Part 3's transform settings with the tutorial's names.</summary>
    public static IReadOnlyList<(string Name, TransformSet Set)> Part3Transforms { get; } =
    [
        ("No transforms", TransformSet.None),
        ("Jitter only", TransformSet.Jitter8),
        ("Standard transforms", TransformSet.Standard),
    ];

    /// <summary>The parts for <paramref name="model"/>.</summary>
    /// <param name="model">The model the layers are mapped to.</param>
    /// <param name="parts">Which parts (1 to 4).</param>
    /// <returns>The parts in order.</returns>
    public static IReadOnlyList<TutorialPart> For(ModelKind model, IEnumerable<int> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        return parts.Select(p => Part(model, p)).ToArray();
    }

    /// <summary>One part for <paramref name="model"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="number">1 to 4.</param>
    /// <returns>The part.</returns>
    public static TutorialPart Part(ModelKind model, int number)
    {
        string mixed4a = LayerMapping.Map(model, Part1Layer);
        switch (number)
        {
            case 1:
                var jobs = Enumerable.Range(0, 10)
                    .Select(c => new RenderJob(1, $"part1_{mixed4a}_{c}", $"{mixed4a}:{c}", Part1Layer, mixed4a, c, ParameterizationSpec.Default, TransformSet.Standard))
                    .ToArray();
                return new TutorialPart(1, $"Activation Maximization: First 10 channels of {mixed4a}", 2, 5, [new RenderGroup(jobs)]);
            case 2:
                return new TutorialPart(
                    2,
                    $"Effect of Parameterization on {mixed4a}:{TestChannel}",
                    1,
                    4,
                    Part2Parameterizations.Select(p => Single(new RenderJob(2, $"part2_{Slug(p.Name)}", p.Name, Part1Layer, mixed4a, TestChannel, p, TransformSet.None))).ToArray());
            case 3:
                return new TutorialPart(
                    3,
                    $"Effect of Transforms on {mixed4a}:{TestChannel}",
                    1,
                    3,
                    Part3Transforms.Select(t => Single(new RenderJob(3, $"part3_{Slug(t.Name)}", t.Name, Part1Layer, mixed4a, TestChannel, ParameterizationSpec.Default, t.Set))).ToArray());
            case 4:
                return new TutorialPart(
                    4,
                    "Features Across Network Depth (early -> late)",
                    1,
                    4,
                    [new RenderGroup(LayerMapping.For(model).Select(m => new RenderJob(4, $"part4_{m.ModelLayer}_{Part4Channel}", $"{m.ModelLayer}:{Part4Channel}", m.TutorialLayer, m.ModelLayer, Part4Channel, ParameterizationSpec.Default, TransformSet.Standard)).ToArray())]);
            default:
                throw new ArgumentOutOfRangeException(nameof(number), number, "The tutorial has parts 1 to 4.");
        }
    }

    /// <summary>The transforms of a set (new instances; the standard pipeline is Lucent's).</summary>
    /// <param name="set">The set.</param>
    /// <returns>The transforms in order.</returns>
    public static IReadOnlyList<IImageTransform> Transforms(TransformSet set) => set switch
    {
        TransformSet.None => [],
        TransformSet.Jitter8 => [Transform.Jitter(8)],
        TransformSet.Standard => TransformPipeline.Standard.Transforms,
        _ => throw new ArgumentOutOfRangeException(nameof(set), set, "Unknown transform set."),
    };

    /// <summary>Lucent's name of a set, e.g. <c>[jitter(8)]</c>.</summary>
    /// <param name="set">The set.</param>
    /// <returns>The description.</returns>
    public static string Describe(TransformSet set) => set switch
    {
        TransformSet.None => "[] (none)",
        TransformSet.Jitter8 => "[jitter(8)]",
        _ => "standard_transforms: " + string.Join(", ", Transforms(set).Select(t => t.Name)),
    };

    private static RenderGroup Single(RenderJob job) => new([job]);

    private static string Slug(string name) =>
        System.Text.RegularExpressions.Regex.Replace(name.ToLowerInvariant(), "[^a-z0-9]+", "_").Trim('_');
}
