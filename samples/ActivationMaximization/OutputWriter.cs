using System.Globalization;
using System.Text.Json;
using Lucent.Net.Imaging;

namespace ActivationMaximization;

/// <summary>
/// Writes a run's outputs: every image under images/, one figure per part, results.json and report.html. Each file
/// is written to a temporary name and renamed; files of an earlier run that this run does not produce (images,
/// part figures, leftover temporary files) are removed, so a rerun replaces the folder's contents cleanly.
/// Other files in the folder are left alone.
/// </summary>
public static class OutputWriter
{
    /// <summary>Writes everything and returns what went into results.json.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="model">The model.</param>
    /// <param name="parts">The parts run.</param>
    /// <param name="images">The rendered images.</param>
    /// <param name="modelLoadSeconds">Time spent loading the model.</param>
    /// <param name="totalSeconds">Time of the run so far.</param>
    /// <returns>The results.</returns>
    public static RunResults Write(AppSettings settings, LoadedModel model, IReadOnlyList<PartInfo> parts, IReadOnlyList<RenderedImage> images, double modelLoadSeconds, double totalSeconds)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(images);
        string root = Path.GetFullPath(settings.OutputDirectory);
        string imagesFolder = Path.Combine(root, ExperimentRunner.ImagesFolder);
        Directory.CreateDirectory(imagesFolder);
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var image in images)
        {
            string path = Path.Combine(root, image.Info.File);
            image.Images.SavePng(path, image.Index);
            written.Add(Path.GetFullPath(path));
        }

        int cell = Math.Max(settings.Size, 128);
        foreach (var part in parts)
        {
            var cells = part.ImageIds
                .Select(id => images.First(i => i.Info.Id == id))
                .Select(i => new FigureCell(i.Images, i.Info.Title, i.Index))
                .ToArray();
            var figure = FigureGrid.Compose(cells, new FigureGridOptions
            {
                Rows = part.Rows,
                Columns = part.Columns,
                CellWidth = cell,
                CellHeight = cell,
                Title = part.Title,
                Resize = ResizeMode.Bilinear,
            });
            string path = Path.Combine(root, part.Figure);
            figure.SavePng(path);
            written.Add(path);
        }

        var results = new RunResults
        {
            CreatedUtc = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            Model = new ModelInfo(model.Kind.ToString().ToLowerInvariant(), model.Description, model.WeightsSource, model.Pretrained, model.FallbackReason),
            Settings = new SettingsInfo(
                settings.Command.ToString().ToLowerInvariant(),
                settings.Steps,
                settings.Size,
                settings.InputSize ?? Math.Max(settings.Size, 224),
                settings.Seed,
                settings.Quick,
                string.Create(CultureInfo.InvariantCulture, $"Adam, learning rate {ImageRenderer.LearningRate}"),
                "mean activation of the channel (the render minimises its negative)",
                ClaimMeasurements.HighFrequencyCutoff,
                ClaimMeasurements.RobustnessDescription),
            LayerMapping = LayerMapping.For(model.Kind),
            Parts = parts,
            Images = images.Select(i => i.Info).ToArray(),
            Claims = Claims.Evaluate(images.Select(i => i.Info).ToArray()),
            ModelLoadSeconds = modelLoadSeconds,
            TotalSeconds = totalSeconds,
        };
        string resultsPath = Path.Combine(root, ExperimentRunner.ResultsFile);
        AtomicFile.WriteAllText(resultsPath, JsonSerializer.Serialize(results, ExperimentRunner.JsonOptions));
        written.Add(resultsPath);
        string reportPath = Path.Combine(root, ExperimentRunner.ReportFile);
        ReportBuilder.Build(results).Save(reportPath);
        written.Add(reportPath);
        RemoveStale(root, imagesFolder, written);
        return results;
    }

    private static void RemoveStale(string root, string imagesFolder, HashSet<string> written)
    {
        var stale = Directory.EnumerateFiles(imagesFolder, "*.png")
            .Concat(Enumerable.Range(1, 4).Select(n => Path.Combine(root, $"part{n}.png")).Where(File.Exists))
            .Concat(Directory.EnumerateFiles(imagesFolder, "*" + AtomicFile.TemporarySuffix, new EnumerationOptions { AttributesToSkip = 0 }))
            .Concat(Directory.EnumerateFiles(root, "*" + AtomicFile.TemporarySuffix, new EnumerationOptions { AttributesToSkip = 0 }))
            .Select(Path.GetFullPath)
            .Where(p => !written.Contains(p))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        foreach (string path in stale)
        {
            File.Delete(path);
        }
    }
}

/// <summary>Turns the measurements into verdicts on the tutorial's claims.</summary>
public static class Claims
{
    /// <summary>How much higher the pixel parameterisation's high-frequency share must be to call it clearly noisier.</summary>
    public const double NoiseRatioThreshold = 1.3;

