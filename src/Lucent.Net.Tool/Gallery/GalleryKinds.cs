using Lucent.Net.Tool.CommandLine;
using System.Globalization;
using Lucent.Net.Objectives;

namespace Lucent.Net.Tool.Gallery;

/// <summary>
/// The kinds of work of a gallery: four kinds of render per channel (what OpenAI Microscope and Distill's appendix
/// show) and the dataset examples. Names, unit ids and file names of each kind are made here only.
/// </summary>
internal static class GalleryKinds
{
    /// <summary>Maximise the channel (Lucent's <c>channel</c>): the kind of every plan made before kinds existed.</summary>
    public const string Channel = "channel";

    /// <summary>Minimise the channel: the negated objective.</summary>
    public const string Negative = "negative";

    /// <summary>Maximise the channel at the centre position (Lucent's <c>neuron</c>).</summary>
    public const string Neuron = "neuron";

    /// <summary>A batch of images of the channel made to differ: <c>channel - weight * diversity</c>.</summary>
    public const string Diversity = "diversity";

    /// <summary>The kind of a dataset unit.</summary>
    public const string Examples = "examples";

    /// <summary>The <c>--param</c> value of MACO images (<see cref="GalleryOptions.Param"/>).</summary>
    public const string Maco = "maco";

    /// <summary>The folder of dataset unit records (DIR/examples).</summary>
    public const string ExamplesFolder = "examples";

    /// <summary>Images per channel of the diversity kind by default (Distill's appendix shows four).</summary>
    public const int DefaultDiversityImages = 4;

    /// <summary>The weight of the diversity term by default (Lucent's tutorial uses 1e2).</summary>
    public const double DefaultDiversityWeight = 100;

    /// <summary>Every kind of render, in canonical order.</summary>
    public static IReadOnlyList<string> All { get; } = [Channel, Negative, Neuron, Diversity];

    /// <summary>The kinds a plan renders by default: all of them, as Microscope shows.</summary>
    public static IReadOnlyList<string> Default => All;

    /// <summary>The kinds in canonical order, each once (unknown names are dropped: <see cref="Parse"/> refuses them).</summary>
    public static IReadOnlyList<string> Canonical(IEnumerable<string> kinds)
    {
        var set = kinds.ToHashSet(StringComparer.Ordinal);
        return All.Where(set.Contains).ToArray();
    }

    /// <summary>Parses <c>--kinds</c>: comma-separated names of <see cref="All"/>, or <c>all</c>.</summary>
    /// <exception cref="ToolException">A name is not a kind, or none is given.</exception>
    public static IReadOnlyList<string> Parse(string? text)
    {
        if (text is null || text.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return Default;
        }

        var names = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (string name in names)
        {
            if (!All.Contains(name, StringComparer.Ordinal))
            {
                throw new ToolException($"--kinds: '{GalleryPaths.Describe(name)}' is not a kind of render; use any of {string.Join(", ", All)} (or all).");
            }
        }

        return names.Length == 0 ? throw new ToolException($"--kinds names no kind; use any of {string.Join(", ", All)}.") : Canonical(names);
    }

    /// <summary>The id of a render unit: the layer folder, the first and last channel, and the kind unless it is <see cref="Channel"/> (so plans made before kinds keep their ids).</summary>
    public static string UnitId(string folder, string kind, int first, int last) => kind == Channel
        ? string.Create(CultureInfo.InvariantCulture, $"{folder}-{first:D4}-{last:D4}")
        : string.Create(CultureInfo.InvariantCulture, $"{folder}-{first:D4}-{last:D4}-{kind}");

    /// <summary>The id of a dataset unit: its first and last image (seven digits: never a render unit's id, whose channels have at most five).</summary>
    public static string ExamplesUnitId(int first, int last) => string.Create(CultureInfo.InvariantCulture, $"examples-{first:D7}-{last:D7}");

    /// <summary>Images one channel of <paramref name="kind"/> has at each threshold.</summary>
    public static int ImagesPerThreshold(GalleryOptions options, string kind) => kind == Diversity ? options.DiversityImages ?? DefaultDiversityImages : 1;

