using System.Diagnostics;
using Lucent.Net.Rendering;
using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;

namespace Lucent.Net.Interactive;

/// <summary>
/// Render progress as one live line under the notebook cell: the first report displays it, later ones update the same
/// display (at most a few times a second, and always at the last step). Pass it to <c>Renderer.Render</c> as its
/// <see cref="IProgress{T}"/>; create it inside the cell that renders (<see cref="Notebook.Progress"/>).
/// </summary>
public sealed class NotebookProgress : IProgress<RenderProgress>
{
    private readonly string? _label;
    private readonly Action<string> _show;
    private readonly Action<string> _update;
    private readonly TimeSpan _interval;
    private readonly Stopwatch _sinceUpdate = new();
    private readonly object _gate = new();
    private bool _shown;

    /// <summary>Creates a progress line in the cell that is running now.</summary>
    /// <param name="label">What is rendering (shown before the bar); null for none.</param>
    /// <exception cref="InvalidOperationException">No notebook cell is running on this thread.</exception>
    public NotebookProgress(string? label = null)
        : this(label, TimeSpan.FromMilliseconds(250), CurrentCellDisplay())
    {
    }

    internal NotebookProgress(string? label, TimeSpan interval, (Action<string> Show, Action<string> Update) display)
    {
        _label = label;
        _interval = interval;
        (_show, _update) = display;
    }

    /// <summary>The last report received; null before the first.</summary>
    public RenderProgress? Last { get; private set; }

    /// <inheritdoc />
    public void Report(RenderProgress value)
    {
        lock (_gate)
        {
            Last = value;
            string html = NotebookHtml.ProgressLine(value, _label);
            if (!_shown)
            {
                _show(html);
                _shown = true;
                _sinceUpdate.Restart();
            }
            else if (value.Step >= value.TotalSteps || _sinceUpdate.Elapsed >= _interval)
            {
                _update(html);
                _sinceUpdate.Restart();
            }
        }
    }

    private static (Action<string> Show, Action<string> Update) CurrentCellDisplay()
    {
        var context = KernelInvocationContext.Current
            ?? throw new InvalidOperationException("NotebookProgress shows progress under a running notebook cell; create it inside the cell that renders (no .NET Interactive cell is running here).");
        DisplayedValue? displayed = null;
        return (
            html => displayed = context.Display(new HtmlString(html), LucentFormatters.MimeType),
            html => displayed?.Update(new HtmlString(html)));
    }
}
