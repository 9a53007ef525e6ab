using System.Globalization;
using Lucent.Net.Imaging;

namespace ActivationMaximization;

/// <summary>Builds report.html: the tutorial's explanations, each part's figure and the measured numbers.</summary>
public static class ReportBuilder
{
    /// <summary>Builds the report.</summary>
    /// <param name="results">The run's results.</param>
    /// <returns>The report, ready to save next to the figures.</returns>
    public static HtmlReport Build(RunResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var report = new HtmlReport("Activation Maximization");
        report.AddIntroduction("Goal: understand what neurons in a neural network \"see\" by generating images that maximally activate them.");
        report.AddIntroduction(
            "Normally we ask: given this image, what does the network predict? Activation maximization flips this: what image would make " +
            "this specific neuron most excited? We start with random noise, freeze the network's weights, and use gradient descent to modify " +
            "the pixels (not the weights) to maximize a neuron's activation. The resulting image reveals what pattern that neuron has learned to detect.");
        report.AddIntroduction($"Model used: {results.Model.Description}." + (results.Model.Pretrained ? string.Empty : " WARNING: random weights; the images mean nothing."));
        if (results.Model.FallbackReason is { } reason)
        {
            report.AddIntroduction("Why not InceptionV1: " + reason);
        }

        var s = results.Settings;
        report.AddIntroduction(string.Create(
            CultureInfo.InvariantCulture,
            $"Settings: {s.Steps} steps per image, {s.Size}x{s.Size} px (the model sees {s.ModelInputSize}x{s.ModelInputSize}), seed {s.Seed}, {s.Optimizer}{(s.Quick ? " (--quick smoke run)" : string.Empty)}. " +
            $"Objective values are the {s.ObjectiveValue}. Rendered with Lucent.Net in {results.TotalSeconds:F0} s."));

        var mapping = report.AddSection("Model and layers");
        mapping.AddParagraph(results.Model.Kind == "inceptionv1"
            ? "The tutorial's model: every layer is the tutorial's own."
            : "The tutorial uses InceptionV1 layers; this run maps each to the ResNet-18 stage with the same spatial resolution at a 224x224 input (the same relative depth).");
        mapping.AddTable(
            ["Tutorial layer (InceptionV1)", "Layer rendered", "Why"],
            results.LayerMapping.Select(m => (IReadOnlyList<string>)[m.TutorialLayer, m.ModelLayer, m.Reason]));

        foreach (var part in results.Parts)
        {
            var images = part.ImageIds.Select(id => results.Images.First(i => i.Id == id)).ToArray();
            var section = report.AddSection(PartHeading(part.Number));
            foreach (string paragraph in Explanation(part.Number, images))
            {
                section.AddParagraph(paragraph);
            }

            section.AddFigure(part.Figure, part.Title + ". " + Caption(part.Number, images), part.Title);
            if (part.Number == 2)
            {
                section.AddTable(
                    ["Parameterization", "What it does", "Visual effect", "Measured high-frequency share"],
                    ParameterizationTable(images),
                    "The tutorial's table, with the share of spectral energy above 0.25 cycles/pixel measured on this run's images.");
                section.AddParagraph(
                    "The FFT parameterization encodes a \"prior\" that natural images have mostly low frequencies. Without it, the optimizer finds " +
                    "high-frequency patterns that activate the neuron but look like noise to us.");
            }

            AddMeasurements(section, part, images, results.Images);
            foreach (var claim in results.Claims.Where(c => c.Part == part.Number))
            {
                section.AddParagraph($"Claim: {claim.Claim} Measured: {claim.Measurement}. Result: {claim.Verdict}");
            }

            section.AddParagraph("Images: " + string.Join(", ", images.Select(i => i.File)));
        }

        var summary = report.AddSection("Summary: what did we learn?");
        summary.AddParagraph("1. Activation maximization generates images that maximally activate specific neurons, revealing what they have learned to detect.");
        summary.AddParagraph("2. Parameterization matters: FFT + color decorrelation produces interpretable images by encoding priors about natural image statistics.");
        summary.AddParagraph("3. Transforms matter: random augmentations during optimization reveal position-invariant features.");
        summary.AddParagraph("4. Depth matters: features progress from simple (edges) to complex (objects) through the network.");
        foreach (var claim in results.Claims.Where(c => c.Part == 0))
        {
            summary.AddParagraph($"Measured: {claim.Verdict}");
        }

        summary.AddParagraph(
            "Limitations: these visualizations show what maximally activates a neuron, not necessarily what it responds to in real images; some neurons " +
            "may be polysemantic, responding to several unrelated concepts; and the parameterization choices affect what we see: different priors reveal different aspects.");
        summary.AddTable(
            ["Part", "Images", "Seconds"],
            results.Parts.Select(p => (IReadOnlyList<string>)[p.Number.ToString(CultureInfo.InvariantCulture), p.ImageIds.Count.ToString(CultureInfo.InvariantCulture), p.Seconds.ToString("F1", CultureInfo.InvariantCulture)])
                .Append(["model load", string.Empty, results.ModelLoadSeconds.ToString("F1", CultureInfo.InvariantCulture)]),
            "Timings of this run.");
        summary.AddParagraph("All numbers are also in results.json.");
        return report;
    }

