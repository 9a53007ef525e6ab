using Lucent.Net.Activations;
using Lucent.Net.Objectives;
using Lucent.Net.Parameterization;
using Lucent.Net.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Rendering;

/// <summary>
/// The set-up every pass over a model shares, whether it optimises an image (<see cref="Renderer"/>) or only reads
/// activations (<see cref="EvaluationSession"/>: <see cref="ObjectiveEvaluator"/>, <see cref="ActivationCapture"/>):
/// the model held (<see cref="ModelLock"/>), the render's device, one seeded CPU generator and transform context,
/// then, once the image's shape is known, the render's pipeline (transforms, preprocessing, resize: it builds and
/// owns it), the hooks that record (<see cref="ActivationRecorder"/>) and the runner that runs the model
/// (<see cref="ModelRunner"/>), with the model in eval mode. Disposing restores the model's mode and releases
/// everything in reverse order.
/// </summary>
internal sealed class ModelSession : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly RenderOptions _options;
    private readonly IDisposable _lease;
    private ActivationRecorder? _recorder;
    private ModelRunner? _runner;
    private IDisposable? _pruning;
    private TransformPipeline? _pipeline;
    private bool _wasTraining;
    private bool _prepared;

    private ModelSession(nn.Module<Tensor, Tensor> model, RenderOptions options, Device device, IDisposable lease)
    {
        _model = model;
        _options = options;
        _lease = lease;
        Device = device;

        // One CPU generator on every device: the initial values are drawn on the CPU and moved, and the
        // transforms draw their random choices there, so a seed gives the same initial image and the same
        // transform draws on any device (docs/gpu.md).
        Generator = new Generator((ulong)options.Seed, torch.CPU);
        Context = new TransformContext(Generator);
    }

    /// <summary>The device the model runs on (<see cref="RenderDevice.Resolve"/>).</summary>
    public Device Device { get; }

    /// <summary>The seeded generator: initial values and every random transform draw.</summary>
    public Generator Generator { get; }

    /// <summary>The transform context over <see cref="Generator"/>.</summary>
    public TransformContext Context { get; }

    /// <summary>The render's pipeline; set by <see cref="Prepare"/>.</summary>
    public TransformPipeline Pipeline => _pipeline ?? throw NotPrepared();

    /// <summary>The hooks on the model; set by <see cref="Prepare"/>.</summary>
    public ActivationRecorder Recorder => _recorder ?? throw NotPrepared();

    /// <summary>Applies the pipeline to <paramref name="image"/> with the session's transform context (<see cref="RenderPipeline.Apply"/>).</summary>
    /// <param name="image">The parameterised image.</param>
    /// <returns>The model's input.</returns>
    public Tensor Transform(Tensor image) => RenderPipeline.Apply(Pipeline, image, Context);

    /// <summary>Runs the model on <paramref name="input"/> with the hooks (<see cref="ModelRunner.Run"/>).</summary>
    /// <param name="input">The transformed image.</param>
    /// <param name="objectiveName">For error messages.</param>
    /// <param name="where">For error messages, e.g. "at step 3".</param>
    /// <returns>Null, or the error of layers after the needed ones (a warning).</returns>
    public Exception? Run(Tensor input, string objectiveName, string where) =>
        (_runner ?? throw NotPrepared()).Run(Recorder, input, objectiveName, where);

    /// <summary>Holds <paramref name="model"/> (waiting for another render on it, cancellably) and makes the generator.</summary>
    /// <param name="model">The model.</param>
    /// <param name="options">The render's options.</param>
    /// <param name="device">The render's device, resolved once by the caller (<see cref="RenderDevice.Resolve"/>).</param>
    /// <param name="cancellationToken">Stops the wait for the model.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the model was free.</exception>
    public static ModelSession Open(nn.Module<Tensor, Tensor> model, RenderOptions options, Device device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var lease = ModelLock.Acquire(model, cancellationToken);
        return new ModelSession(model, options, device, lease);
    }

    /// <summary>Builds the pipeline for images of <paramref name="imageShape"/>, hooks <paramref name="layers"/> and puts the model in eval mode.</summary>
    public void Prepare(ImageShape imageShape, IReadOnlyCollection<string> layers, bool stopEarly, IObjective? objective = null)
    {
        if (_prepared)
        {
            throw new InvalidOperationException("The session is prepared already.");
        }

        _pipeline = new TransformPipeline(RenderPipeline.Build(_model, _options, imageShape));
        _runner = new ModelRunner(_model, Device);
        _recorder = new ActivationRecorder(_model, layers, stopEarly);
        if (_recorder.StopEarly && layers.Count == 1 && objective is not null && _model is IPrunableModel prunable &&
            ObjectiveChannels.Read(objective, layers.First()) is { } channels)
        {
            // Nothing after the one layer read runs, so the branches that feed only its other channels need not either.
            _pruning = prunable.ComputeOnly(layers.First(), channels);
        }

        _wasTraining = _model.training;
        _model.eval();
        _prepared = true;
    }

    public void Dispose()
    {
        if (_prepared)
        {
            _model.train(_wasTraining);
        }

        _pruning?.Dispose();
        _recorder?.Dispose();
        Generator.Dispose();
        _lease.Dispose();
    }

    private static InvalidOperationException NotPrepared() => new("Call Prepare before using the pipeline or the hooks.");
}
