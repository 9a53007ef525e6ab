using System.Globalization;
using Lucent.Net.Rendering;
using Spectre.Console;

namespace ActivationMaximization;

/// <summary>Follows one rendering.</summary>
public interface IRenderTracker : IProgress<RenderProgress>
{
    /// <summary>The rendering ended.</summary>
    /// <param name="summary">A short summary, e.g. "objective 0.12 -> 3.4 in 12.3 s".</param>
    void Finish(string summary);
}

/// <summary>Shows the progress of a run.</summary>
public interface IRunObserver
{
    /// <summary>A rendering starts.</summary>
    /// <param name="label">What is rendered.</param>
    /// <param name="steps">Its number of steps.</param>
    /// <returns>A tracker for its steps.</returns>
    IRenderTracker Begin(string label, int steps);

    /// <summary>A one-line message.</summary>
    /// <param name="text">Plain text.</param>
    void Message(string text);
}

/// <summary>Plain progress lines (output redirected, or --no-progress).</summary>
/// <param name="output">Where the lines go.</param>
public sealed class PlainObserver(TextWriter output) : IRunObserver
{
    /// <inheritdoc />
    public IRenderTracker Begin(string label, int steps)
    {
        Write($"{label}: {steps} steps");
        return new Tracker(this, label, steps);
    }

    /// <inheritdoc />
    public void Message(string text) => Write(text);

    private void Write(string line)
    {
        lock (output)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    private sealed class Tracker(PlainObserver owner, string label, int steps) : IRenderTracker
    {
        private readonly int every = Math.Max(1, steps / 4);

        public void Report(RenderProgress value)
        {
            if (value.Step % every == 0 || value.Step == value.TotalSteps)
            {
                owner.Write(string.Create(
                    CultureInfo.InvariantCulture,
                    $"  {label}: step {value.Step}/{value.TotalSteps}  objective {-value.Loss:F3}  elapsed {value.Elapsed.TotalSeconds:F1} s  ETA {value.EstimatedRemaining.TotalSeconds:F1} s"));
            }
        }

        public void Finish(string summary) => owner.Write($"  {label}: {summary}");
    }
}

/// <summary>A live Spectre.Console display: one progress bar per rendering with step, objective, elapsed time and ETA.</summary>
/// <param name="console">The console.</param>
/// <param name="context">The live progress context.</param>
public sealed class LiveObserver(IAnsiConsole console, ProgressContext context) : IRunObserver
{
    /// <summary>Runs <paramref name="work"/> inside a live progress display.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="console">The console.</param>
    /// <param name="work">The work, given the observer.</param>
    /// <returns>The work's result.</returns>
    public static Task<T> RunAsync<T>(IAnsiConsole console, Func<IRunObserver, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(work);
        return console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                new ElapsedTimeColumn(),
                new RemainingTimeColumn(),
                new SpinnerColumn())
            .StartAsync(ctx => work(new LiveObserver(console, ctx)));
    }

    /// <inheritdoc />
    public IRenderTracker Begin(string label, int steps)
    {
        var task = context.AddTask(Markup.Escape(label), maxValue: steps);
        return new Tracker(task, label);
    }

    /// <inheritdoc />
    public void Message(string text) => console.MarkupLine("[grey]" + Markup.Escape(text) + "[/]");

    private sealed class Tracker(ProgressTask task, string label) : IRenderTracker
    {
        public void Report(RenderProgress value)
        {
            task.Value = value.Step;
            task.Description = Markup.Escape(string.Create(
                CultureInfo.InvariantCulture,
                $"{label}  step {value.Step}/{value.TotalSteps}  objective {-value.Loss:F3}"));
        }

        public void Finish(string summary)
        {
            task.Description = Markup.Escape($"{label}  {summary}");
            task.StopTask();
        }
    }
}