    /// <summary>The section heading of a part.</summary>
    /// <param name="number">1 to 4.</param>
    /// <returns>The heading.</returns>
    public static string PartHeading(int number) => number switch
    {
        1 => "Part 1: Visualizing the first 10 neurons of mixed4a",
        2 => "Part 2: The effect of parameterization",
        3 => "Part 3: The effect of transforms",
        4 => "Part 4: Comparing layers",
        _ => throw new ArgumentOutOfRangeException(nameof(number), number, "The tutorial has parts 1 to 4."),
    };

    /// <summary>The width in CSS pixels of the image thumbnails in the measurement tables.</summary>
    public const int ThumbnailWidth = 64;

    /// <summary>The width in CSS pixels of the objective curves in the measurement tables.</summary>
    public const int CurveWidth = 128;

    /// <summary>The height in CSS pixels of the objective curves in the measurement tables.</summary>
    public const int CurveHeight = 44;

    /// <summary>
    /// A part's settings, said once (what all its images share), then its measurement table: each image beside its
    /// objective curve, a column only for the settings that differ between its images, then the numbers.
    /// </summary>
    private static void AddMeasurements(HtmlReportSection section, PartInfo part, IReadOnlyList<ImageInfo> images, IReadOnlyList<ImageInfo> all)
    {
        bool sameObjective = images.Select(i => i.Objective).Distinct(StringComparer.Ordinal).Count() == 1;
        bool sameParameterization = images.Select(i => i.Parameterization).Distinct(StringComparer.Ordinal).Count() == 1;
        bool sameTransforms = images.Select(i => i.Transforms).Distinct(StringComparer.Ordinal).Count() == 1;
        var shared = new List<string>();
        if (sameObjective && images.Count > 0)
        {
            shared.Add($"objective {images[0].Objective} (the tutorial's {images[0].TutorialObjective})");
        }

        if (sameParameterization && images.Count > 0)
        {
            shared.Add("parameterization " + images[0].Parameterization);
        }

        if (sameTransforms && images.Count > 0)
        {
            shared.Add("transforms " + images[0].Transforms);
        }

        if (shared.Count > 0)
        {
            section.AddParagraph($"Settings of every image in this part: {string.Join("; ", shared)}.");
        }

        foreach (var image in images.Where(i => i.SameRenderAs is not null))
        {
            var original = all.FirstOrDefault(i => i.Id == image.SameRenderAs);
            section.AddParagraph(original is null
                ? $"\"{image.Title}\" reuses the render {image.SameRenderAs}: the settings are the same."
                : $"\"{image.Title}\" has the same settings as part {original.Part}'s \"{original.Title}\" (objective, parameterization, transforms, seed and steps), so it was rendered once and the image is reused; the two would come out byte-identical.");
        }

        var headers = new List<string> { "Image", "Objective per step" };
        if (!sameObjective)
        {
            headers.Add("Objective");
        }

        if (!sameParameterization)
        {
            headers.Add("Parameterization");
        }

        if (!sameTransforms)
        {
            headers.Add("Transforms");
        }

        headers.AddRange(["Objective at step 1", "Objective at last step", "High-frequency share", "PNG bytes/pixel"]);
        bool depthMeasures = part.Number == 4;
        if (depthMeasures)
        {
            headers.AddRange(["Structure scale (px)", "Edge coherence"]);
        }

        bool robustness = images.Any(i => i.Robustness is not null);
        if (robustness)
        {
            headers.Add("Robustness");
        }

        var rows = images.Select(i =>
        {
            string title = i.SameRenderAs is null ? i.Title : $"{i.Title} (reused)";
            var row = new List<HtmlCell>
            {
                HtmlCell.Row(HtmlCell.Image(i.File, i.Title, ThumbnailWidth), HtmlCell.Text(title)),
                HtmlCell.LineChart(i.ObjectiveCurve, $"Objective of {i.Title} per step: {F(i.ObjectiveFirst)} to {F(i.ObjectiveLast)}", CurveWidth, CurveHeight),
            };
            if (!sameObjective)
            {
                row.Add(HtmlCell.Text(i.Objective));
            }

            if (!sameParameterization)
            {
                row.Add(HtmlCell.Text(i.Parameterization));
            }

            if (!sameTransforms)
            {
                row.Add(HtmlCell.Text(i.Transforms));
            }

            row.AddRange([HtmlCell.Text(F(i.ObjectiveFirst)), HtmlCell.Text(F(i.ObjectiveLast)), HtmlCell.Text(F(i.HighFrequencyShare)), HtmlCell.Text(F(i.PngBytesPerPixel))]);
            if (depthMeasures)
            {
                row.AddRange([HtmlCell.Text(F(i.StructureScale)), HtmlCell.Text(F(i.EdgeCoherence))]);
            }

            if (robustness)
            {
                row.Add(HtmlCell.Text(i.Robustness is { } r ? F(r.Ratio) : "-"));
            }

            return (IReadOnlyList<HtmlCell>)row;
        });
        section.AddRichTable(headers, rows, string.Create(CultureInfo.InvariantCulture, $"Part {part.Number}: measurements ({part.Seconds:F1} s); each image beside its objective (mean channel activation) at every step."));
    }

