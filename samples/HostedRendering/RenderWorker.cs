using System.Globalization;
using Lucent.Net.DependencyInjection;
using Lucent.Net.Imaging;
using Lucent.Net.Objectives;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace HostedRenderingSample;

/// <summary>The "Render" section of appsettings.json.</summary>
public sealed class RenderSettings
{
    public string Model { get; set; } = "tiny";

    public string Objective { get; set; } = "channel(conv3, 0)";

    public string? Pipeline { get; set; }

    public int? BatchSize { get; set; }

    public string Output { get; set; } = "output/hosted.png";
}

/// <summary>Renders the configured objective once, saves the images, then stops the application.</summary>
public sealed class RenderWorker(
    IFeatureRenderer renderer,
    IModelCatalog models,
    ITransformPipelineProvider pipelines,
    IOptions<RenderSettings> settings,
    IHostApplicationLifetime lifetime,
    ILogger<RenderWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var s = settings.Value;
        try
        {
            logger.LogInformation("Model '{Model}' ({Models} registered); the sample's model has random weights.", s.Model, string.Join(", ", models.Names));
            var result = await renderer.RenderModelAsync(
                s.Model,
                s.Objective,
                o => (s.BatchSize is int batch ? o.WithImage(i => i with { Batch = batch }) : o) with // the configured Lucent:* render options, changed for this render
                {
                    Transforms = s.Pipeline is null ? o.Transforms : pipelines.Get(s.Pipeline).Transforms,
                },
                cancellationToken: stoppingToken); // Ctrl+C: the host cancels this token
            if (result.Snapshots.Count == 0)
            {
                logger.LogWarning("Stopped before the first step; nothing to save.");
                return;
            }

            string output = Path.GetFullPath(s.Output, AppContext.BaseDirectory);
            Directory.CreateDirectory(Path.GetDirectoryName(output)!);
            foreach (var snapshot in result.Snapshots)
            {
                string path = Path.ChangeExtension(output, null) + string.Create(CultureInfo.InvariantCulture, $"-step{snapshot.Step}.png");
                snapshot.Images.SavePngStrip(path);
                logger.LogInformation("Saved step {Step} (loss {Loss:G4}) to {Path}", snapshot.Step, snapshot.Loss, path);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError("{Message}", ex.Message);
            Environment.ExitCode = 1;
        }
        finally
        {
            lifetime.StopApplication();
        }
    }
}

/// <summary>The plugin objective: minus one channel at the centre position of a layer.</summary>
public static class CenterObjective
{
    public static Objective Create(string layer, int channel) => Objective.FromDelegate(
        string.Create(CultureInfo.InvariantCulture, $"center({layer}, {channel})"),
        [layer],
        a =>
        {
            Tensor t = a[layer];
            return t.select(1, channel).select(1, t.shape[2] / 2).select(1, t.shape[3] / 2).mean().neg();
        });
}
