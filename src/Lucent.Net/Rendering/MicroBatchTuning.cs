using System.Diagnostics;
using System.Globalization;
using Lucent.Net.Objectives;
using Lucent.Net.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Rendering;

/// <summary>
/// Chooses the micro-batch size of a batched CPU render that leaves <see cref="RenderOptions.MicroBatchSize"/> unset,
/// by measuring it on the render's own workload (docs/performance.md, "Measured defaults"): at the render's first step,
/// before its real pass, each candidate (whole batch, 1, 2, 4) runs the model's forward pass, the images' objectives and
/// the backward pass to the model's input on that step's transformed images, interleaved, within a time budget
/// (<see cref="RenderTuner"/> and <see cref="TuningDecision"/> decide and cache). The passes leave no trace in the
/// render: their gradients go to a detached copy of the input, the objectives' recorded losses are not touched, and no
/// random numbers are drawn, so the render's images are those of a render with the chosen size set explicitly.
/// </summary>
internal static class MicroBatchTuning
{
    /// <summary>Tolerated difference of a candidate's input gradient from the whole batch's, relative to the whole batch's largest magnitude.</summary>
    public const double GradientTolerance = 1e-4;

    /// <summary>
    /// The micro-batch size for this render: measured for its workload once per machine (or read from the cache, or
    /// the one chosen earlier in this process for the same workload).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="session">The render's session: its runner runs the model, its recorder records (its step is begun again afterwards).</param>
    /// <param name="imageObjectives">One objective per image, each reading only its own batch element.</param>
    /// <param name="image">The step's image (recorded as <c>input</c>).</param>
    /// <param name="input">The step's transformed images, as the model sees them.</param>
    /// <param name="objectiveName">For error messages.</param>
    /// <param name="steps">The render's steps (a longer render allows a longer measurement, <see cref="RenderTuner.BudgetFor"/>).</param>
    /// <returns>Images per pass, at most the batch.</returns>
    public static RenderTuning Choose(nn.Module<Tensor, Tensor> model, ModelSession session, IReadOnlyList<IObjective> imageObjectives, Tensor image, Tensor input, string objectiveName, int steps)
    {
        int batch = (int)input.shape[0];
        var recorder = session.Recorder;
        string workload = Describe(model, imageObjectives, input, recorder.StopEarly);
        try
        {
            return LucentRuntime.TuneMicroBatch(workload, batch, candidates => Measure(candidates, steps, candidate => Pass(session, imageObjectives, image, input, candidate, objectiveName)));
        }
        finally
        {
            recorder.BeginStep(image);
        }
    }

    /// <summary>The workload in words: the model's type, parameter count and weight type, the layers read, the input's shape and type, and whether the forward pass stops early.</summary>
    /// <param name="model">The model.</param>
    /// <param name="objectives">The objectives.</param>
    /// <param name="input">The transformed input.</param>
    /// <param name="stopEarly">Whether the forward pass stops once the layers are computed.</param>
    /// <returns>The description.</returns>
    public static string Describe(nn.Module model, IReadOnlyList<IObjective> objectives, Tensor input, bool stopEarly)
    {
        long parameters = 0;
        ScalarType? weights = null;
        foreach (var parameter in model.parameters())
        {
            parameters += parameter.numel();
            weights ??= parameter.dtype;
        }

        var layers = objectives.SelectMany(o => o.Layers).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return string.Create(CultureInfo.InvariantCulture,
            $"{model.GetType().FullName} params={parameters} weights={weights?.ToString() ?? "none"} layers={string.Join(",", layers)} input={string.Join("x", input.shape)} {input.dtype} {(stopEarly ? "stop-early" : "full-forward")}");
    }

    /// <summary>
    /// Times the candidates through <see cref="TuningDecision.Collect"/> within the budget for the render's length
    /// (<see cref="RenderTuner.BudgetFor"/>): a warm-up round that also compares each candidate's input gradient with the
    /// whole batch's (the first candidate), then interleaved rounds.
    /// </summary>
    /// <param name="candidates">The candidates, the whole batch (null) first.</param>
    /// <param name="steps">The render's steps.</param>
    /// <param name="pass">Runs one candidate's passes and returns the input gradient of the images it ran (the caller disposes it).</param>
    /// <returns>The samples (milliseconds per image) and the milliseconds the measurement took.</returns>
    public static (List<TuningSamples> Samples, double Milliseconds) Measure(IReadOnlyList<int?> candidates, int steps, Func<int?, Tensor> pass)
    {
        var clock = Stopwatch.StartNew();
        Tensor? reference = null;
        double scale = 0;
        try
        {
            var samples = TuningDecision.Collect(
                candidates,
                warmUp: candidate =>
                {
                    using var scope = NewDisposeScope();
                    var gradient = pass(candidate);
                    if (reference is null)
                    {
                        // The whole batch is the first candidate: its warm-up pass is the reference.
                        reference = gradient.detach().clone().DetachFromDisposeScope();
                        scale = Math.Max(reference.abs().max().item<float>(), 1e-30);
                        return candidate is null;
                    }

                    var rows = reference.narrow(0, 0, gradient.shape[0]);
                    return (gradient - rows).abs().max().item<float>() <= GradientTolerance * scale;
                },
                timeOne: candidate =>
                {
                    using var scope = NewDisposeScope();
                    var watch = Stopwatch.StartNew();
                    var gradient = pass(candidate);
                    watch.Stop();
                    return watch.Elapsed.TotalMilliseconds / gradient.shape[0];
                },
                elapsedMilliseconds: () => clock.Elapsed.TotalMilliseconds,
                budgetMilliseconds: RenderTuner.BudgetMilliseconds,
                maxRounds: RenderTuner.MaxRounds,
                budgetAfterFirstWarmUp: firstPass => RenderTuner.BudgetFor(steps, firstPass));
            return (samples, clock.Elapsed.TotalMilliseconds);
        }
        finally
        {
            reference?.Dispose();
        }
    }

    /// <summary>
    /// One candidate's forward and backward passes over the batch's first <see cref="RenderTuner.ImagesTimed"/> images,
    /// as a render step runs them: the whole batch at once, or slices whose objectives see their own activations at
    /// their batch positions. Returns the gradient of the objectives with respect to those images of the input.
    /// </summary>
    private static Tensor Pass(ModelSession session, IReadOnlyList<IObjective> objectives, Tensor image, Tensor input, int? candidate, string objectiveName)
    {
        int batch = (int)input.shape[0];
        int images = RenderTuner.ImagesTimed(candidate, batch);
        using var enableGrad = torch.enable_grad();
        var detached = input.detach().narrow(0, 0, images).requires_grad_(true);
        // Run's result is a later layer that could not be computed and is not needed: the render warns about it, not this.
        MicroBatchSlices.ForwardBackward(session, image, detached, batch, candidate ?? batch, slice => _ = session.Run(slice, objectiveName, "while measuring the micro-batch size"), (activations, start, count) =>
        {
            Tensor? loss = null;
            for (int i = start; i < start + count; i++)
            {
                var term = objectives[i].Compute(activations);
                loss = loss is null ? term : loss + term;
            }

            return loss!;
        });

        return detached.grad!;
    }
}