    private static IEnumerable<IReadOnlyList<string>> ParameterizationTable(IReadOnlyList<ImageInfo> images)
    {
        string Share(string title) => images.FirstOrDefault(i => i.Title == title) is { } image ? F(image.HighFrequencyShare) : "-";
        yield return ["Pixel (naive)", "Optimizes raw pixels directly", "High-frequency noise (adversarial-like)", Share("Pixel (naive)")];
        yield return ["FFT", "Optimizes in frequency domain with 1/f scaling", "Smoother, prefers low frequencies", Share("FFT only")];
        yield return ["Decorrelate", "Transforms to independent color space", "More natural color combinations", Share("Decorrelate only")];
        yield return ["FFT + Decorrelate", "Both", "Most interpretable results", Share("FFT + Decorrelate (default)")];
    }

    private static IEnumerable<string> Explanation(int part, IReadOnlyList<ImageInfo> images)
    {
        switch (part)
        {
            case 1:
                yield return "The mixed4a layer is a middle layer in InceptionV1. Neurons here typically respond to textures, patterns, and simple object parts: " +
                    "more complex than edges but simpler than whole objects. We generate activation maximization images for channels 0-9 " +
                    "(rendered here as one batch of ten, each image maximizing its own channel).";
                yield return "Observations: each image shows what that neuron \"wants to see\". Some neurons might detect textures (fur, scales, patterns), " +
                    "some colors or color gradients, some shapes or curves; some might be harder to interpret. Question to ponder: do any of these patterns " +
                    "remind you of real-world objects or textures?";
                break;
            case 2:
                yield return "The parameterization is how we represent the image during optimization. This choice dramatically affects interpretability. " +
                    $"We compare four parameterizations on one neuron ({images.FirstOrDefault()?.Objective}), without transforms.";
                break;
            case 3:
                yield return "Transforms are augmentations applied during optimization. They prevent the optimizer from finding position-specific tricks. " +
                    "Without transforms, the optimizer might learn: \"put pattern X at exactly pixel (50, 50)\". With jitter, rotation and scale, it must find " +
                    "patterns that work at any position, revealing more generalizable features the neuron detects.";
                yield return "Robustness is measured as the objective of the final image averaged over random shifts (up to 12 px, grey fill), scales (0.9-1.1) " +
                    "and rotations (up to 10 degrees), seeded, divided by its objective on the untransformed image: 1 means the pattern works anywhere.";
                break;
            case 4:
                yield return "How do features change across network depth? Earlier layers detect simpler patterns; later layers detect more complex, abstract concepts. " +
                    "Early layers (conv2d2): simple edges, colors, Gabor-like filters. Middle layers (mixed3a, mixed4a): textures, patterns, object parts. " +
                    "Late layers (mixed5a): more complex, sometimes recognizable objects. This hierarchy emerges naturally from training on images.";
                yield return "Simplicity is measured by edge coherence: how much each 9x9 window of the image's luminance has one orientation " +
                    "(the structure tensor's coherence, weighted by gradient energy; 1 for straight stripes and edges, near 0.2 for noise, low for blobs, " +
                    "spots and intricate texture). The structure scale (the wavelength of the power-weighted mean spatial frequency), the PNG " +
                    "compressed size per pixel and the high-frequency share are shown too; the last two do not separate the depths, because the " +
                    "FFT parameterisation's fine texture dominates them.";
                break;
            default:
                break;
        }
    }

    private static string Caption(int part, IReadOnlyList<ImageInfo> images) => part switch
    {
        1 => "Channels 0 to 9, 2 x 5, left to right, top to bottom.",
        2 => "Left to right: " + string.Join(", ", images.Select(i => i.Title)) + "; no transforms.",
        3 => "Left to right: " + string.Join(", ", images.Select(i => i.Title)) + "; FFT + decorrelate.",
        _ => "Left to right, early to late: " + string.Join(", ", images.Select(i => i.Title + " (for " + i.TutorialObjective + ")")) + ".",
    };

    private static string F(double value) => value.ToString("G4", CultureInfo.InvariantCulture);
}
