using System.Globalization;
using Lucent.Net.Objectives;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Transforms;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace Lucent.Net.DependencyInjection;

/// <summary>
/// Per-render overrides of the configured <see cref="LucentOptions"/>; every property left null
/// keeps the configured value.
/// </summary>
public sealed record FeatureRenderRequest
{
    /// <summary>The steps at which images are recorded (the last is the step count).</summary>
    public IReadOnlyList<int>? Thresholds { get; init; }

    /// <summary>Number of steps (recording only at the end); ignored when <see cref="Thresholds"/> is set.</summary>
    public int? Steps { get; init; }

    /// <summary>Image width and height in pixels.</summary>
    public int? ImageSize { get; init; }

    /// <summary>Images rendered at once.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Adam's learning rate.</summary>
    public double? LearningRate { get; init; }

    /// <summary>The render's seed.</summary>
    public long? Seed { get; init; }

    /// <summary>The name of the transform pipeline to use.</summary>
    public string? Pipeline { get; init; }

    /// <summary>Transforms to use instead of a named pipeline.</summary>
    public IReadOnlyList<IImageTransform>? Transforms { get; init; }

    /// <summary>The square size the model sees (Lucent's <c>fixed_image_size</c>).</summary>
    public int? ModelInputSize { get; init; }

    /// <summary>Makes the parameterisation instead of the configured standard image.</summary>
    public Func<Generator, IImageParameterization>? Parameterization { get; init; }

    /// <summary>A last change to the options, e.g. <c>o =&gt; o with { OptimizerFactory = ... }</c>.</summary>
    public Func<RenderOptions, RenderOptions>? Customize { get; init; }
}

/// <summary>
/// Renders feature visualisations with the configured defaults, named pipelines, objective
/// plugins and models, logging the start, progress and end of every render.
/// </summary>
public interface IFeatureRenderer
{
    /// <summary>The render options the configured defaults and <paramref name="request"/> give.</summary>
    /// <param name="request">Overrides; null keeps the configuration.</param>
    /// <returns>Options for <see cref="Renderer.Render(nn.Module{Tensor, Tensor}, IObjective, RenderOptions?, IProgress{RenderProgress}?, CancellationToken)"/>.</returns>
    /// <exception cref="UnknownTransformPipelineException">The request or configuration names an unknown pipeline.</exception>
    RenderOptions CreateOptions(FeatureRenderRequest? request = null);

