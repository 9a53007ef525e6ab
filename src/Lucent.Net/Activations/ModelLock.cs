using System.Runtime.CompilerServices;
using TorchSharp;

namespace Lucent.Net.Activations;

/// <summary>
/// Serialises work that installs hooks on one model instance: two renders on the same instance run
/// one after the other (the second waits), renders on different instances run in parallel.
/// </summary>
internal static class ModelLock
{
    private static readonly ConditionalWeakTable<torch.nn.Module, SemaphoreSlim> Locks = [];

    /// <summary>Waits until no other render holds <paramref name="model"/>, then holds it until disposed.</summary>
    /// <param name="model">The model instance.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The lease; dispose to release.</returns>
    public static IDisposable Acquire(torch.nn.Module model, CancellationToken cancellationToken)
    {
        var gate = Locks.GetValue(model, _ => new SemaphoreSlim(1, 1));
        gate.Wait(cancellationToken);
        return new Lease(gate);
    }

    private sealed class Lease(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
