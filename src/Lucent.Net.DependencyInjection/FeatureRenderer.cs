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
/// Renders feature visualisations with the configured defaults, named pipelines, objective
/// plugins and models, logging the start, progress and end of every render.
/// </summary>
public interface IFeatureRenderer
{
    /// <summary>
    /// The render options a render through this service uses: the configured <see cref="LucentOptions.Render"/>, its
    /// transforms from the <see cref="LucentOptions.DefaultPipeline"/> when it names none, then
    /// <paramref name="configure"/>.
    /// </summary>
    /// <param name="configure">Changes for this render, e.g. <c>o =&gt; o with { Seed = 3 }</c>; null keeps the configuration.</param>
    /// <returns>Options for <see cref="Renderer.Render(nn.Module{Tensor, Tensor}, IObjective, RenderOptions?, IProgress{RenderProgress}?, CancellationToken)"/>.</returns>
    /// <exception cref="UnknownTransformPipelineException">The configuration names an unknown pipeline.</exception>
    /// <exception cref="InvalidRenderOptionsException"><paramref name="configure"/> returned null or options that cannot work.</exception>
    RenderOptions CreateOptions(Func<RenderOptions, RenderOptions>? configure = null);

    /// <summary>Renders <paramref name="objective"/> on <paramref name="model"/> on a thread-pool thread.</summary>
    /// <param name="model">The model (the caller keeps ownership).</param>
    /// <param name="objective">The objective to minimise.</param>
    /// <param name="configure">Changes to the configured render options for this render (see <see cref="CreateOptions"/>), e.g.
    /// <c>o =&gt; o with { Seed = 3, Transforms = pipelines.Get("strong").Transforms }</c>; null keeps the configuration.</param>
    /// <param name="progress">Receives the step and loss after every step.</param>
    /// <param name="cancellationToken">Stops the render early; the images so far are returned (<see cref="RenderResult.StopReason"/> is <see cref="RenderStopReason.Cancelled"/>).</param>
    /// <returns>The images at each threshold and the losses.</returns>
    Task<RenderResult> RenderAsync(nn.Module<Tensor, Tensor> model, IObjective objective, Func<RenderOptions, RenderOptions>? configure = null, IProgress<RenderProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Renders an objective expression (see <c>docs/expressions.md</c>) on <paramref name="model"/>.</summary>
    /// <param name="model">The model (the caller keeps ownership).</param>
    /// <param name="objectiveExpression">E.g. <c>channel(mixed4a, 5) - 100 * diversity(mixed4a)</c>; plugins may be used.</param>
    /// <param name="configure">Changes to the configured render options for this render (see <see cref="CreateOptions"/>), e.g.
    /// <c>o =&gt; o with { Seed = 3, Transforms = pipelines.Get("strong").Transforms }</c>; null keeps the configuration.</param>
    /// <param name="progress">Receives the step and loss after every step.</param>
    /// <param name="cancellationToken">Stops the render early; the images so far are returned.</param>
    /// <returns>The images at each threshold and the losses.</returns>
    /// <exception cref="Expressions.ObjectiveExpressionException">The expression is invalid.</exception>
    Task<RenderResult> RenderAsync(nn.Module<Tensor, Tensor> model, string objectiveExpression, Func<RenderOptions, RenderOptions>? configure = null, IProgress<RenderProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Renders an objective expression on a model registered by name (see <see cref="IModelCatalog"/>).</summary>
    /// <param name="modelName">The registered model's name.</param>
    /// <param name="objectiveExpression">The objective expression.</param>
    /// <param name="configure">Changes to the configured render options for this render (see <see cref="CreateOptions"/>), e.g.
    /// <c>o =&gt; o with { Seed = 3, Transforms = pipelines.Get("strong").Transforms }</c>; null keeps the configuration.</param>
    /// <param name="progress">Receives the step and loss after every step.</param>
    /// <param name="cancellationToken">Stops the render early; the images so far are returned.</param>
    /// <returns>The images at each threshold and the losses.</returns>
    /// <exception cref="ModelNotRegisteredException">No model with that name is registered.</exception>
    Task<RenderResult> RenderModelAsync(string modelName, string objectiveExpression, Func<RenderOptions, RenderOptions>? configure = null, IProgress<RenderProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Renders <paramref name="objective"/> on <paramref name="model"/> on the calling thread.</summary>
    /// <param name="model">The model (the caller keeps ownership).</param>
    /// <param name="objective">The objective to minimise.</param>
    /// <param name="configure">Changes to the configured render options for this render (see <see cref="CreateOptions"/>), e.g.
    /// <c>o =&gt; o with { Seed = 3, Transforms = pipelines.Get("strong").Transforms }</c>; null keeps the configuration.</param>
    /// <param name="progress">Receives the step and loss after every step.</param>
    /// <param name="cancellationToken">Stops the render early; the images so far are returned.</param>
    /// <returns>The images at each threshold and the losses.</returns>
    RenderResult Render(nn.Module<Tensor, Tensor> model, IObjective objective, Func<RenderOptions, RenderOptions>? configure = null, IProgress<RenderProgress>? progress = null, CancellationToken cancellationToken = default);
}

/// <summary>The default <see cref="IFeatureRenderer"/>: <see cref="Renderer.Render(nn.Module{Tensor, Tensor}, IObjective, RenderOptions?, IProgress{RenderProgress}?, CancellationToken)"/> with the configured defaults and logging.</summary>
internal sealed class FeatureRenderer(
    IOptionsMonitor<LucentOptions> options,
    ITransformPipelineProvider pipelines,
    IObjectiveRegistry objectives,
    IModelCatalog models,
    IServiceProvider services) : IFeatureRenderer
{
    private readonly ILogger _logger = (ILogger?)services.GetService(typeof(ILogger<FeatureRenderer>)) ?? NullLogger<FeatureRenderer>.Instance;

    public RenderOptions CreateOptions(Func<RenderOptions, RenderOptions>? configure = null) => CreateOptions(configure, out _);

    public Task<RenderResult> RenderAsync(nn.Module<Tensor, Tensor> model, IObjective objective, Func<RenderOptions, RenderOptions>? configure = null, IProgress<RenderProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(objective);
        return Task.Run(() => Render(model, objective, configure, progress, cancellationToken), CancellationToken.None);
    }

    public Task<RenderResult> RenderAsync(nn.Module<Tensor, Tensor> model, string objectiveExpression, Func<RenderOptions, RenderOptions>? configure = null, IProgress<RenderProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(objectiveExpression);
        var objective = objectives.Parse(objectiveExpression);
        return RenderAsync(model, objective, configure, progress, cancellationToken);
    }

    public Task<RenderResult> RenderModelAsync(string modelName, string objectiveExpression, Func<RenderOptions, RenderOptions>? configure = null, IProgress<RenderProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(objectiveExpression);
        var objective = objectives.Parse(objectiveExpression);
        return Task.Run(() => Render(models.Get(modelName), objective, configure, progress, cancellationToken), CancellationToken.None);
    }

    public RenderResult Render(nn.Module<Tensor, Tensor> model, IObjective objective, Func<RenderOptions, RenderOptions>? configure = null, IProgress<RenderProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(objective);
        var renderOptions = CreateOptions(configure, out string pipelineName);
        int interval = options.CurrentValue.ProgressLogInterval;
        _logger.LogInformation(
            "Rendering {Objective} on {Model}: {Steps} steps, {Image} image, batch {Batch}, pipeline '{Pipeline}', learning rate {LearningRate}, seed {Seed}",
            objective.Name,
            model.GetType().Name,
            renderOptions.Steps,
            DescribeImage(renderOptions),
            renderOptions.Parameterization is ImageOptions image ? image.Batch.ToString(CultureInfo.InvariantCulture) : "custom",
            pipelineName,
            renderOptions.LearningRate,
            renderOptions.Seed);

        var reporter = new ProgressReporter(progress, _logger, interval);
        RenderResult result;
        try
        {
            result = Renderer.Render(model, objective, renderOptions, reporter, cancellationToken);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Rendering {Objective} failed: {Message}", objective.Name, ex.Message);
            throw;
        }

        foreach (string warning in result.Warnings)
        {
            _logger.LogWarning("{Warning}", warning);
        }

        if (result.StopReason == RenderStopReason.Completed)
        {
            _logger.LogInformation(
                "Rendered {Objective}: {Steps} steps in {Seconds:F2} s, loss {InitialLoss:G4} -> {FinalLoss:G4}",
                objective.Name, result.Losses.Count, result.Elapsed.TotalSeconds, result.InitialLoss, result.FinalLoss);
        }
        else
        {
            _logger.LogWarning(
                "Render of {Objective} stopped early ({Reason}) after {Steps} steps in {Seconds:F2} s: {Message}",
                objective.Name, result.StopReason, result.Losses.Count, result.Elapsed.TotalSeconds, result.StopMessage);
        }

        return result;
    }

    private RenderOptions CreateOptions(Func<RenderOptions, RenderOptions>? configure, out string pipelineName)
    {
        var o = options.CurrentValue;
        var configured = o.Render;
        if (configured.Transforms is null)
        {
            pipelineName = o.DefaultPipeline;
            configured = configured with { Transforms = pipelines.Get(pipelineName).Transforms };
        }
        else
        {
            pipelineName = "(configured in code)";
        }

        if (configure is null)
        {
            return configured;
        }

        var changed = configure(configured)
            ?? throw new InvalidRenderOptionsException(nameof(configure), "The configure function returned null; return the options it was given, changed with 'with', e.g. o => o with { Seed = 3 }.");
        if (!ReferenceEquals(changed.Transforms, configured.Transforms))
        {
            pipelineName = changed.Transforms is null ? LucentOptions.StandardPipeline : NameOf(changed.Transforms) ?? "(custom)";
        }

        return changed;
    }

    /// <summary>The name of the registered pipeline whose transforms these are (the same list instance), or null.</summary>
    private string? NameOf(IReadOnlyList<IImageTransform> transforms) =>
        pipelines.Names.FirstOrDefault(name => pipelines.TryGet(name, out var pipeline) && ReferenceEquals(pipeline.Transforms, transforms));

    private static string DescribeImage(RenderOptions options) =>
        options.Parameterization is ImageOptions image
            ? string.Create(CultureInfo.InvariantCulture, $"{image.Width}x{image.EffectiveHeight}px")
            : "custom";

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