    /// <summary>Renders <paramref name="objective"/> on <paramref name="model"/> on a thread-pool thread.</summary>
    /// <param name="model">The model (the caller keeps ownership).</param>
    /// <param name="objective">The objective to minimise.</param>
    /// <param name="request">Overrides of the configuration.</param>
    /// <param name="progress">Receives the step and loss after every step.</param>
    /// <param name="cancellationToken">Stops the render early; the images so far are returned (<see cref="RenderResult.StopReason"/> is <see cref="RenderStopReason.Cancelled"/>).</param>
    /// <returns>The images at each threshold and the losses.</returns>
    Task<RenderResult> RenderAsync(nn.Module<Tensor, Tensor> model, IObjective objective, FeatureRenderRequest? request = null, IProgress<RenderProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Renders an objective expression (see <c>docs/expressions.md</c>) on <paramref name="model"/>.</summary>
    /// <param name="model">The model (the caller keeps ownership).</param>
    /// <param name="objectiveExpression">E.g. <c>channel(mixed4a, 5) - 100 * diversity(mixed4a)</c>; plugins may be used.</param>
    /// <param name="request">Overrides of the configuration.</param>
    /// <param name="progress">Receives the step and loss after every step.</param>
    /// <param name="cancellationToken">Stops the render early; the images so far are returned.</param>
    /// <returns>The images at each threshold and the losses.</returns>
    /// <exception cref="Expressions.ObjectiveExpressionException">The expression is invalid.</exception>
    Task<RenderResult> RenderAsync(nn.Module<Tensor, Tensor> model, string objectiveExpression, FeatureRenderRequest? request = null, IProgress<RenderProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Renders an objective expression on a model registered by name (see <see cref="IModelCatalog"/>).</summary>
    /// <param name="modelName">The registered model's name.</param>
    /// <param name="objectiveExpression">The objective expression.</param>
    /// <param name="request">Overrides of the configuration.</param>
    /// <param name="progress">Receives the step and loss after every step.</param>
    /// <param name="cancellationToken">Stops the render early; the images so far are returned.</param>
    /// <returns>The images at each threshold and the losses.</returns>
    /// <exception cref="ModelNotRegisteredException">No model with that name is registered.</exception>
    Task<RenderResult> RenderModelAsync(string modelName, string objectiveExpression, FeatureRenderRequest? request = null, IProgress<RenderProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Renders <paramref name="objective"/> on <paramref name="model"/> on the calling thread.</summary>
    /// <param name="model">The model (the caller keeps ownership).</param>
    /// <param name="objective">The objective to minimise.</param>
    /// <param name="request">Overrides of the configuration.</param>
    /// <param name="progress">Receives the step and loss after every step.</param>
    /// <param name="cancellationToken">Stops the render early; the images so far are returned.</param>
    /// <returns>The images at each threshold and the losses.</returns>
    RenderResult Render(nn.Module<Tensor, Tensor> model, IObjective objective, FeatureRenderRequest? request = null, IProgress<RenderProgress>? progress = null, CancellationToken cancellationToken = default);
}

/// <summary>The default <see cref="IFeatureRenderer"/>: <see cref="Renderer.Render(nn.Module{Tensor, Tensor}, IObjective, RenderOptions?, IProgress{RenderProgress}?, CancellationToken)"/> with the configured defaults and logging.</summary>
internal sealed class FeatureRenderer(
    IOptionsMonitor<LucentOptions> options,
    ITransformPipelineProvider pipelines,
    IObjectiveRegistry objectives,
    IModelCatalog models,
    IServiceProvider services) : IFeatureRenderer
{
    private readonly ILogger logger = (ILogger?)services.GetService(typeof(ILogger<FeatureRenderer>)) ?? NullLogger<FeatureRenderer>.Instance;

    public RenderOptions CreateOptions(FeatureRenderRequest? request = null) => CreateOptions(request, out _);

    public Task<RenderResult> RenderAsync(nn.Module<Tensor, Tensor> model, IObjective objective, FeatureRenderRequest? request = null, IProgress<RenderProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(objective);
        return Task.Run(() => Render(model, objective, request, progress, cancellationToken), CancellationToken.None);
    }

    public Task<RenderResult> RenderAsync(nn.Module<Tensor, Tensor> model, string objectiveExpression, FeatureRenderRequest? request = null, IProgress<RenderProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(objectiveExpression);
        var objective = objectives.Parse(objectiveExpression);
        return RenderAsync(model, objective, request, progress, cancellationToken);
    }

    public Task<RenderResult> RenderModelAsync(string modelName, string objectiveExpression, FeatureRenderRequest? request = null, IProgress<RenderProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(objectiveExpression);
        var objective = objectives.Parse(objectiveExpression);
        return Task.Run(() => Render(models.Get(modelName), objective, request, progress, cancellationToken), CancellationToken.None);
    }

    public RenderResult Render(nn.Module<Tensor, Tensor> model, IObjective objective, FeatureRenderRequest? request = null, IProgress<RenderProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(objective);
        var renderOptions = CreateOptions(request, out string pipelineName);
        int interval = options.CurrentValue.ProgressLogInterval;
        logger.LogInformation(
            "Rendering {Objective} on {Model}: {Steps} steps, {Size}px image, batch {Batch}, pipeline '{Pipeline}', learning rate {LearningRate}, seed {Seed}",
            objective.Name,
            model.GetType().Name,
            renderOptions.Steps,
            request?.ImageSize ?? options.CurrentValue.ImageSize,
            request?.BatchSize ?? options.CurrentValue.BatchSize,
            pipelineName,
            renderOptions.LearningRate,
            renderOptions.Seed);

        var reporter = new ProgressReporter(progress, logger, interval);
        RenderResult result;
        try
        {
            result = Renderer.Render(model, objective, renderOptions, reporter, cancellationToken);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Rendering {Objective} failed: {Message}", objective.Name, ex.Message);
            throw;
        }

        foreach (string warning in result.Warnings)
        {
            logger.LogWarning("{Warning}", warning);
        }

        if (result.StopReason == RenderStopReason.Completed)
        {
            logger.LogInformation(
                "Rendered {Objective}: {Steps} steps in {Seconds:F2} s, loss {InitialLoss:G4} -> {FinalLoss:G4}",
                objective.Name, result.Losses.Count, result.Elapsed.TotalSeconds, result.InitialLoss, result.FinalLoss);
        }
        else
        {
            logger.LogWarning(
                "Render of {Objective} stopped early ({Reason}) after {Steps} steps in {Seconds:F2} s: {Message}",
                objective.Name, result.StopReason, result.Losses.Count, result.Elapsed.TotalSeconds, result.StopMessage);
        }

        return result;
    }

    private RenderOptions CreateOptions(FeatureRenderRequest? request, out string pipelineName)
    {
        var o = options.CurrentValue;
        request ??= new FeatureRenderRequest();
        IReadOnlyList<int> thresholds = request.Thresholds
            ?? (request.Steps is int steps ? [steps] : o.GetEffectiveThresholds());
        IReadOnlyList<IImageTransform> transforms;
        if (request.Transforms is { } explicitTransforms)
        {
            transforms = explicitTransforms;
            pipelineName = "(custom)";
        }
        else
        {
            pipelineName = request.Pipeline ?? o.DefaultPipeline;
            transforms = pipelines.Get(pipelineName).Transforms;
        }

        int size = request.ImageSize ?? o.ImageSize;
        int batch = request.BatchSize ?? o.BatchSize;
        bool fft = o.Fft;
        bool decorrelate = o.Decorrelate;
        bool alpha = o.Alpha;
        int? modelInput = request.ModelInputSize ?? o.ModelInputSize;
        var renderOptions = new RenderOptions
        {
            Thresholds = thresholds,
            LearningRate = request.LearningRate ?? o.LearningRate,
            Seed = request.Seed ?? o.Seed,
            Transforms = transforms,
            Preprocess = o.Preprocess,
            FixedImageSize = modelInput is int m ? (m, m) : null,
            Parameterization = request.Parameterization
                ?? (generator => ImageParameterizations.Image(new ImageOptions(size) { Batch = batch, Decorrelate = decorrelate, Fft = fft, Alpha = alpha }, generator)),
        };
        return request.Customize is { } customize ? customize(renderOptions) : renderOptions;
    }

    /// <summary>Forwards progress to the caller and logs it every <c>interval</c> steps.</summary>
    private sealed class ProgressReporter(IProgress<RenderProgress>? inner, ILogger logger, int interval) : IProgress<RenderProgress>
    {
        public void Report(RenderProgress value)
        {
            inner?.Report(value);
            if (interval > 0 && (value.Step % interval == 0 || value.Step == value.TotalSteps) && logger.IsEnabled(LogLevel.Information))
            {
                logger.LogInformation(
                    "Step {Step}/{TotalSteps}: loss {Loss:G4}, about {Remaining} s left",
                    value.Step, value.TotalSteps, value.Loss, Math.Round(value.EstimatedRemaining.TotalSeconds, 1).ToString(CultureInfo.InvariantCulture));
            }
        }
    }
}