    /// <summary>Images a render unit writes.</summary>
    public static int UnitImages(GalleryOptions options, GalleryUnit unit) =>
        unit.IsExamples ? 0 : unit.Channels.Count * options.Thresholds.Count * ImagesPerThreshold(options, unit.Kind);

    /// <summary>The work of a unit: image-steps of a render unit, images of a dataset unit.</summary>
    public static long ImageSteps(GalleryOptions options, GalleryUnit unit) =>
        unit.IsExamples ? unit.ImageCount : (long)unit.Channels.Count * options.Steps * ImagesPerThreshold(options, unit.Kind);

    /// <summary>The stem of a channel's files of <paramref name="kind"/>: <c>c0007</c> for <see cref="Channel"/>, else <c>c0007_kind</c>.</summary>
    public static string Stem(int channel, string kind) => kind == Channel
        ? GalleryFiles.ChannelStem(channel)
        : GalleryFiles.ChannelStem(channel) + "_" + kind;

    /// <summary>The PNG of a channel's image <paramref name="index"/> of <paramref name="kind"/> at a threshold.</summary>
    public static string ImageName(int channel, string kind, int step, int index) => kind == Diversity
        ? string.Create(CultureInfo.InvariantCulture, $"{Stem(channel, kind)}_s{step:D5}_{index}.png")
        : string.Create(CultureInfo.InvariantCulture, $"{Stem(channel, kind)}_s{step:D5}.png");

    /// <summary>A MACO channel's final image with its transparency map as alpha (RGBA PNG): <c>c0007_alpha.png</c>, <c>c0007_neuron_alpha.png</c>.</summary>
    public static string TransparencyName(int channel, string kind) => Stem(channel, kind) + "_alpha.png";

    /// <summary>A MACO channel's transparency map as a heat map (RGB PNG): <c>c0007_heat.png</c>.</summary>
    public static string HeatMapName(int channel, string kind) => Stem(channel, kind) + "_heat.png";

    /// <summary>The JSON record of a channel's render of <paramref name="kind"/>.</summary>
    public static string JsonName(int channel, string kind) => Stem(channel, kind) + ".json";

    /// <summary>The objective of image <paramref name="batchIndex"/> of a batched render of <paramref name="kind"/> (not <see cref="Diversity"/>).</summary>
    public static IObjective Objective(string kind, string layer, int channel, int batchIndex) => kind switch
    {
        Channel => Objectives.Objective.Channel(layer, channel, batch: batchIndex),
        Negative => -Objectives.Objective.Channel(layer, channel, batch: batchIndex),
        Neuron => Objectives.Objective.Neuron(layer, channel, batch: batchIndex),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a batched kind of render"),
    };

    /// <summary>The objective of a channel's diversity batch: Lucent's <c>channel(layer, c) - weight * diversity(layer)</c>.</summary>
    public static IObjective DiversityObjective(string layer, int channel, double weight) =>
        Objectives.Objective.Channel(layer, channel) - (weight * Objectives.Objective.Diversity(layer));

    /// <summary>A one-line description of a kind, for pages and help.</summary>
    public static string Describe(string kind) => kind switch
    {
        Channel => "Positive channel: maximise the channel's mean activation.",
        Negative => "Negative channel: minimise the channel's mean activation (the negated objective).",
        Neuron => "Neuron: maximise the channel at the centre position.",
        Diversity => "Diversity: a batch made to maximise the channel while differing from each other (channel - weight x diversity).",
        _ => kind,
    };
}

/// <summary>The work of a plan in words, for <c>gallery plan</c>'s summary line.</summary>
internal static class GalleryPlanSummary
{
    public static string Describe(GalleryPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var render = plan.Units.Where(u => !u.IsExamples).ToArray();
        long steps = render.Sum(u => GalleryKinds.ImageSteps(plan.Options, u));
        string text = string.Create(CultureInfo.InvariantCulture, $"{render.Length} render units ({string.Join(", ", plan.Options.RenderKinds)}) of {steps} image-steps");
        return plan.Options.Dataset is { } dataset
            ? text + string.Create(CultureInfo.InvariantCulture, $", {plan.Units.Count - render.Length} dataset units over {dataset.Files.Count} images (k = {dataset.Examples})")
            : text;
    }
}
