using Lucent.Net.Devices;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Lucent.Net.Activations;
using Lucent.Net.Images;
using Lucent.Net.Imaging;
using Lucent.Net.Rendering;
using Lucent.Net.Runtime;
using Spectre.Console;
using TorchSharp;

namespace ActivationMaximization;

/// <summary>One rendered image with its measurements and pixels.</summary>
/// <param name="Job">What was rendered.</param>
/// <param name="Images">The batch holding it.</param>
/// <param name="Index">Its index in <paramref name="Images"/>.</param>
/// <param name="Info">Its results.json entry.</param>
public sealed record RenderedImage(RenderJob Job, ImageBatch Images, int Index, ImageInfo Info);

/// <summary>Runs the commands: loads the model, renders, measures, writes the outputs.</summary>
public static class ExperimentRunner
{
    /// <summary>The images folder inside the output folder.</summary>
    public const string ImagesFolder = "images";

    /// <summary>The results file name.</summary>
    public const string ResultsFile = "results.json";

    /// <summary>The report file name.</summary>
    public const string ReportFile = "report.html";

    /// <summary>The most points of an image's objective curve kept in results.json and drawn in the report.</summary>
    public const int CurvePoints = 64;

    /// <summary>JSON settings of results.json.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Runs a parsed command.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="output">Where messages go.</param>
    /// <param name="environment">Services.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(AppSettings settings, TextWriter output, AppEnvironment environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(environment);
        var total = Stopwatch.StartNew();
        bool live = environment.AllowLiveDisplay && !settings.NoProgress && ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = live ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = live ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = live ? InteractionSupport.Detect : InteractionSupport.No,
        });

        if (settings.Command != AppCommand.Layers)
        {
            try
            {
                OutputFolder.Check(settings.OutputDirectory); // a bad --out fails before the model is loaded
            }
            catch (OutputFolderException ex)
            {
                await output.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
                return App.ErrorExitCode;
            }
        }

        torch.Device device;
        try
        {
            device = TorchDevices.Parse(settings.Device);
        }
        catch (DeviceUnavailableException ex)
        {
            await output.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return App.ErrorExitCode;
        }

        LoadedModel model;
        try
        {
            model = await ModelLoader.LoadAsync(settings, environment, line => output.WriteLine(line), cancellationToken).ConfigureAwait(false);
        }
        catch (ModelUnavailableException ex)
        {
            await output.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return App.ErrorExitCode;
        }
        catch (OperationCanceledException)
        {
            await output.WriteLineAsync("Cancelled while loading the model.").ConfigureAwait(false);
            return App.CancelledExitCode;
        }

        using (model)
        {
            model.Module.to(device);
            if (settings.BFloat16)
            {
                // The renderer feeds a model the type of its weights; the images stay float32.
                model.Module.to(torch.ScalarType.BFloat16);
            }

            double loadSeconds = total.Elapsed.TotalSeconds;
            if (settings.Command == AppCommand.Layers)
            {
                PrintLayers(console, model);
                return 0;
            }

            try
            {
                OutputFolder.Prepare(settings.OutputDirectory); // created and proved writable before the render
            }
            catch (OutputFolderException ex)
            {
                await output.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
                return App.ErrorExitCode;
            }

            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"Model: {model.Description}{(settings.BFloat16 ? ", in bfloat16" : string.Empty)}, on {TorchDevices.Describe(device)}. {settings.Steps} steps, {settings.Size} px (model input {(settings.InputSize is int n ? $"{n} px" : "224 px")}), seed {settings.Seed}. Output: {Path.GetFullPath(settings.OutputDirectory)}")).ConfigureAwait(false);
            await output.WriteLineAsync("Kernels: " + (LucentRuntime.Kernels?.Description ?? "not checked")).ConfigureAwait(false);
            var parts = Experiments.For(model.Kind, settings.Parts);
            var outcome = live
                ? await LiveObserver.RunAsync(console, observer => Task.Run(() => RenderParts(model, parts, settings, observer, cancellationToken), CancellationToken.None)).ConfigureAwait(false)
                : await Task.Run(() => RenderParts(model, parts, settings, new PlainObserver(output), cancellationToken), CancellationToken.None).ConfigureAwait(false);

            if (outcome.Images.Count == 0)
            {
                await output.WriteLineAsync("Cancelled before any image was rendered; nothing was written.").ConfigureAwait(false);
                return App.CancelledExitCode;
            }

            RunResults results;
            try
            {
                results = OutputWriter.Write(settings, model, outcome.Parts, outcome.Images, loadSeconds, total.Elapsed.TotalSeconds);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The folder was writable before the render; it stopped being so (disk full, permissions changed).
                await output.WriteLineAsync($"error: writing the outputs to '{Path.GetFullPath(settings.OutputDirectory)}' failed: {ex.Message}").ConfigureAwait(false);
                return App.ErrorExitCode;
            }

            PrintSummary(console, results, outcome.Images);
            await output.WriteLineAsync("Render defaults: " + (device.type != DeviceType.CPU ? "the whole batch per pass (not a CPU)"
                : LucentRuntime.Tuning is { } tuning ? $"{tuning.Description} for the last batched workload ({tuning.Workload})"
                : "no batched render")).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                await output.WriteLineAsync("Cancelled: the outputs hold the images rendered so far.").ConfigureAwait(false);
                return App.CancelledExitCode;
            }

            return 0;
        }
    }

    /// <summary>Renders and measures every part.</summary>
    /// <param name="model">The model.</param>
    /// <param name="parts">The parts.</param>
    /// <param name="settings">The settings.</param>
    /// <param name="observer">Progress display.</param>
    /// <param name="cancellationToken">Stops after the current step.</param>
    /// <returns>The part timings and the images.</returns>
    public static (IReadOnlyList<PartInfo> Parts, IReadOnlyList<RenderedImage> Images) RenderParts(
        LoadedModel model, IReadOnlyList<TutorialPart> parts, AppSettings settings, IRunObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(observer);
        var partInfos = new List<PartInfo>();
        var images = new List<RenderedImage>();

        // Each distinct configuration is rendered once: a single-image render with the same objective, parameterisation
        // and transforms as an earlier one (same seed and steps) would give the same bytes, so it reuses that image.
        var rendered = new Dictionary<(string Layer, int Channel, bool Fft, bool Decorrelate, TransformSet Transforms), (RenderJob Job, GroupRender Render)>();
        foreach (var part in parts)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            var watch = Stopwatch.StartNew();
            var partImages = new List<RenderedImage>();
            foreach (var group in part.Groups)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                string label = group.Jobs.Count == 1
                    ? $"Part {part.Number}: {group.Jobs[0].Title} ({group.Jobs[0].Objective})"
                    : group.Jobs.All(j => j.Layer == group.Jobs[0].Layer)
                        ? $"Part {part.Number}: {group.Jobs[0].Layer} channels {group.Jobs[0].Channel}-{group.Jobs[^1].Channel} (batch of {group.Jobs.Count}; objective summed)"
                        : $"Part {part.Number}: channel {group.Jobs[0].Channel} of {string.Join(", ", group.Jobs.Select(j => j.Layer))} (batch of {group.Jobs.Count}; objective summed)";
                var only = group.Jobs[0];
                var key = (only.Layer, only.Channel, only.Parameterization.Fft, only.Parameterization.Decorrelate, only.Transforms);
                if (group.Jobs.Count == 1 && rendered.TryGetValue(key, out var earlier))
                {
                    observer.Message($"{label}: same settings as part {earlier.Job.Part}'s {earlier.Job.Title}; reusing that image (it would come out byte-identical).");
                    var reused = Measure(model, only, earlier.Render, 0, settings, 0);
                    partImages.Add(reused with { Info = reused.Info with { SameRenderAs = earlier.Job.Id } });
                    continue;
                }

                var tracker = observer.Begin(label, settings.Steps);
                var render = ImageRenderer.Render(model.Module, group, settings.Size, settings.Steps, settings.Seed, settings.InputSize, tracker, cancellationToken);
                if (group.Jobs.Count == 1 && render.Result.StopReason == RenderStopReason.Completed)
                {
                    rendered[key] = (only, render);
                }

                for (int i = 0; i < group.Jobs.Count; i++)
                {
                    partImages.Add(Measure(model, group.Jobs[i], render, i, settings, render.Result.Elapsed.TotalSeconds / group.Jobs.Count));
                }

                tracker.Finish(string.Create(
                    CultureInfo.InvariantCulture,
                    $"objective {render.Traces.Sum(t => t.First):F3} -> {render.Traces.Sum(t => t.Last):F3} in {render.Result.Elapsed.TotalSeconds:F1} s"));
            }

            images.AddRange(partImages);
            partInfos.Add(new PartInfo(part.Number, part.Title, part.FigureFile, part.Rows, part.Columns, watch.Elapsed.TotalSeconds, partImages.Select(p => p.Job.Id).ToArray()));
        }

        return (partInfos, images);
    }

    private static RenderedImage Measure(LoadedModel model, RenderJob job, GroupRender render, int index, AppSettings settings, double seconds)
    {
        var images = render.Images;
        double plain = ClaimMeasurements.PlainActivation(model.Module, job.Layer, job.Channel, images, index, settings.InputSize);
        RobustnessInfo? robustness = null;
        if (job.Part == 3)
        {
            var (untransformed, transformed, ratio) = ClaimMeasurements.Robustness(model.Module, job.Layer, job.Channel, images, index, settings.Seed, settings.InputSize);
            robustness = new RobustnessInfo(untransformed, transformed, ratio);
        }

        var info = new ImageInfo
        {
            Part = job.Part,
            Id = job.Id,
            File = ImagesFolder + "/" + job.Id + ".png",
            Title = job.Title,
            Objective = $"channel({job.Layer}, {job.Channel})",
            TutorialObjective = $"channel({job.TutorialLayer}, {job.Channel})",
            Parameterization = job.Parameterization.Describe(settings.Size),
            Transforms = Experiments.Describe(job.Transforms),
            ObjectiveFirst = render.Traces[index].First,
            ObjectiveLast = render.Traces[index].Last,
            ObjectiveFinalImage = plain,
            HighFrequencyShare = ImageMetrics.HighFrequencyEnergyShare(images, ClaimMeasurements.HighFrequencyCutoff, index),
            PngBytesPerPixel = ImageMetrics.PngBytesPerPixel(images, index),
            StructureScale = ImageMetrics.StructureScale(images, index),
            EdgeCoherence = images.Height >= 11 && images.Width >= 11 ? ImageMetrics.EdgeCoherence(images, index) : double.NaN,
            Robustness = robustness,
            Seconds = seconds,
            ObjectiveCurve = Curve(render.Result.ImageLosses.Count > index ? render.Result.ImageLosses[index] : []),
        };
        return new RenderedImage(job, images, index, info);
    }

    /// <summary>The objective (minus the loss) at up to <see cref="CurvePoints"/> evenly spaced steps, the first and last included.</summary>
    /// <param name="losses">The loss at every step.</param>
    /// <returns>The thinned objective values.</returns>
    public static IReadOnlyList<double> Curve(IReadOnlyList<double> losses)
    {
        ArgumentNullException.ThrowIfNull(losses);
        if (losses.Count <= CurvePoints)
        {
            return losses.Select(l => -l).ToArray();
        }

        return Enumerable.Range(0, CurvePoints)
            .Select(i => -losses[(int)Math.Round((double)i * (losses.Count - 1) / (CurvePoints - 1))])
            .ToArray();
    }

    private static void PrintLayers(IAnsiConsole console, LoadedModel model)
    {
        console.WriteLine($"Model: {model.Description}");
        console.WriteLine($"Weights: {model.WeightsSource}");
        console.WriteLine("Kernels: " + (LucentRuntime.Kernels?.Description ?? "not checked"));
        var table = new Table().AddColumns("Layer", "Output shape at 224x224", "Module");
        foreach (var layer in ModelLayers.Describe(model.Module, 224, 224))
        {
            table.AddRow(Markup.Escape(layer.Name), Markup.Escape(layer.FormatShape()), Markup.Escape(layer.ModuleType));
        }

        console.Write(table);
        var mapping = new Table().AddColumns("Tutorial layer (InceptionV1)", "Layer rendered", "Why");
        foreach (var map in LayerMapping.For(model.Kind))
        {
            mapping.AddRow(map.TutorialLayer, map.ModelLayer, Markup.Escape(map.Reason));
        }

        console.Write(mapping);
    }

    private static void PrintSummary(IAnsiConsole console, RunResults results, IReadOnlyList<RenderedImage> images)
    {
        var table = new Table { Title = new TableTitle("Summary") }
            .AddColumns("Part", "Image", "Param.", "Transf.", "Obj. first", "Obj. last", "HF share", "PNG B/px", "Robust.", "s");
        foreach (var image in images.Select(i => i.Info))
        {
            table.AddRow(
                image.Part.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(image.Title),
                image.Parameterization.Contains("fft=True", StringComparison.Ordinal) ? (image.Parameterization.Contains("decorrelate=True", StringComparison.Ordinal) ? "FFT+decorr" : "FFT") : (image.Parameterization.Contains("decorrelate=True", StringComparison.Ordinal) ? "decorr" : "pixel"),
                image.Transforms.StartsWith("standard", StringComparison.Ordinal) ? "standard" : image.Transforms.StartsWith("[]", StringComparison.Ordinal) ? "none" : Markup.Escape(image.Transforms),
                Format(image.ObjectiveFirst),
                Format(image.ObjectiveLast),
                Format(image.HighFrequencyShare),
                Format(image.PngBytesPerPixel),
                image.Robustness is { } r ? Format(r.Ratio) : "",
                image.Seconds.ToString("F1", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        var parts = new Table { Title = new TableTitle("Timings") }.AddColumns("Part", "Images", "Seconds");
        foreach (var part in results.Parts)
        {
            parts.AddRow(part.Number.ToString(CultureInfo.InvariantCulture), part.ImageIds.Count.ToString(CultureInfo.InvariantCulture), part.Seconds.ToString("F1", CultureInfo.InvariantCulture));
        }

        parts.AddRow("model load", "", results.ModelLoadSeconds.ToString("F1", CultureInfo.InvariantCulture));
        parts.AddRow("total", results.Images.Count.ToString(CultureInfo.InvariantCulture), results.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture));
        console.Write(parts);
        foreach (var claim in results.Claims)
        {
            console.WriteLine((claim.Part == 0 ? "All images" : $"Part {claim.Part}") + ": " + claim.Verdict);
        }

        console.WriteLine($"Wrote {results.Images.Count} images, {results.Parts.Count} figures, {ResultsFile} and {ReportFile}.");
    }

    private static string Format(double value) => value.ToString("G4", CultureInfo.InvariantCulture);
}
