using Lucent.Net.Tool;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl+C: stop after the current unit's step; a second one ends the process.
    if (!cancellation.IsCancellationRequested)
    {
        e.Cancel = true;
        cancellation.Cancel();
    }
};

// Slurm and Kubernetes stop a job with SIGTERM before SIGKILL: treat it like Ctrl+C so the unit in flight
// is abandoned (its files were never moved into place) and the process exits promptly.
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGTERM,
    context =>
    {
        context.Cancel = true;
        cancellation.Cancel();
    });

return await ToolApp.RunAsync(args, Console.Out, Console.Error, cancellation.Token);
