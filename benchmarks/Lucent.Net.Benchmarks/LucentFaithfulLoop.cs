using System.Diagnostics;
using Lucent.Net.Activations;
using Lucent.Net.ModelZoo.InceptionV1;
using Lucent.Net.Objectives;
using Lucent.Net.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Benchmarks;

/// <summary>
/// What Lucent's <c>render_vis</c> does per step, written with Lucent.Net's pieces (same
/// parameterisation, transforms, preprocessing, resize and channel objective): the model's weights
/// stay trainable (autograd computes, and accumulates, their gradients although nobody uses them),
/// the whole network runs every step (no early stop), and one channel is rendered at a time.
/// </summary>
internal static class LucentFaithfulLoop
{
    /// <summary>Renders one channel for <paramref name="steps"/> steps; returns the final image (caller owns) and the time spent.</summary>
    public static (Tensor Image, TimeSpan Elapsed) Render(InceptionV1Model model, string layer, int channel, int steps, long seed)
    {
        var stopwatch = Stopwatch.StartNew();
        foreach (var parameter in model.parameters())
        {
            parameter.requires_grad = true;
        }

        model.eval();
        using var generator = new Generator((ulong)seed, torch.CPU);
        var context = new TransformContext(generator);
        using var parameterization = Part1Workload.Parameterization(1, generator);
        var pipeline = Part1Workload.Pipeline(model);
        var objective = Objective.Channel(layer, channel);
        using var hooks = ActivationHooks.Attach(model, objective.Layers);
        using var gradMode = torch.enable_grad();
        using var optimizer = optim.Adam(parameterization.Parameters, lr: 0.05);
        for (int step = 1; step <= steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var image = parameterization.CreateImage();
            var input = pipeline.Apply(image, context);

            // Lucent's loop: model(transform_f(image_f())), then objective_f(hook).
            model.call(input);
            var loss = objective.Compute(hooks);
            loss.backward();
            optimizer.step();
        }

        Tensor final;
        using (torch.no_grad())
        {
            final = parameterization.CreateImage();
        }

        stopwatch.Stop();
        ClearWeightGradients(model);
        return (final, stopwatch.Elapsed);
    }

    /// <summary>Drops the weight gradients Lucent's loop accumulates (so the other path starts from the same memory state).</summary>
    public static void ClearWeightGradients(InceptionV1Model model)
    {
        foreach (var parameter in model.parameters())
        {
            parameter.grad?.Dispose();
            parameter.grad = null;
        }
    }
}
