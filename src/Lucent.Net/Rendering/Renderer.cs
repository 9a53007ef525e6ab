using Lucent.Net.Devices;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using Lucent.Net.Activations;
using Lucent.Net.Images;
using Lucent.Net.Modules;
using Lucent.Net.Objectives;
using Lucent.Net.Parameterization;
using Lucent.Net.Runtime;
using Lucent.Net.Transforms;
using Microsoft.Extensions.Logging;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.Rendering;

/// <summary>
/// The optimisation loop (Lucent's <c>render_vis</c>): optimises an image parameterisation so that
/// the objective's loss on the model's activations goes down, and records the image at every
/// threshold.
/// </summary>
/// <remarks>
/// Each step: zero the gradients, make the image, apply the transforms (then the model's
/// preprocessing, then the resize to the model's input size), run the model (stopping once the
/// objective's layers are computed), compute the loss, back-propagate to the image parameters, and
/// take an optimiser step. Each step runs in its own TorchSharp dispose scope. The model's weights
/// are frozen during the render and restored afterwards. Renders on the same model instance are
/// serialised; renders on different instances run in parallel.
/// </remarks>
public static class Renderer
{
    /// <summary>How often (in steps) a render asks for a generation-0 garbage collection (see the render loop).</summary>
    internal const int CollectEverySteps = 16;

    /// <summary>Whether an optimiser cannot step without a closure (TorchSharp's L-BFGS).</summary>
    /// <param name="optimizer">The optimiser.</param>
    /// <returns>True for <see cref="LBFGS"/>.</returns>
    internal static bool NeedsClosure(optim.Optimizer optimizer) => optimizer is LBFGS;

    /// <summary>Renders <paramref name="objective"/> on <paramref name="model"/>.</summary>
    /// <param name="model">Any TorchSharp module taking a (batch, 3, height, width) tensor.</param>
    /// <param name="objective">What to minimise.</param>
    /// <param name="options">Settings; null means Lucent's defaults.</param>
    /// <param name="progress">Receives the step and loss after every step.</param>
    /// <param name="cancellationToken">Stops the render early; the images so far are still returned.</param>
    /// <returns>The images at every threshold reached and the loss history.</returns>
    /// <exception cref="UnknownLayerException">The objective names a layer the model does not have.</exception>
    /// <exception cref="InvalidRenderOptionsException">An option has a value that cannot work.</exception>
    /// <exception cref="LayerNotComputableException">The forward pass fails before a needed layer is computed.</exception>
    /// <exception cref="DeviceMismatchException">The model, <see cref="RenderOptions.Device"/>, the parameterisation or a transform's output are on different devices.</exception>
    public static RenderResult Render(
        nn.Module<Tensor, Tensor> model,
        IObjective objective,
        RenderOptions? options = null,
        IProgress<RenderProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(objective);
        return RenderCore(model, objective, null, options, progress, cancellationToken);
    }

