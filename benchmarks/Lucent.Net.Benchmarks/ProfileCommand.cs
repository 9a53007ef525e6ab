using System.Diagnostics;
using Lucent.Net.Activations;
using Lucent.Net.Objectives;
using Lucent.Net.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Benchmarks;

/// <summary>
/// <c>profile</c>: where one step of our batched path spends its time: parameterisation, transforms,
/// forward to mixed4a (split by layer kind with forward pre/post hooks), loss, backward, optimiser.
/// </summary>
internal static class ProfileCommand
{
    public static int Run(HarnessOptions options)
    {
        int steps = options.Int("steps", 5);
        int batch = options.Int("batch", 10);
        Machine.PrintHeader($"profile --steps {steps} --batch {batch}");
        using var model = Part1Workload.CreateModel();
        foreach (var p in model.parameters())
        {
            p.requires_grad = false;
        }

        var kinds = new Dictionary<string, double>(StringComparer.Ordinal);
        var started = new Dictionary<string, long>(StringComparer.Ordinal);
        var modules = new Dictionary<string, double>(StringComparer.Ordinal);
        var removers = new List<Action>();
        foreach (var (name, module) in model.named_modules())
        {
            if (module is not nn.Module<Tensor, Tensor> m || string.IsNullOrEmpty(name))
            {
                continue;
            }

            string kind = module.GetType().Name;
            string key = name;
            var pre = m.register_forward_pre_hook((_, input) =>
            {
                started[key] = Stopwatch.GetTimestamp();
                return input;
            });
            var post = m.register_forward_hook((_, _, output) =>
            {
                double ms = Stopwatch.GetElapsedTime(started[key]).TotalMilliseconds;
                kinds[kind] = kinds.GetValueOrDefault(kind) + ms;
                modules[key] = modules.GetValueOrDefault(key) + ms;
                return output;
            });
            removers.Add(pre.remove);
            removers.Add(post.remove);
        }

        using var generator = new Generator(0, torch.CPU);
        var context = new TransformContext(generator);
        using var parameterization = Part1Workload.Parameterization(batch, generator);
        var pipeline = Part1Workload.Pipeline(model);
        var objective = Objective.Sum(Enumerable.Range(0, batch).Select(i => Objective.Channel(Part1Workload.Layer, i, batch: i)));
        using var recorder = new ActivationRecorder(model, objective.Layers, stopEarly: true);
        using var gradMode = torch.enable_grad();
        using var optimizer = optim.Adam(parameterization.Parameters, lr: 0.05);
        var phases = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int step = 0; step <= steps; step++)
        {
            if (step == 1)
            {
                phases.Clear();
                kinds.Clear();
                modules.Clear();
            }

            using var scope = NewDisposeScope();
            var watch = Stopwatch.StartNew();
            void Lap(string phase)
            {
                phases[phase] = phases.GetValueOrDefault(phase) + watch.Elapsed.TotalMilliseconds;
                watch.Restart();
            }

            optimizer.zero_grad();
            var image = parameterization.CreateImage();
            Lap("parameterisation");
            recorder.BeginStep(image);
            var input = pipeline.Apply(image, context);

            Lap("transforms + preprocess + resize");
            try
            {
                model.call(input);
            }
            catch (ForwardStoppedException)
            {
            }

            Lap("forward to mixed4a");
            var loss = objective.Compute(recorder);
            Lap("loss");
            loss.backward();
            Lap("backward");
            optimizer.step();
            Lap("optimiser");
        }

        foreach (var remove in removers)
        {
            remove();
        }

        // The backward pass split in two: through the model alone (from a leaf input), then through the
        // transforms and parameterisation alone (fed the model's input gradient).
        var split = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int step = 0; step <= steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var image = parameterization.CreateImage();
            recorder.BeginStep(image);
            var input = pipeline.Apply(image, context);
            var leaf = input.detach().requires_grad_(true);
            try
            {
                model.call(leaf);
            }
            catch (ForwardStoppedException)
            {
            }

            var loss = objective.Compute(recorder);
            var watch = Stopwatch.StartNew();
            loss.backward();
            double modelMs = watch.Elapsed.TotalMilliseconds;
            watch.Restart();
            input.backward([leaf.grad!]);
            double restMs = watch.Elapsed.TotalMilliseconds;
            if (step > 0)
            {
                split["backward through the model to mixed4a"] = split.GetValueOrDefault("backward through the model to mixed4a") + modelMs;
                split["backward through transforms + parameterisation"] = split.GetValueOrDefault("backward through transforms + parameterisation") + restMs;
            }
        }

        CompareCommand.Print($"backward split (separate runs):");
        foreach (var (part, ms) in split)
        {
            CompareCommand.Print($"  {part,-50} {ms / steps,8:F1} ms");
        }

        double total = phases.Values.Sum();
        CompareCommand.Print($"mean per step over {steps} steps, batch {batch}: {total / steps:F0} ms ({total / steps / batch:F1} ms per image-step)");
        foreach (var (phase, ms) in phases)
        {
            CompareCommand.Print($"  {phase,-34} {ms / steps,8:F1} ms  {ms / total * 100,5:F1}%");
        }

        CompareCommand.Print($"forward by module kind (inclusive of hooks; LRN and the stem padding are inside the model's own forward, not modules):");
        foreach (var (kind, ms) in kinds.OrderByDescending(k => k.Value))
        {
            CompareCommand.Print($"  {kind,-34} {ms / steps,8:F1} ms");
        }

        CompareCommand.Print($"slowest modules:");
        foreach (var (name, ms) in modules.OrderByDescending(k => k.Value).Take(12))
        {
            CompareCommand.Print($"  {name,-34} {ms / steps,8:F1} ms");
        }

        CompareCommand.Print($"load average: {Machine.LoadAverage()}");
        return 0;
    }
}
