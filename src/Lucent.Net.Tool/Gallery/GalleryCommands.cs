using Lucent.Net.Tool.CommandLine;
using Spectre.Console;
using System.CommandLine;
using System.Globalization;

namespace Lucent.Net.Tool.Gallery;

/// <summary><c>lucent gallery plan|run|status|site</c>.</summary>
internal static class GalleryCommands
{
    public static Command Create(TextWriter output)
    {
        var gallery = new Command("gallery", "Whole-model galleries: plan the work, run it (sharded), follow it, publish it as a static site.");
        gallery.Subcommands.Add(Plan(output));
        gallery.Subcommands.Add(Run(output));
        gallery.Subcommands.Add(Status(output));
        gallery.Subcommands.Add(Site(output));
        return gallery;
    }

    private static Argument<string> DirArgument() => CommonOptions.PathSymbol(new Argument<string>("dir") { Description = "The gallery folder (holds gallery.json)." });

    private static Command Plan(TextWriter output)
    {
        var model = CommonOptions.ModelArgument();
        var layers = new Option<string>("--layers") { Description = "Layers, comma-separated, or all (every layer with (batch, channels, height, width) output).", Required = true, HelpName = "a,b|all" };
        var channels = new Option<string>("--channels") { Description = "Channels of every layer: all, or ranges such as 0-63 or 0-3,10. Default all.", DefaultValueFactory = _ => "all", HelpName = "0-63|all" };
        var steps = CommonOptions.IntOption("--steps", "Optimisation steps per image.", 512, 1, GalleryLimits.MaxSteps);
        var thresholds = new Option<string?>("--thresholds") { Description = "Also keep images at these steps, e.g. 64,256.", HelpName = "a,b" };
        var size = CommonOptions.IntOption("--size", "Image width and height in pixels.", 128, GalleryLimits.MinSize, GalleryLimits.MaxSize);
        var inputSize = new Option<int?>("--input-size") { Description = "Resize images to n x n for the model. Default: Lucent's rule (upsample to 224 when smaller).", HelpName = "n" };
        var batch = CommonOptions.IntOption("--batch", "Channels per work unit, rendered as one batch (1 with --param maco).", 8, 1, GalleryLimits.MaxBatch);
        var param = new Option<string>("--param") { Description = "Image parameterisation: fft (Lucent's default) or maco (fixed natural magnitude spectrum, optimised phase, MACO's crops, NAdam, learning rate 1.0; one channel per unit, its transparency map written beside the image as NAME_alpha.png and NAME_heat.png; kinds channel, negative and neuron).", DefaultValueFactory = _ => "fft", HelpName = "fft|maco" };
        param.AcceptOnlyFromAmong("fft", GalleryKinds.Maco);
        var seed = new Option<long>("--seed") { Description = "Plan seed; each unit's seed derives from it and the unit id. Default 0.", HelpName = "n" };
        var noTransforms = new Option<bool>("--no-transforms") { Description = "Render without Lucent's standard transforms." };
        var microBatch = new Option<string?>("--micro-batch") { Description = "Images per pass through the model in a unit's render, pinned in the plan so every worker makes the same bytes: a number up to --batch (default 4), whole, or auto (measured on this machine).", HelpName = "auto|whole|n" };
        var outDir = CommonOptions.PathSymbol(new Option<string>("--out", "-o") { Description = "The gallery folder to create.", Required = true, HelpName = "dir" });
        var microscope = MicroscopeOptions.Create();
        var command = new Command("plan", "Write DIR/gallery.json: the options, their hash and the deterministic list of work units.")
        {
            model, layers, channels, steps, thresholds, size, inputSize, batch, param, seed, noTransforms, microBatch, outDir,
        };
        microscope.AddTo(command);
        command.SetAction(async (result, token) =>
        {
            string dir = result.GetRequiredValue(outDir);
            string modelSpec = result.GetRequiredValue(model);
            int stepCount = result.GetValue(steps);

            // MACO's crops are per image: a MACO unit renders one channel (--batch defaults to 1 and must be 1).
            bool maco = result.GetValue(param) == GalleryKinds.Maco;
            int batchSize = maco && result.GetResult(batch) is null or { Implicit: true } ? 1 : result.GetValue(batch);

            // A unit renders --batch images of --size at --input-size: refuse what no render would accept, before the model loads.
            GalleryOptions.ValidateImage(result.GetValue(size), result.GetValue(inputSize), batchSize, !result.GetValue(noTransforms), maco);
            using var module = await ModelSource.LoadAsync(modelSpec, null, token).ConfigureAwait(false);
            var available = ModelSource.ChannelCounts(module);
            string layerText = result.GetRequiredValue(layers);
            IReadOnlyList<string> names = layerText.Trim().Equals("all", StringComparison.OrdinalIgnoreCase)
                ? ModelSource.ChannelLayers(module).Select(l => l.Name).ToArray()
                : layerText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            foreach (string name in names.Where(n => !available.ContainsKey(n)))
            {
                throw new ToolException($"--layers: '{name}' is not a layer of {modelSpec} with (batch, channels, height, width) output; 'lucent layers {modelSpec}' lists them.");
            }

            var options = new GalleryOptions
            {
                Model = modelSpec,
                Layers = names.Distinct(StringComparer.Ordinal).ToArray(),
                Channels = result.GetValue(channels) ?? "all",
                Thresholds = CommonOptions.Thresholds(result.GetValue(thresholds), stepCount),
                Size = result.GetValue(size),
                InputSize = result.GetValue(inputSize),
                Batch = batchSize,
                Seed = result.GetValue(seed),
                Transforms = !result.GetValue(noTransforms),
                Param = maco ? GalleryKinds.Maco : null,
            };
            options = microscope.Apply(result, options);
            string path = Path.Combine(dir, GalleryPlan.FileName);
            var existing = File.Exists(path) ? GalleryPlan.Load(dir) : null;
            var (pinned, how) = GalleryMicroBatch.Choose(result.GetValue(microBatch), options, available, module, existing?.Options, token);
            options = options with { MicroBatch = pinned };
            var plan = GalleryPlan.Create(options, available);
            if (existing is not null)
            {
                if (existing.OptionsHash != plan.OptionsHash)
                {
                    throw new GalleryConflictException(
                        $"'{Path.GetFullPath(dir)}' already holds a plan with other options ({string.Join(", ", existing.Options.Differences(options))} differ; hash {existing.OptionsHash}, asked {plan.OptionsHash}): use a new folder.");
                }

                await output.WriteLineAsync($"{Path.GetFullPath(path)}: the same plan is already there ({plan.OptionsHash}); nothing changed.").ConfigureAwait(false);
                return 0;
            }

            Directory.CreateDirectory(dir);
            plan.Save(dir);
            await output.WriteLineAsync($"Micro-batch: {GalleryMicroBatch.Describe(options)}, {how}.").ConfigureAwait(false);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{Path.GetFullPath(path)}: {plan.Units.Count} units, {plan.Layers.Sum(l => l.Channels.Count)} channels of {plan.Layers.Count} layers, {GalleryPlanSummary.Describe(plan)}; options {plan.OptionsHash}.")).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static Command Run(TextWriter output)
    {
        var dir = DirArgument();
        var shard = new Option<string?>("--shard") { Description = "Render shard I of N (zero-based: 0/3, 1/3, 2/3). Default: from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX, else the whole plan.", HelpName = "I/N" };
        var shards = new Option<int?>("--shards") { Description = "The shard count N, with the index from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX (needed for Kubernetes).", HelpName = "N" };
        var device = CommonOptions.DeviceOption();
        var threads = CommonOptions.OptionalIntOption("--threads", "CPU threads of LibTorch (default: LibTorch's choice). Byte-identical images across workers need the same value everywhere.", 1, CommonOptions.MaxThreads);
        var unit = new Option<string?>("--unit") { Description = "Render only this unit (its id, as in gallery.json), whatever the shard.", HelpName = "id" };
        var command = new Command("run", "Render the units of one shard; finished units are skipped, so a killed worker is simply run again.") { dir, shard, shards, device, threads, unit };
        command.SetAction(async (result, token) =>
        {
            var spec = ShardSpec.Resolve(result.GetValue(shard), result.GetValue(shards), Environment.GetEnvironmentVariable);
            var summary = await GalleryRunner.RunAsync(
                result.GetRequiredValue(dir),
                new GalleryRunSettings(spec, result.GetValue(device) ?? Lucent.Net.Devices.TorchDevices.Auto, result.GetValue(threads), result.GetValue(unit)),
                output,
                token).ConfigureAwait(false);
            return summary.Failed > 0 ? ExitCodes.FailedUnits : 0;
        });
        return command;
    }

    private static Command Status(TextWriter output)
    {
        var dir = DirArgument();
        var workers = CommonOptions.IntOption("--workers", "Workers to compute the ETA for.", 1, 1, 100_000);
        var command = new Command("status", "Done and pending channels per layer, throughput per worker, ETA.") { dir, workers };
        command.SetAction(async (result, token) =>
        {
            var report = GalleryStatusReport.Read(result.GetRequiredValue(dir), result.GetValue(workers));
            var table = new Spectre.Console.Table().AddColumns("Layer", "Channels done", "Units done");
            foreach (var layer in report.Layers)
            {
                table.AddRow(
                    Spectre.Console.Markup.Escape(layer.Layer),
                    string.Create(CultureInfo.InvariantCulture, $"{layer.DoneChannels}/{layer.TotalChannels}"),
                    string.Create(CultureInfo.InvariantCulture, $"{layer.DoneUnits}/{layer.TotalUnits}"));
            }

            if (report.Dataset is { } dataset)
            {
                table.AddRow("(dataset examples)", string.Create(CultureInfo.InvariantCulture, $"{dataset.DoneImages}/{dataset.TotalImages} images"), string.Create(CultureInfo.InvariantCulture, $"{dataset.DoneUnits}/{dataset.TotalUnits}"));
            }

            CommonOptions.Console(output).Write(table);
            await output.WriteLineAsync(report.FormatSummary()).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static Command Site(TextWriter output)
    {
        var dir = DirArgument();
        var command = new Command("site", "Write a static site into DIR (index.html, a page per layer and per channel) that works from disk and any static host.") { dir };
        command.SetAction(async (result, token) =>
        {
            var written = GallerySite.Write(result.GetRequiredValue(dir), output);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{Path.GetFullPath(written.Index)}: {written.Pages} pages ({written.Channels} channels rendered of {written.PlannedChannels} planned).")).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
