using Lucent.Net.Devices;
using Lucent.Net.Activations;
using Lucent.Net.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Rendering;

/// <summary>
/// Measures an objective on given images (a rendered image, a photo, noise) exactly as a render
/// would see them: the options' transforms (none by default), the model's preprocessing and the
/// resize to the model's input, with the forward pass stopped once the objective's layers are
/// computed. Use it to compare a rendering with other images or to measure robustness to transforms.
/// </summary>
public static class ObjectiveEvaluator
{
    /// <summary>The objective's loss on <paramref name="images"/>, once per random draw of the transforms.</summary>
    /// <param name="model">The model.</param>
    /// <param name="objective">The objective (its loss: lower means more activation for Lucent's objectives).</param>
    /// <param name="images">Images laid out (batch, channels, height, width), values in [0, 1], on any device (copied to the model's); not disposed.</param>
    /// <param name="options">
    /// Transforms, preprocessing, <see cref="RenderOptions.FixedImageSize"/> and <see cref="RenderOptions.Seed"/> as in a render;
    /// null means no transforms (one plain evaluation) with the model's preprocessing.
    /// </param>
    /// <param name="samples">How many times to evaluate, each with new random draws of the transforms.</param>
    /// <returns>One loss per sample.</returns>
    /// <exception cref="UnknownLayerException">The objective names a layer the model does not have.</exception>
    /// <exception cref="LayerNotComputableException">The model cannot compute a needed layer at this size.</exception>
    /// <exception cref="DeviceMismatchException"><see cref="RenderOptions.Device"/> is set and the model is on another device.</exception>
    public static double[] Evaluate(nn.Module<Tensor, Tensor> model, IObjective objective, Tensor images, RenderOptions? options = null, int samples = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        using var session = new EvaluationSession(model, objective.Layers, images, options ?? new RenderOptions { Transforms = [] });
        var losses = new double[samples];
        for (int i = 0; i < samples; i++)
        {
            using var scope = NewDisposeScope();
            var activations = session.Forward(objective.Name, $"in evaluation {i + 1}");
            losses[i] = objective.Compute(activations).ToDouble();
        }

        return losses;
    }
}
