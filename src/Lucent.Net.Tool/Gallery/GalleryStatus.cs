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
    int Workers,
    DatasetStatus? Dataset = null)
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
            var units = plan.Units.Where(u => u.Layer == layer.Name && !u.IsExamples).ToArray();
            var finished = units.Where(u => done.TryGetValue(u.Id, out var r) && r.OptionsHash == plan.OptionsHash).ToArray();
            int kinds = plan.Options.RenderKinds.Count;
            layers.Add(new LayerStatus(layer.Name, finished.Sum(u => u.Channels.Count), layer.Channels.Count * kinds, finished.Length, units.Length));
            foreach (var unit in units)
            {
                long steps = GalleryKinds.ImageSteps(plan.Options, unit);
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

        DatasetStatus? dataset = null;
        if (plan.Options.Dataset is not null)
        {
            var units = plan.Units.Where(u => u.IsExamples).ToArray();
            var finished = units.Where(u => done.TryGetValue(u.Id, out var r) && r.OptionsHash == plan.OptionsHash).ToArray();
            dataset = new DatasetStatus(
                finished.Length,
                units.Length,
                finished.Sum(u => (long)u.ImageCount),
                units.Sum(u => (long)u.ImageCount),
                finished.Sum(u => done[u.Id].Seconds));
        }

        return new GalleryStatusReport(plan.OptionsHash, layers, doneSteps, pendingSteps, seconds, Math.Max(1, workers), dataset);
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
        string renders = string.Create(CultureInfo.InvariantCulture, $"Renders: {doneChannels}/{total} channels done, {PendingImageSteps} image-steps pending; {speed}; {eta}.");
        return Dataset is null ? renders : renders + Environment.NewLine + Dataset.Format(Workers);
    }

    /// <summary>Formats a duration as hours and minutes, or minutes and seconds.</summary>
    public static string FormatDuration(TimeSpan span) => span.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours} h {span.Minutes:D2} min")
        : string.Create(CultureInfo.InvariantCulture, $"{span.Minutes} min {span.Seconds:D2} s");
}

/// <summary>Progress of the dataset examples: units and images done, and the time their workers took.</summary>
internal sealed record DatasetStatus(int DoneUnits, int TotalUnits, long DoneImages, long TotalImages, double WorkerSeconds)
{
    /// <summary>Images per second of one worker, or NaN before the first dataset unit.</summary>
    public double ImagesPerSecond => WorkerSeconds > 0 ? DoneImages / WorkerSeconds : double.NaN;

    /// <summary>One line: units and images done, throughput, ETA at <paramref name="workers"/> workers.</summary>
    public string Format(int workers)
    {
        double seconds = (TotalImages - DoneImages) / ImagesPerSecond / Math.Max(1, workers);
        string speed = double.IsNaN(ImagesPerSecond) ? "no dataset unit finished yet" : string.Create(CultureInfo.InvariantCulture, $"{ImagesPerSecond:F1} images/s per worker");
        string eta = double.IsFinite(seconds) && seconds < TimeSpan.MaxValue.TotalSeconds / 2
            ? "ETA " + GalleryStatusReport.FormatDuration(TimeSpan.FromSeconds(seconds))
            : "ETA unknown";
        return string.Create(CultureInfo.InvariantCulture, $"Dataset examples: {DoneUnits}/{TotalUnits} units, {DoneImages}/{TotalImages} images done; {speed}; {eta}.");
    }
}
