namespace Lucent.Net.Activations;

/// <summary>
/// A model that can leave out work no objective needs: when a render reads only some channels of the last
/// layer it computes, the branches that feed only the other channels need not run. InceptionV1's mixed
/// layers are concatenations of four branches; a channel objective on <c>mixed4a</c> needs one of them.
/// </summary>
/// <remarks>
/// The renderer uses this when the objective reads one layer, names its channels (channel and neuron
/// objectives and their sums) and the forward pass stops after that layer
/// (<c>RenderOptions.StopForwardEarly</c>). Values and gradients of the channels read are
/// unchanged (docs/performance.md); the other channels of that layer read as zeros, and modules that only
/// feed them do not run (their hooks do not fire). The setting belongs to the model instance: the renderer holds
/// the instance's render lock while it is in force, as it does for its hooks, so other renders and evaluations of
/// that instance wait; code that calls the model directly from another thread meanwhile would see it too.
/// </remarks>
public interface IPrunableModel
{
    /// <summary>
    /// Until the returned scope is disposed, computes of <paramref name="layer"/> only what its
    /// <paramref name="channels"/> need. A layer the model cannot prune is computed whole.
    /// </summary>
    /// <param name="layer">A layer name, as the activation lookup knows it.</param>
    /// <param name="channels">Channel indices on axis 1 of the layer's (batch, channels, height, width) output.</param>
    /// <returns>A scope that restores the whole computation when disposed.</returns>
    IDisposable ComputeOnly(string layer, IReadOnlySet<int> channels);
}
