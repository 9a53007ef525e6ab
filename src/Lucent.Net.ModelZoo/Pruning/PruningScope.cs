namespace Lucent.Net.ModelZoo.Pruning;

/// <summary>
/// What a model's <c>IPrunableModel.ComputeOnly</c> returns: disposing it puts back the pruning that was in force
/// before (once; later calls do nothing).
/// </summary>
/// <param name="restore">Puts the previous pruning back.</param>
internal sealed class PruningScope(Action restore) : IDisposable
{
    private Action? _restore = restore;

    /// <inheritdoc/>
    public void Dispose()
    {
        _restore?.Invoke();
        _restore = null;
    }
}
