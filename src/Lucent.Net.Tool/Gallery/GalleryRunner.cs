using Lucent.Net.Tool.CommandLine;
using Lucent.Net.Devices;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Lucent.Net.Imaging;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using static TorchSharp.torch;

namespace Lucent.Net.Tool.Gallery;

/// <summary>Settings of one worker (not part of the plan: they do not change the images on one machine).</summary>
internal sealed record GalleryRunSettings(ShardSpec Shard, string Device, int? Threads, string? Unit = null);

/// <summary>What a run did.</summary>
internal sealed record GalleryRunSummary(int Rendered, int Skipped, int Failed, long ImageSteps, TimeSpan Elapsed);

/// <summary>Renders the units of one shard of a plan, skipping finished ones; every output lands atomically.</summary>
internal static class GalleryRunner
{
    public static async Task<GalleryRunSummary> RunAsync(string dir, GalleryRunSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(output);
        var clock = Stopwatch.StartNew();
        var plan = GalleryPlan.Load(dir);
        var done = GalleryFiles.ReadDone(dir, plan);
        if (done.Values.FirstOrDefault(r => r.OptionsHash != plan.OptionsHash) is { } foreign)
        {
            throw new GalleryConflictException(
                $"'{Path.GetFullPath(dir)}' holds unit {foreign.Unit} rendered with options {foreign.OptionsHash}, but its plan has options {plan.OptionsHash}: use a new folder for other options.");
        }

        var units = settings.Unit is { } only
            ? plan.Units.Where(u => u.Id == only).ToArray() is { Length: 1 } one ? one : throw new ToolException($"--unit: the plan has no unit '{only}'.")
            : plan.UnitsOf(settings.Shard);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Gallery {plan.OptionsHash}: shard {settings.Shard} ({settings.Shard.Source}), {units.Count} of {plan.Units.Count} units.")).ConfigureAwait(false);
        int rendered = 0, skipped = 0, failed = 0;
        long imageSteps = 0;
        nn.Module<Tensor, Tensor>? model = null;
        try
        {
            for (int k = 0; k < units.Count; k++)
            {
                var unit = units[k];
                string prefix = string.Create(CultureInfo.InvariantCulture, $"[{k + 1}/{units.Count}] {unit.Id}");
                if (done.ContainsKey(unit.Id))
                {
                    skipped++;
                    await output.WriteLineAsync($"{prefix}: done, skipped").ConfigureAwait(false);
                    continue;
                }

                if (DoneByAnother(dir, plan, unit))
                {
                    // A worker of an overlapping shard (or a second run of the whole plan) finished it since this run began.
                    skipped++;
                    await output.WriteLineAsync($"{prefix}: done by another worker, skipped").ConfigureAwait(false);
                    continue;
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (model is null)
                {
                    if (settings.Threads is int threads)
                    {
                        set_num_threads(threads);
                    }

                    var device = TorchDevices.Parse(settings.Device);
                    model = await ModelSource.LoadAsync(plan.Options.Model, device, cancellationToken).ConfigureAwait(false);
                }

                await output.WriteLineAsync(unit.IsExamples
                    ? string.Create(CultureInfo.InvariantCulture, $"{prefix}: dataset examples of images {unit.ImageFirst}-{unit.ImageFirst + unit.ImageCount - 1}")
                    : $"{prefix}: rendering {unit.Kind} of {unit.Layer} channels {string.Join(',', unit.Channels)}").ConfigureAwait(false);
                var unitClock = Stopwatch.StartNew();
                try
                {
                    int images;
                    if (unit.IsExamples)
                    {
                        var (used, skippedImages) = GalleryExamples.RunUnit(dir, plan, unit, model, output, prefix, cancellationToken);
                        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{prefix}: {used} images used, {skippedImages} skipped")).ConfigureAwait(false);
                        images = unit.ImageCount;
                    }
                    else
                    {
                        images = RenderUnit(dir, plan, unit, model, cancellationToken);
                    }

                    long steps = GalleryKinds.ImageSteps(plan.Options, unit);
                    var record = new UnitRecord(unit.Id, plan.OptionsHash, images, steps, Math.Round(unitClock.Elapsed.TotalSeconds, 3), Worker(settings.Shard), DateTimeOffset.UtcNow);
                    AtomicFile.WriteAllText(GalleryPaths.Inside(dir, GalleryFiles.DoneFolder, unit.Id + ".json"), JsonSerializer.Serialize(record, GalleryJson.Indented) + "\n");
                    rendered++;
                    imageSteps += steps;
                    await output.WriteLineAsync(unit.IsExamples
                        ? string.Create(CultureInfo.InvariantCulture, $"{prefix}: examined {images} images in {unitClock.Elapsed.TotalSeconds:F1} s ({images / Math.Max(unitClock.Elapsed.TotalSeconds, 1e-9):F1} images/s)")
                        : string.Create(CultureInfo.InvariantCulture, $"{prefix}: rendered {images} images in {unitClock.Elapsed.TotalSeconds:F1} s ({steps / Math.Max(unitClock.Elapsed.TotalSeconds, 1e-9):F1} image-steps/s)")).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException && DoneByAnother(dir, plan, unit))
                {
                    // Another worker on the same unit finished it (its files are the same bytes): not a failure of this run.
                    skipped++;
                    await output.WriteLineAsync($"{prefix}: done by another worker, skipped ({ModelSource.FirstLine(e.Message)})").ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    failed++;
                    await output.WriteLineAsync($"{prefix}: failed: {ModelSource.FirstLine(e.Message)}").ConfigureAwait(false);
                }
            }
        }
        finally
        {
            model?.Dispose();
            GalleryFiles.RemoveStagingIfEmpty(dir);
        }

        var summary = new GalleryRunSummary(rendered, skipped, failed, imageSteps, clock.Elapsed);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Summary: {rendered} rendered, {skipped} skipped, {failed} failed units; {imageSteps} image-steps in {clock.Elapsed.TotalSeconds:F1} s (shard {settings.Shard}; {imageSteps / Math.Max(clock.Elapsed.TotalSeconds, 1e-9):F1} image-steps/s on this worker; {GalleryMicroBatch.Describe(plan.Options)}, {get_num_threads()} threads, kernels {Lucent.Net.Runtime.LucentRuntime.Kernels?.Configuration.ToString() ?? "unchecked"}).")).ConfigureAwait(false);
        return summary;
    }

    /// <summary>Renders one unit into a private staging folder, then moves each file into place (rename), and returns the image count.</summary>
    private static int RenderUnit(string dir, GalleryPlan plan, GalleryUnit unit, nn.Module<Tensor, Tensor> model, CancellationToken cancellationToken)
    {
        var options = plan.Options;
        StagingArea.RemoveStale(dir, unit.Id);
        int batch = unit.Channels.Count;
        var renderOptions = options.UnitRenderOptions(unit.Seed);

        // One render per unit (a batch of its channels), or for diversity one render per channel (a batch of its images).
        var renders = new List<(RenderResult Result, IReadOnlyList<double> Losses, int Index)>();
        if (unit.Kind == GalleryKinds.Diversity)
        {
            int images = GalleryKinds.ImagesPerThreshold(options, unit.Kind);
            foreach (int channel in unit.Channels)
            {
                var objective = GalleryKinds.DiversityObjective(unit.Layer, channel, options.DiversityWeight ?? GalleryKinds.DefaultDiversityWeight);
                var result = Renderer.Render(model, objective, renderOptions with
                {
                    Parameterization = new ImageOptions(options.Size) { Batch = images },
                    Seed = GalleryPlan.UnitSeed(unit.Seed, channel.ToString(CultureInfo.InvariantCulture)),
                }, progress: null, cancellationToken);
                renders.Add((Check(result, cancellationToken), result.Losses, 0));
            }
        }
        else
        {
            var objectives = unit.Channels.Select((channel, i) => GalleryKinds.Objective(unit.Kind, unit.Layer, channel, i)).ToList();
            var result = Check(Renderer.RenderBatch(model, objectives, renderOptions, progress: null, cancellationToken), cancellationToken);
            for (int i = 0; i < batch; i++)
            {
                renders.Add((result, result.ImageLosses[i], i));
            }
        }

        GalleryCrashPoint.Reach(unit.Id, "rendered");
        using var area = StagingArea.Create(dir, unit.Id);
        string staging = area.Folder;
        var files = new List<string>();
        int written = 0;
        for (int i = 0; i < batch; i++)
        {
            int channel = unit.Channels[i];
            var (result, losses, index) = renders[i];
            var images = new List<ChannelImage>();
            foreach (var snapshot in result.Snapshots)
            {
                int count = unit.Kind == GalleryKinds.Diversity ? snapshot.Images.Batch : 1;
                for (int d = 0; d < count; d++)
                {
                    string name = GalleryKinds.ImageName(channel, unit.Kind, snapshot.Step, d);
                    File.WriteAllBytes(Path.Combine(staging, name), snapshot.Images.ToPngBytes(unit.Kind == GalleryKinds.Diversity ? d : index));
                    files.Add(name);
                    images.Add(new ChannelImage(snapshot.Step, name));
                    written++;
                }
            }

            if (options.IsMaco)
            {
                // The transparency map beside the final image: as its alpha (RGBA) and as a heat map. Not counted as images.
                var transparency = result.Transparency ?? throw new ToolException("the MACO render returned no transparency map.");
                var final = result.Snapshots[^1].Images;
                foreach (var (name, png) in new[]
                {
                    (GalleryKinds.TransparencyName(channel, unit.Kind), TransparencyMaps.WithAlpha(final, transparency, index).ToPngBytes()),
                    (GalleryKinds.HeatMapName(channel, unit.Kind), TransparencyMaps.HeatMap(transparency, index).ToPngBytes()),
                })
                {
                    File.WriteAllBytes(Path.Combine(staging, name), png);
                    files.Add(name);
                }
            }

            var record = new ChannelRecord(unit.Layer, channel, unit.Id, i, unit.Seed, plan.OptionsHash, images, -losses[0], -losses[^1], losses, unit.Kind);
            string json = GalleryKinds.JsonName(channel, unit.Kind);
            File.WriteAllText(Path.Combine(staging, json), JsonSerializer.Serialize(record, GalleryJson.Indented) + "\n");
            files.Add(json);
        }

        GalleryCrashPoint.Reach(unit.Id, "staged");
        Directory.CreateDirectory(GalleryPaths.Inside(dir, GalleryFiles.LayersFolder));
        Directory.CreateDirectory(GalleryPaths.Inside(dir, GalleryFiles.LayersFolder, unit.Folder));
        foreach (string name in files)
        {
            // rename(2) within one file system: a reader (or a killed worker) never leaves half a file at the final path.
            File.Move(Path.Combine(staging, name), GalleryPaths.Inside(dir, GalleryFiles.LayersFolder, unit.Folder, name), overwrite: true);
            GalleryCrashPoint.Reach(unit.Id, "moved");
        }

        return written;
    }

    private static RenderResult Check(RenderResult result, CancellationToken cancellationToken)
    {
        if (result.StopReason == RenderStopReason.Cancelled)
        {
            throw new OperationCanceledException(cancellationToken);
        }

        return result.StopReason == RenderStopReason.Completed
            ? result
            : throw new ToolException($"the render stopped early ({result.StopReason}): {result.StopMessage}");
    }

    /// <summary>Whether the unit has a valid done marker of this plan's options (written by any worker).</summary>
    private static bool DoneByAnother(string dir, GalleryPlan plan, GalleryUnit unit) =>
        GalleryFiles.ReadDoneMarker(dir, plan, unit) is { } record && record.OptionsHash == plan.OptionsHash;

    private static string Worker(ShardSpec shard) =>
        string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{Environment.ProcessId} shard {shard}");
}
