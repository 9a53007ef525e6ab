using Lucent.Net.Images;
using Lucent.Net.Objectives;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using static TorchSharp.torch;

namespace ActivationMaximization;

/// <summary>The objective of one image at the first and the last step, as the activation being maximised (minus the loss).</summary>
/// <param name="First">At step 1.</param>
/// <param name="Last">At the last step.</param>
public readonly record struct ObjectiveTrace(double First, double Last);

/// <summary>What rendering one group produced.</summary>
/// <param name="Images">One image per job, in order.</param>
/// <param name="Traces">The objective of each image at the first and last step.</param>
/// <param name="Result">The renderer's result.</param>
public sealed record GroupRender(ImageBatch Images, IReadOnlyList<ObjectiveTrace> Traces, RenderResult Result);

/// <summary>Renders the tutorial's images with Lucent.Net.</summary>
public static class ImageRenderer
{
    /// <summary>Lucent's learning rate (Adam).</summary>
    public const double LearningRate = RenderOptions.DefaultLearningRate;

    /// <summary>
    /// Renders a group in one batched optimisation (<see cref="Renderer.RenderBatch"/>: image i maximises
    /// job i's channel), with each image's own objective at the first and last step.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="group">The images; all share the parameterisation and transforms.</param>
    /// <param name="size">Image size.</param>
    /// <param name="steps">Optimisation steps.</param>
    /// <param name="seed">Seed.</param>
    /// <param name="inputSize">Size the model sees; null for Lucent's rule.</param>
    /// <param name="progress">Step progress.</param>
    /// <param name="cancellationToken">Stops early; the images so far are returned.</param>
    /// <returns>The images and their objective traces.</returns>
    public static GroupRender Render(nn.Module<Tensor, Tensor> model, RenderGroup group, int size, int steps, long seed, int? inputSize, IProgress<RenderProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        var first = group.Jobs[0];
        int batch = group.Jobs.Count;
        if (group.Jobs.Any(j => j.Parameterization != first.Parameterization || j.Transforms != first.Transforms))
        {
            throw new ArgumentException("A render group must share its parameterisation and transforms.", nameof(group));
        }

        var imageObjectives = group.Jobs
            .Select((job, i) => (IObjective)Objective.Channel(job.Layer, job.Channel, batch: i))
            .ToList();
        var options = new RenderOptions
        {
            Parameterization = new ImageOptions(size) { Batch = batch, Fft = first.Parameterization.Fft, Decorrelate = first.Parameterization.Decorrelate },
            Transforms = Experiments.Transforms(first.Transforms),
            Steps = steps,
            Seed = seed,
            LearningRate = LearningRate,
            FixedImageSize = inputSize is int n ? (n, n) : null,
        };
        var result = Renderer.RenderBatch(model, imageObjectives, options, progress, cancellationToken);
        var traces = result.ImageLosses
            .Select(losses => losses.Count == 0 ? new ObjectiveTrace(double.NaN, double.NaN) : new ObjectiveTrace(-losses[0], -losses[^1]))
            .ToArray();
        return new GroupRender(result.FinalImages, traces, result);
    }
}
