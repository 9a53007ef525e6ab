using System.Globalization;

namespace Lucent.Net.Tool.Gallery;

/// <summary>Progress of one layer.</summary>
internal sealed record LayerStatus(string Layer, int DoneChannels, int TotalChannels, int DoneUnits, int TotalUnits);

/// <summary>Progress of a gallery, from its plan and done markers.</summary>
internal sealed record GalleryStatusReport(
    string OptionsHash,
    IReadOnlyList<LayerStatus> Layers,
    long DoneImageSteps,
    long PendingImageSteps,
    double WorkerSeconds,
    int Workers)
{
    /// <summary>Image-steps per second of one worker (rendering time only), or NaN before the first unit.</summary>
    public double ImageStepsPerSecond => WorkerSeconds > 0 ? DoneImageSteps / WorkerSeconds : double.NaN;

    /// <summary>Time left at <see cref="Workers"/> workers of the measured speed, or null before the first unit (or beyond what a <see cref="TimeSpan"/> holds).</summary>
    public TimeSpan? EstimatedRemaining => PendingImageSteps / ImageStepsPerSecond / Workers is double seconds && double.IsFinite(seconds) && seconds < TimeSpan.MaxValue.TotalSeconds / 2
        ? TimeSpan.FromSeconds(seconds)
        : null;

    public static GalleryStatusReport Read(string dir, int workers)
    {
        var plan = GalleryPlan.Load(dir);
        var done = GalleryFiles.ReadDone(dir, plan);
        var layers = new List<LayerStatus>();
        long doneSteps = 0, pendingSteps = 0;
        double seconds = 0;
        foreach (var layer in plan.Layers)
        {
            var units = plan.Units.Where(u => u.Layer == layer.Name).ToArray();
            var finished = units.Where(u => done.TryGetValue(u.Id, out var r) && r.OptionsHash == plan.OptionsHash).ToArray();
            layers.Add(new LayerStatus(layer.Name, finished.Sum(u => u.Channels.Count), layer.Channels.Count, finished.Length, units.Length));
            foreach (var unit in units)
            {
                long steps = (long)unit.Channels.Count * plan.Options.Steps;
                if (done.TryGetValue(unit.Id, out var record) && record.OptionsHash == plan.OptionsHash)
                {
                    doneSteps += steps;
                    seconds += record.Seconds;
                }
                else
                {
                    pendingSteps += steps;
                }
            }
        }

        return new GalleryStatusReport(plan.OptionsHash, layers, doneSteps, pendingSteps, seconds, Math.Max(1, workers));
    }

    public string FormatSummary()
    {
        string speed = double.IsNaN(ImageStepsPerSecond)
            ? "no unit finished yet"
            : string.Create(CultureInfo.InvariantCulture, $"{ImageStepsPerSecond:F1} image-steps/s per worker");
        string eta = EstimatedRemaining is { } left
            ? string.Create(CultureInfo.InvariantCulture, $"ETA {FormatDuration(left)} with {Workers} worker{(Workers == 1 ? string.Empty : "s")}")
            : "ETA unknown";
        int doneChannels = Layers.Sum(l => l.DoneChannels), total = Layers.Sum(l => l.TotalChannels);
        return string.Create(CultureInfo.InvariantCulture, $"{doneChannels}/{total} channels done, {PendingImageSteps} image-steps pending; {speed}; {eta}.");
    }

    public static string FormatDuration(TimeSpan span) => span.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours} h {span.Minutes:D2} min")
        : string.Create(CultureInfo.InvariantCulture, $"{span.Minutes} min {span.Seconds:D2} s");
}
