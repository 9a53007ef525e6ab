using Lucent.Net.Tool.CommandLine;
using System.Globalization;

namespace Lucent.Net.Tool.Gallery;

/// <summary>Shard <see cref="Index"/> of <see cref="Count"/> (zero-based), and where that came from.</summary>
internal sealed record ShardSpec(int Index, int Count, string Source)
{
    public static ShardSpec Whole { get; } = new(0, 1, "whole plan");

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");

    /// <summary>Parses <c>I/N</c> (zero-based I below N).</summary>
    public static ShardSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split('/', StringSplitOptions.TrimEntries);
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count))
        {
            throw new ToolException($"--shard must be I/N (zero-based I below N, e.g. 0/3); got '{text}'.");
        }

        return Create(index, count, "--shard");
    }

    /// <summary>
    /// The shard of this process: <c>--shard</c> when given; otherwise Kubernetes' <c>JOB_COMPLETION_INDEX</c> (with
    /// <c>--shards N</c>); otherwise a Slurm array task (<c>SLURM_ARRAY_TASK_ID</c>, with <c>--shards N</c>, or with
    /// <c>SLURM_ARRAY_TASK_COUNT</c> or <c>SLURM_ARRAY_TASK_MIN/MAX</c>); otherwise the whole plan.
    /// </summary>
    /// <param name="shard">The <c>--shard</c> option.</param>
    /// <param name="shards">The <c>--shards</c> option.</param>
    /// <param name="environment">Reads an environment variable.</param>
    public static ShardSpec Resolve(string? shard, int? shards, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (shard is not null)
        {
            var parsed = Parse(shard);
            if (shards is int n && n != parsed.Count)
            {
                throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"--shard {shard} and --shards {n} disagree on the shard count."));
            }

            return parsed;
        }

        if (environment("JOB_COMPLETION_INDEX") is { Length: > 0 } completion)
        {
            int index = Number("JOB_COMPLETION_INDEX", completion);
            int count = shards ?? throw new ToolException(
                "JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but --shards is not: pass --shards N with N = the Job's completions.");
            return Create(index, count, "JOB_COMPLETION_INDEX");
        }

        if (environment("SLURM_ARRAY_TASK_ID") is { Length: > 0 } task)
        {
            int id = Number("SLURM_ARRAY_TASK_ID", task);
            if (shards is int n)
            {
                // With an explicit count the task id is the shard: a resubmitted single task (--array=1) keeps its place.
                return Create(id, n, "SLURM_ARRAY_TASK_ID with --shards");
            }

            int min = environment("SLURM_ARRAY_TASK_MIN") is { Length: > 0 } minText ? Number("SLURM_ARRAY_TASK_MIN", minText) : 0;
            if (environment("SLURM_ARRAY_TASK_COUNT") is { Length: > 0 } countText)
            {
                return Create(id - min, Number("SLURM_ARRAY_TASK_COUNT", countText), "SLURM_ARRAY_TASK_ID/COUNT");
            }

            if (environment("SLURM_ARRAY_TASK_MAX") is { Length: > 0 } maxText)
            {
                return Create(id - min, Number("SLURM_ARRAY_TASK_MAX", maxText) - min + 1, "SLURM_ARRAY_TASK_ID/MIN/MAX");
            }

            throw new ToolException("SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX is: pass --shards N.");
        }

        return shards is int only && only != 1
            ? throw new ToolException("--shards is given but no shard index: pass --shard I/N, or run inside a Slurm array or a Kubernetes Indexed Job.")
            : Whole;
    }

    private static ShardSpec Create(int index, int count, string source)
    {
        if (count < 1 || index < 0 || index >= count)
        {
            throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"Shard {index}/{count} (from {source}) is out of range: the index must be at least 0 and below the count."));
        }

        return new ShardSpec(index, count, source);
    }

    private static int Number(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n)
            ? n
            : throw new ToolException($"{name}='{value}' is not a whole number.");
}