    private static RenderResult RenderCore(
        nn.Module<Tensor, Tensor> model,
        IObjective objective,
        IReadOnlyList<IObjective>? imageObjectives,
        RenderOptions? options,
        IProgress<RenderProgress>? progress,
        CancellationToken cancellationToken)
    {
        options ??= new RenderOptions();
        options.Validate();

        var device = RenderDevice.Resolve(model, options);
        var run = new RenderRun(model, objective, imageObjectives, options, device, progress, cancellationToken);
        ModelSession session;
        try
        {
            session = ModelSession.Open(model, options, device, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled before the call or while another render held the model: the documented result,
            // not an exception. The model is not touched (it may be in use by the other render).
            return run.CancelledBeforeStart();
        }

        using (session)
        {
            return run.Run(session);
        }
    }

    /// <summary>
    /// Renders an objective given as text: Lucent's shorthand <c>"layer:channel"</c> or any objective expression
    /// (<c>"mixed4a:5 - 100 * diversity(mixed4a)"</c>, docs/expressions.md), as the DI renderer and the tool take it.
    /// </summary>
    /// <param name="model">Any TorchSharp module taking a (batch, 3, height, width) tensor.</param>
    /// <param name="objective">E.g. <c>"mixed4a:5"</c> or <c>"channel(mixed4a, 5) + 0.5 * neuron(mixed4a, 7)"</c>.</param>
    /// <param name="options">Settings; null means Lucent's defaults.</param>
    /// <param name="progress">Receives the step and loss after every step.</param>
    /// <param name="cancellationToken">Stops the render early; the images so far are still returned.</param>
    /// <returns>The images at every threshold reached and the loss history.</returns>
    /// <exception cref="Expressions.ObjectiveExpressionException">The text is not an objective expression (a <see cref="FormatException"/>; the message points at the column).</exception>
    public static RenderResult Render(
        nn.Module<Tensor, Tensor> model,
        string objective,
        RenderOptions? options = null,
        IProgress<RenderProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        Render(model, Expressions.ObjectiveExpression.Parse(objective ?? throw new ArgumentNullException(nameof(objective))), options, progress, cancellationToken);

    /// <summary>
    /// Renders several channels of one layer in one batched optimisation: image <c>i</c> of the
    /// result maximises <c>channels[i]</c>. Much faster per image than one render per channel; the
    /// images differ from separate renders only in that the random transforms of a step are shared
    /// by the whole batch.
    /// </summary>
    /// <param name="model">Any TorchSharp module taking a (batch, 3, height, width) tensor.</param>
    /// <param name="layer">The layer's hook name.</param>
    /// <param name="channels">The channels, one image each.</param>
    /// <param name="options">Settings; a <see cref="RenderOptions.Parameterization"/> other than <see cref="ImageOptions"/> must make a batch of <c>channels.Count</c> images.</param>
    /// <param name="progress">Receives the step and (summed) loss after every step.</param>
    /// <param name="cancellationToken">Stops the render early; the images so far are still returned.</param>
    /// <returns>The result; its image batches hold one image per channel, in order.</returns>
    public static RenderResult RenderChannels(
        nn.Module<Tensor, Tensor> model,
        string layer,
        IReadOnlyList<int> channels,
        RenderOptions? options = null,
        IProgress<RenderProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Count == 0)
        {
            throw new ArgumentException("Give at least one channel to render.", nameof(channels));
        }

        var imageObjectives = channels.Select((channel, index) => (IObjective)Objective.Channel(layer, channel, batch: index)).ToList();
        return RenderBatch(model, imageObjectives, options, progress, cancellationToken);
    }

    /// <summary>
    /// Renders one image per objective in one batched optimisation: image <c>i</c> is optimised for
    /// <c>imageObjectives[i]</c>, which should read only batch element <c>i</c> (build it with
    /// <c>batch: i</c>, e.g. <c>Objective.Channel(layer, channel, batch: i)</c>). The objectives are
    /// summed into one loss; each one's own loss is recorded in <see cref="RenderResult.ImageLosses"/>.
    /// <see cref="RenderChannels"/> is this with one channel objective per image.
    /// </summary>
    /// <param name="model">Any TorchSharp module taking a (batch, 3, height, width) tensor.</param>
    /// <param name="imageObjectives">One objective per image, in order.</param>
    /// <param name="options">Settings; a <see cref="RenderOptions.Parameterization"/> other than <see cref="ImageOptions"/> must make a batch of <c>imageObjectives.Count</c> images.</param>
    /// <param name="progress">Receives the step and (summed) loss after every step.</param>
    /// <param name="cancellationToken">Stops the render early; the images so far are still returned.</param>
    /// <returns>The result; its image batches hold one image per objective, in order.</returns>
    public static RenderResult RenderBatch(
        nn.Module<Tensor, Tensor> model,
        IReadOnlyList<IObjective> imageObjectives,
        RenderOptions? options = null,
        IProgress<RenderProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(imageObjectives);
        if (imageObjectives.Count == 0)
        {
            throw new ArgumentException("Give at least one objective to render.", nameof(imageObjectives));
        }

        ArgumentNullException.ThrowIfNull(model);
        options ??= new RenderOptions();
        int batch = imageObjectives.Count;

        // The standard image gets the batch (made on the render's device like any render's); a factory of the
        // user's is checked for the batch it makes.
        var batched = options.Parameterization switch
        {
            ImageOptions { Batch: not 1 } image when image.Batch != batch => throw new InvalidRenderOptionsException(
                nameof(RenderOptions.Parameterization),
                $"Rendering {batch} images makes a batch of {batch}; ImageOptions.Batch is {image.Batch}. Leave it at 1 (or set it to {batch})."),
            ImageOptions image => options with { Parameterization = image with { Batch = batch } },
            { } factory => options with { Parameterization = new BatchCheckedFactory(factory, batch) },
            null => options,
        };
        var terms = imageObjectives.Select(o => o ?? throw new ArgumentException("An image objective is null.", nameof(imageObjectives))).ToList();

        // The sum names the render and lists its layers; the loop computes the terms one by one and returns each one's loss.
        IObjective objective = terms.Count == 1 ? terms[0] : Objective.Sum(terms.Select(Objective.From));
        return RenderCore(model, objective, terms, batched, progress, cancellationToken);
    }

    /// <summary>Runs <see cref="Render(nn.Module{Tensor, Tensor}, IObjective, RenderOptions?, IProgress{RenderProgress}?, CancellationToken)"/> on a thread-pool thread.</summary>
    /// <param name="model">Any TorchSharp module taking a (batch, 3, height, width) tensor.</param>
    /// <param name="objective">What to minimise.</param>
    /// <param name="options">Settings; null means Lucent's defaults.</param>
    /// <param name="progress">Receives the step and loss after every step.</param>
    /// <param name="cancellationToken">Stops the render early; the images so far are still returned.</param>
    /// <returns>The images at every threshold reached and the loss history.</returns>
    public static Task<RenderResult> RenderAsync(
        nn.Module<Tensor, Tensor> model,
        IObjective objective,
        RenderOptions? options = null,
        IProgress<RenderProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        Task.Run(() => Render(model, objective, options, progress, cancellationToken), CancellationToken.None);

    /// <summary>
    /// The transforms a render applies for <paramref name="options"/> on <paramref name="model"/>: for RGBA images
    /// (4 channels) whose transforms hold no <see cref="CollapseAlphaTransform"/>, first Lucid's alpha compositing
    /// over a random background; then the user's, then preprocessing, then the resize to the model's input size.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="options">The render settings.</param>
    /// <param name="imageShape">The parameterised image's shape.</param>
    /// <returns>The transforms in order.</returns>
    /// <exception cref="InvalidRenderOptionsException">The transforms could make images over <see cref="TransformPipeline.MaxImageSide"/> pixels a side from this image.</exception>
    public static IReadOnlyList<IImageTransform> BuildPipeline(nn.Module model, RenderOptions options, ImageShape imageShape) =>
        RenderPipeline.Build(model, options, imageShape);

    /// <summary>
    /// The size the transformed image is resized to before the model: <see cref="RenderOptions.FixedImageSize"/> when set,
    /// else the model's own fixed input size (<see cref="IModelInputSize"/>, e.g. an ONNX graph with a fixed height and
    /// width) when it is within <see cref="RenderOptions.MaxFixedImageSize"/>, else null (the default upsampling).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="options">The render settings.</param>
    /// <returns>The (height, width) to resize to, or null.</returns>
    public static (int Height, int Width)? ModelInputSize(nn.Module model, RenderOptions options) =>
        RenderPipeline.ModelInputSize(model, options);

    /// <summary>A user's factory in a batched render: fails, naming both numbers, when it makes another batch than the objectives'.</summary>
    private sealed record BatchCheckedFactory(ParameterizationFactory Inner, int Batch) : ParameterizationFactory
    {
        public override IImageParameterization Create(Generator generator, Device device)
        {
            var parameterization = Inner.Create(generator, device);
            if (parameterization.Shape.Batch != Batch)
            {
                int made = parameterization.Shape.Batch;
                parameterization.Dispose();
                throw new InvalidRenderOptionsException(nameof(RenderOptions.Parameterization), $"Rendering {Batch} images needs a parameterisation with a batch of {Batch} images; it made {made}.");
            }

            return parameterization;
        }
    }

    private sealed class RenderRun(
        nn.Module<Tensor, Tensor> model,
        IObjective objective,
        IReadOnlyList<IObjective>? imageObjectives,
        RenderOptions options,
        Device device,
        IProgress<RenderProgress>? progress,
        CancellationToken cancellationToken)
    {
        /// <summary>Stands for "measure the micro-batch size at the first step" in <see cref="_microBatch"/>.</summary>
        private const int MeasureAtFirstStep = 0;

        private readonly List<RenderSnapshot> _snapshots = [];
        private readonly List<double> _losses = [];
        private readonly List<string> _warnings = [];
        private readonly ILogger? _logger = options.Logger;
        private readonly List<double>[] _imageLosses = imageObjectives?.Select(_ => new List<double>()).ToArray() ?? [];
        private bool _warnedIncomputable;
        private Tensor? _transparency;

        /// <summary>The current step's per-image losses (a batched render's terms), filled by the forward-backward pass.</summary>
        private double[]? _stepImageLosses;

        /// <summary>Images per pass through the model; <see cref="MeasureAtFirstStep"/> until the first step chose it.</summary>
        private int _microBatch;
        private RenderTuning? _tuning;

        public RenderResult Run(ModelSession session)
        {
            var stopwatch = Stopwatch.StartNew();
            var thresholds = new HashSet<int>(options.Thresholds);
            int steps = options.Steps;
            var stopReason = RenderStopReason.Completed;
            string? stopMessage = null;

            var generator = session.Generator;
            using var parameterization = options.Parameterization.Create(generator, device);
            foreach (var parameter in parameterization.Parameters)
            {
                TorchDevices.Require(
                    parameter,
                    device,
                    $"A parameter of the parameterisation '{parameterization.Name}'",
                    "Make it on the model's device: take the render's device in RenderOptions.Parameterization (ParameterizationFactory.From((g, device) => ImageParameterizations.Image(128, generator: g, device: device))).");
            }

            session.Prepare(parameterization.Shape, objective.Layers, options.StopForwardEarly, objective);
            var pipeline = session.Pipeline;
            _microBatch = MicroBatch(parameterization.Shape.Batch);

            var frozen = options.FreezeModel ? Freeze(model) : [];
            Tensor? lastFiniteImage = null;
            ImageBatch? transparencyMap = null;
            double lastFiniteLoss = double.NaN;
            _logger?.LogInformation(
                "Rendering {Objective} for {Steps} steps with {Parameterization}, transforms [{Transforms}], seed {Seed}",
                objective.Name, steps, parameterization.Name, string.Join(", ", pipeline.Transforms.Select(t => t.Name)), options.Seed);
            try
            {
                using var gradMode = torch.enable_grad();
                using var optimizer = RenderDefaults.Optimizer(options)(parameterization.Parameters);
                bool useClosure = options.OptimizerNeedsClosure ?? NeedsClosure(optimizer);
                bool transparency = !useClosure && (options.TransparencyMap ?? parameterization is MacoParameterization);
                session.Context.TotalSteps = steps;
                for (int step = 1; step <= steps; step++)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        stopReason = RenderStopReason.Cancelled;
                        stopMessage = $"Cancelled before step {step} of {steps}; the images after step {step - 1} were recorded.";
                        Record(parameterization, step - 1, _losses.Count > 0 ? _losses[^1] : double.NaN);
                        break;
                    }

                    double loss;
                    using (var scope = NewDisposeScope())
                    {
                        Tensor image;
                        if (useClosure)
                        {
                            (image, loss) = ClosureStep(optimizer, parameterization, session, step);
                        }
                        else
                        {
                            optimizer.zero_grad();
                            session.Context.Step = step;
                            image = parameterization.CreateImage();
                            if (transparency)
                            {
                                image.retain_grad();
                            }

                            loss = ForwardBackward(session, image, step, _microBatch);
                            if (transparency && image.grad is { } inputGradient)
                            {
                                using var absolute = inputGradient.abs().sum(1, keepdim: true).detach();
                                if (_transparency is null)
                                {
                                    _transparency = absolute.clone().DetachFromDisposeScope();
                                }
                                else
                                {
                                    _transparency.add_(absolute);
                                }
                            }
                        }

                        if (!double.IsFinite(loss))
                        {
                            stopReason = RenderStopReason.NonFiniteLoss;
                            stopMessage = string.Create(CultureInfo.InvariantCulture, $"The loss became {loss} at step {step} of {steps}; stopped and returned the last images with a finite loss (step {step - 1}). Lower the learning rate or check the objective.");
                            _logger?.LogWarning("{Message}", stopMessage);
                            if (lastFiniteImage is not null)
                            {
                                _snapshots.Add(new RenderSnapshot(step - 1, TensorImages.ToImageBatch(lastFiniteImage), lastFiniteLoss));
                            }

                            break;
                        }

                        if (!useClosure)
                        {
                            optimizer.step();
                        }

                        lastFiniteImage?.Dispose();
                        lastFiniteImage = image.detach().clone().DetachFromDisposeScope();
                        lastFiniteLoss = loss;
                    }

                    _losses.Add(loss);
                    if (_stepImageLosses is { } perImage)
                    {
                        for (int i = 0; i < perImage.Length; i++)
                        {
                            _imageLosses[i].Add(perImage[i]);
                        }
                    }
                    if (step % CollectEverySteps == 0)
                    {
                        // TorchSharp's small native objects (scalars, autograd bookkeeping) are freed by
                        // finalizers. A render allocates little managed memory, so without this the GC may
                        // not run for hundreds of steps and their native memory piles up (about 30 KB and
                        // 50 KB of managed garbage per step, measured). A generation-0 collection of a few
                        // MB costs well under a millisecond.
                        GC.Collect(0);
                    }

                    progress?.Report(new RenderProgress(step, steps, loss, stopwatch.Elapsed));
                    if (thresholds.Contains(step))
                    {
                        Record(parameterization, step, loss);
                    }
                }
            }
            finally
            {
                lastFiniteImage?.Dispose();
                transparencyMap = TakeTransparency();
                foreach (var (parameter, requiresGrad) in frozen)
                {
                    parameter.requires_grad = requiresGrad;
                }
            }

            stopwatch.Stop();
            _logger?.LogInformation(
                "Rendered {Objective}: {Steps} steps in {Elapsed:F1} s, loss {First:G4} -> {Last:G4} ({Reason})",
                objective.Name, _losses.Count, stopwatch.Elapsed.TotalSeconds, _losses.Count > 0 ? _losses[0] : double.NaN, _losses.Count > 0 ? _losses[^1] : double.NaN, stopReason);
            return new RenderResult(_snapshots, _losses, stopReason, stopMessage, options.Seed, stopwatch.Elapsed, _warnings, _imageLosses)
            {
                Transparency = transparencyMap,
                MicroBatchSize = _microBatch == MeasureAtFirstStep ? null : _microBatch,
                MicroBatchTuning = _tuning,
            };
        }

        /// <summary>The accumulated absolute input gradient, each image scaled to a maximum of 1, as (batch, height, width, 1); frees the accumulator.</summary>
        private ImageBatch? TakeTransparency()
        {
            if (_transparency is null)
            {
                return null;
            }

            using var scope = NewDisposeScope();
            using var accumulated = _transparency;
            _transparency = null;
            var peak = accumulated.amax([1, 2, 3], keepdim: true).clamp_min(1e-30);
            return TensorImages.ToImageBatch(accumulated.div(peak).cpu());
        }

        /// <summary>
        /// One step's forward and backward passes on <paramref name="image"/>: transforms, model (whole batch or
        /// micro-batches), objective, gradients. Returns the loss.
        /// </summary>
        private double ForwardBackward(ModelSession session, Tensor image, int step, int microBatch)
        {
            var recorder = session.Recorder;
            recorder.BeginStep(image);
            var input = session.Transform(image);
            if (microBatch == MeasureAtFirstStep)
            {
                // The first step of a batched CPU render that leaves MicroBatchSize unset: the size measured for this
                // workload on this step's images (once per machine and workload; the images do not depend on it).
                _tuning = input.shape[0] == image.shape[0]
                    ? MicroBatchTuning.Choose(model, session, imageObjectives!, image, input, objective.Name, options.Steps)
                    : null;
                microBatch = _microBatch = _tuning?.MicroBatchFor((int)input.shape[0]) ?? (int)input.shape[0];
            }

            // A transform that changes the batch (MACO's crops) has no image-to-slice mapping: run the whole batch.
            if (microBatch < input.shape[0] && input.shape[0] == image.shape[0])
            {
                return MicroBatchedForwardBackward(session, image, input, step, microBatch);
            }

            RunForward(session, input, step);
            Tensor lossTensor;
            Tensor? imageValues = null;
            if (imageObjectives is null)
            {
                lossTensor = objective.Compute(recorder);
                RequireScalar(lossTensor, objective);
            }
            else
            {
                (lossTensor, imageValues) = SumImageTerms(recorder, 0, imageObjectives.Count);
            }

            // Queue the backward pass before reading the loss: on a GPU the read waits for the
            // device, and the step's work is then already queued. A non-finite loss still stops
            // the render before the optimiser applies its gradients.
            lossTensor.backward();
            if (imageValues is not null)
            {
                RecordImageLosses(imageValues, 0);
            }

            return lossTensor.ToDouble();
        }

        /// <summary>
        /// One step of an optimiser that re-evaluates the loss through a closure (Lucent's
        /// <c>optimizer.step(closure)</c>; L-BFGS calls it several times per step). Each evaluation makes the
        /// image, draws new transforms and runs forward and backward in its own dispose scope. Returns the image
        /// and loss of the first evaluation (before the step changes the parameters), as the plain path does.
        /// </summary>
        /// <remarks>
        /// The closure runs inside native code, where a managed exception must not unwind: an exception, or a
        /// non-finite loss on the first evaluation, zeroes the gradients and returns a zero loss, which makes
        /// L-BFGS stop the step without moving the parameters; the exception is then rethrown here.
        /// </remarks>
        private (Tensor Image, double Loss) ClosureStep(optim.Optimizer optimizer, IImageParameterization parameterization, ModelSession session, int step)
        {
            double[]? firstImageLosses = null;
            Tensor? firstImage = null;
            double firstLoss = double.NaN;
            int evaluations = 0;
            ExceptionDispatchInfo? failure = null;
            var parameters = parameterization.Parameters;

            Tensor Closure()
            {
                evaluations++;
                using var evaluationScope = NewDisposeScope();
                using var gradMode = torch.enable_grad();
                try
                {
                    if (failure is not null)
                    {
                        return Stop();
                    }

                    optimizer.zero_grad();
                    var image = parameterization.CreateImage();
                    double loss = ForwardBackward(session, image, step, _microBatch);
                    if (evaluations == 1)
                    {
                        firstImageLosses = (double[]?)_stepImageLosses?.Clone();
                        firstImage = image.detach().clone().MoveToOuterDisposeScope();
                        firstLoss = loss;
                        if (!double.IsFinite(loss))
                        {
                            return Stop();
                        }
                    }

                    return torch.tensor(loss).DetachFromDisposeScope();
                }
                catch (Exception ex)
                {
                    failure = ExceptionDispatchInfo.Capture(ex);
                    return Stop();
                }
            }

            Tensor Stop()
            {
                using var noGrad = torch.no_grad();
                foreach (var parameter in parameters)
                {
                    parameter.grad?.zero_();
                }

                return torch.tensor(0.0).DetachFromDisposeScope();
            }

            using (optimizer.step(Closure))
            {
            }

            failure?.Throw();
            if (firstImageLosses is not null)
            {
                // The step's per-image losses are its first evaluation's, as its loss is.
                _stepImageLosses = firstImageLosses;
            }

            if (firstImage is null)
            {
                throw new InvalidOperationException($"The optimiser {optimizer.GetType().Name} did not call the closure it was given; set RenderOptions.OptimizerNeedsClosure to false for it.");
            }

            return (firstImage, firstLoss);
        }

        /// <summary>
        /// How many images go through the model at once (<see cref="RenderOptions.MicroBatchSize"/>): the whole
        /// batch unless the render has one objective per image that reads only model layers.
        /// </summary>
        private int MicroBatch(int batch)
        {
            if (imageObjectives is null || imageObjectives.Count != batch || batch < 2 ||
                imageObjectives.Any(o => o.Layers.Contains(IActivationLookup.Input, StringComparer.Ordinal) || o.Layers.Contains(IActivationLookup.Labels, StringComparer.Ordinal)))
            {
                return batch;
            }

            if (options.MicroBatchSize is { } size)
            {
                return Math.Min(size, batch);
            }

            // On the CPU, the size measured for this workload at the first step (MicroBatchTuning; docs/performance.md,
            // "Measured defaults"); LUCENT_NET_TUNING=off gives the rule of thumb by the kernels in use.
            return device.type == DeviceType.CPU ? MeasureAtFirstStep : batch;
        }

        /// <summary>
        /// One step's forward and backward passes, <paramref name="microBatch"/> images at a time: the
        /// transformed batch is cut into slices, each slice runs through the model and its images' objectives
        /// (which see their own activations at their own batch positions), the gradients are gathered on the
        /// transformed batch, and one backward pass takes them through the transforms to the image.
        /// </summary>
        private double MicroBatchedForwardBackward(ModelSession session, Tensor image, Tensor input, int step, int microBatch)
        {
            using var detached = input.detach().requires_grad_(true);
            double total = 0;
            Tensor? sliceLoss = null, values = null;
            MicroBatchSlices.ForwardBackward(
                session,
                image,
                detached,
                (int)input.shape[0],
                microBatch,
                slice => RunForward(session, slice, step),
                (lookup, start, count) =>
                {
                    (sliceLoss, values) = SumImageTerms(lookup, start, count);
                    return sliceLoss;
                },
                afterBackward: start =>
                {
                    // Read back once the backward pass is queued.
                    total += sliceLoss!.ToDouble();
                    RecordImageLosses(values!, start);
                });

            input.backward([detached.grad!]);
            return total;
        }

        private static void RequireScalar(Tensor loss, IObjective objective) => Objective.RequireScalar(loss, objective.Name);

        /// <summary>The result of a render cancelled before its first step: the starting images (step 0), no losses.</summary>
        public RenderResult CancelledBeforeStart()
        {
            using var generator = new Generator((ulong)options.Seed, torch.CPU);
            using var parameterization = options.Parameterization.Create(generator, device);
            Record(parameterization, 0, double.NaN);
            string message = $"Cancelled before step 1 of {options.Steps}; the starting images (step 0) were recorded.";
            _logger?.LogInformation("Rendering {Objective}: {Message}", objective.Name, message);
            return new RenderResult(_snapshots, _losses, RenderStopReason.Cancelled, message, options.Seed, TimeSpan.Zero, _warnings, _imageLosses);
        }

        private void Record(IImageParameterization parameterization, int step, double loss)
        {
            using var noGrad = torch.no_grad();
            using var scope = NewDisposeScope();
            var image = parameterization.CreateImage();
            _snapshots.Add(new RenderSnapshot(step, TensorImages.ToImageBatch(image), loss));
        }

        /// <summary>
        /// The sum of the image objectives <paramref name="start"/> .. <paramref name="start"/> + <paramref name="count"/> - 1
        /// on <paramref name="lookup"/>, added left to right as <see cref="Objective.Sum"/> does; each term's value goes
        /// to this step's per-image losses (read back in one transfer).
        /// </summary>
        private (Tensor Total, Tensor Values) SumImageTerms(IActivationLookup lookup, int start, int count)
        {
            var terms = new Tensor[count];
            Tensor? total = null;
            for (int i = 0; i < count; i++)
            {
                var term = imageObjectives![start + i].Compute(lookup);
                RequireScalar(term, imageObjectives[start + i]);
                terms[i] = term;
                total = total is null ? term : total.add(term);
            }

            return (total!, torch.cat(terms.Select(t => t.detach().reshape(1)).ToArray()).to(ScalarType.Float64));
        }

        /// <summary>
        /// Copies a pass's per-image losses (<see cref="SumImageTerms"/>'s values) into the step's record: one transfer,
        /// made after the backward pass is queued, as the step's loss is read.
        /// </summary>
        private void RecordImageLosses(Tensor values, int start)
        {
            using var onCpu = values.cpu();
            var perImage = _stepImageLosses ??= new double[imageObjectives!.Count];
            onCpu.data<double>().CopyTo(perImage, start);
        }

        private void RunForward(ModelSession session, Tensor input, int step)
        {
            if (session.Run(input, objective.Name, $"at step {step}") is { } ignored && !_warnedIncomputable)
            {
                _warnedIncomputable = true;
                string warning = $"Some layers after those the objective needs cannot be computed at input size [{string.Join(", ", input.shape)}] ({ignored.Message}); the objective does not need them, so the render continues.";
                _warnings.Add(warning);
                _logger?.LogWarning("{Warning}", warning);
            }
        }

        private static List<(Parameter Parameter, bool RequiresGrad)> Freeze(nn.Module module)
        {
            var states = new List<(Parameter, bool)>();
            foreach (var parameter in module.parameters())
            {
                states.Add((parameter, parameter.requires_grad));
                parameter.requires_grad = false;
            }

            return states;
        }
    }
}