    /// <summary>Evaluates every claim the images allow.</summary>
    /// <param name="images">The images of the run.</param>
    /// <returns>The claims.</returns>
    public static IReadOnlyList<ClaimInfo> Evaluate(IReadOnlyList<ImageInfo> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var claims = new List<ClaimInfo>();
        if (images.Count > 0)
        {
            int rose = images.Count(i => i.ObjectiveLast > i.ObjectiveFirst);
            claims.Add(new ClaimInfo(
                0,
                "Gradient ascent on the pixels makes the neuron more excited.",
                "objective (mean channel activation) at the first and the last step of every image",
                new Dictionary<string, double> { ["imagesThatRose"] = rose, ["images"] = images.Count },
                $"the objective rose in {rose} of {images.Count} images.",
                rose == images.Count));
        }

        var pixel = images.FirstOrDefault(i => i.Id == "part2_pixel_naive");
        var best = images.FirstOrDefault(i => i.Id == "part2_fft_decorrelate_default");
        if (pixel is not null && best is not null)
        {
            double ratio = pixel.HighFrequencyShare / best.HighFrequencyShare;
            var values = images.Where(i => i.Part == 2).ToDictionary(i => i.Title, i => i.HighFrequencyShare);
            values["ratioPixelToFftDecorrelate"] = ratio;
            claims.Add(new ClaimInfo(
                2,
                "Pixel parameterisation gives high-frequency noise; FFT + decorrelate does not.",
                string.Create(CultureInfo.InvariantCulture, $"share of spectral energy above {ClaimMeasurements.HighFrequencyCutoff} cycles/pixel (luminance, DC excluded)"),
                values,
                string.Create(CultureInfo.InvariantCulture, $"high-frequency share: pixel {pixel.HighFrequencyShare:F3} vs FFT + decorrelate {best.HighFrequencyShare:F3} ({ratio:F2}x); {(ratio >= NoiseRatioThreshold ? "supports" : "does not support")} the claim (threshold {NoiseRatioThreshold}x)."),
                ratio >= NoiseRatioThreshold));
        }

        var none = images.FirstOrDefault(i => i.Id == "part3_no_transforms")?.Robustness;
        var standard = images.FirstOrDefault(i => i.Id == "part3_standard_transforms")?.Robustness;
        if (none is not null && standard is not null)
        {
            var values = images.Where(i => i.Part == 3 && i.Robustness is not null).ToDictionary(i => i.Title, i => i.Robustness!.Ratio);
            claims.Add(new ClaimInfo(
                3,
                "Transforms during optimisation give patterns that work at any position.",
                "objective of the final image averaged over random shift/scale/rotation, divided by its value untransformed",
                values,
                string.Create(CultureInfo.InvariantCulture, $"robustness: no transforms {none.Ratio:F3} vs standard transforms {standard.Ratio:F3}; {(standard.Ratio > none.Ratio ? "supports" : "does not support")} the claim."),
                standard.Ratio > none.Ratio));
        }

        var depth = images.Where(i => i.Part == 4).ToArray();
        if (depth.Length >= 2)
        {
            var values = depth.ToDictionary(i => i.Title + " edgeCoherence", i => i.EdgeCoherence);
            foreach (var image in depth)
            {
                values[image.Title + " structureScale"] = image.StructureScale;
                values[image.Title + " pngBytesPerPixel"] = image.PngBytesPerPixel;
                values[image.Title + " highFrequencyShare"] = image.HighFrequencyShare;
            }

            // PNG bytes per pixel does not separate the depths (2.78, 2.64, 2.76, 2.76 on ResNet-18: the FFT
            // parameterisation's texture dominates it). Edge coherence does: the earliest layer paints oriented edges
            // and stripes (one orientation per window), later layers blobs, spots and intricate texture.
            const double ClearlyMoreEdgeLike = 1.5;
            double laterMax = depth.Skip(1).Max(i => i.EdgeCoherence);
            bool edges = depth[0].EdgeCoherence >= laterMax * ClearlyMoreEdgeLike;
            bool ordered = depth.Zip(depth.Skip(1)).All(p => p.Second.EdgeCoherence < p.First.EdgeCoherence);
            claims.Add(new ClaimInfo(
                4,
                "Features go from simple (early layers: edges and colours) to complex (late layers: patterns and objects).",
                "edge coherence (structure-tensor orientation coherence in 9x9 windows, 1 = one orientation everywhere) per depth; structure scale (px), PNG bytes per pixel and high-frequency share for reference",
                values,
                "edge coherence by depth: " + string.Join(", ", depth.Select(i => string.Create(CultureInfo.InvariantCulture, $"{i.Title} {i.EdgeCoherence:F2}"))) + "; " +
                (edges
                    ? string.Create(CultureInfo.InvariantCulture, $"the earliest layer's image is clearly the most edge-like ({depth[0].EdgeCoherence / laterMax:F1}x the most edge-like later one), as the claim predicts")
                    : "the earliest layer's image is not clearly (1.5x) more edge-like than every later one: by this measure the claim is not supported") +
                (ordered ? ", and coherence falls at every step in depth" : "; the later layers are not ordered by it") +
                ". Structure scale: " + string.Join(", ", depth.Select(i => string.Create(CultureInfo.InvariantCulture, $"{i.StructureScale:F1}"))) + " px; PNG bytes/pixel: " +
                string.Join(", ", depth.Select(i => string.Create(CultureInfo.InvariantCulture, $"{i.PngBytesPerPixel:F2}"))) + ".",
                edges));
        }

        return claims;
    }
}
