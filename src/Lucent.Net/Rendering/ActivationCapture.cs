using Lucent.Net.Activations;
using Lucent.Net.Devices;
using static TorchSharp.torch;

namespace Lucent.Net.Rendering;

/// <summary>
/// Runs a model on images and keeps the named layers' activations: Lucent's <c>hook_model</c> (hook, run,
/// read a layer) in one call, with the hooks and the early stop of a render. The activations are detached
/// copies; for activations that carry gradients into an optimisation loop of your own, use
/// <see cref="ActivationHooks"/>.
/// </summary>
public static class ActivationCapture
{
    /// <summary>The activations of <paramref name="layers"/> for <paramref name="images"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="images">Images laid out (batch, channels, height, width), values in [0, 1], on any device (copied to the model's); not disposed.</param>
    /// <param name="layers">
    /// Layer names (as in objectives: hook names, aliases, <c>input</c>, <c>labels</c>). The forward pass stops once they
    /// are computed. Empty means every layer (the whole model runs; memory grows with the model).
    /// </param>
    /// <param name="options">
    /// Transforms, preprocessing and <see cref="RenderOptions.FixedImageSize"/> as in a render; null means the model's
    /// preprocessing only: no transforms, and the images reach the model at their own size (a resize to that size,
    /// which is exact), as with Lucent's <c>hook_model</c>, which runs the model on what it is given.
    /// </param>
    /// <returns>The activations, detached copies on the model's device, owned by the result: dispose it.</returns>
    /// <exception cref="UnknownLayerException">A layer is not in the model; the message lists the closest names.</exception>
    /// <exception cref="LayerNotComputableException">The model cannot compute a layer at this image size.</exception>
    /// <exception cref="DeviceMismatchException"><see cref="RenderOptions.Device"/> is set and the model is on another device.</exception>
    public static LayerActivations Capture(nn.Module<Tensor, Tensor> model, Tensor images, IEnumerable<string> layers, RenderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        EvaluationSession.RequireImageBatch(images);
        ArgumentNullException.ThrowIfNull(layers);
        var wanted = layers.Distinct(StringComparer.Ordinal).ToList();

        options ??= new RenderOptions { Transforms = [], FixedImageSize = ((int)images.shape[2], (int)images.shape[3]) };
        using var session = new EvaluationSession(model, wanted, images, options);
        var captured = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            using var scope = NewDisposeScope();
            var activations = session.Forward("activation capture", "while capturing activations");
            var names = wanted.Count > 0 ? wanted : ((ActivationRecorder)activations).CapturedLayers.ToList();
            foreach (string layer in names)
            {
                captured[layer] = activations[layer].detach().clone().DetachFromDisposeScope();
            }
        }
        catch
        {
            foreach (var tensor in captured.Values)
            {
                tensor.Dispose();
            }

            throw;
        }

        return new LayerActivations(captured, (model as IClassLabels)?.ClassLabels, owned: true);
    }
}
