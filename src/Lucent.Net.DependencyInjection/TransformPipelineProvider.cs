using System.Collections.Concurrent;
using Lucent.Net.Transforms;
using Microsoft.Extensions.Options;

namespace Lucent.Net.DependencyInjection;

/// <summary>
/// Named transform pipelines, in the style of Polly's named resilience pipelines: registered in
/// code with <see cref="LucentBuilder.AddTransformPipeline(string, Action{TransformPipelineBuilder})"/>,
/// declared in configuration under <c>Lucent:Pipelines</c>, or built in (<c>standard</c>: Lucent's
/// standard transforms; <c>none</c>: no transforms).
/// </summary>
public interface ITransformPipelineProvider
{
    /// <summary>Every pipeline name, sorted.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>The pipeline named <paramref name="name"/> (case-insensitive). Pipelines are immutable and cached.</summary>
    /// <param name="name">The pipeline's name.</param>
    /// <returns>The pipeline.</returns>
    /// <exception cref="UnknownTransformPipelineException">No such pipeline; the message lists the registered ones.</exception>
    /// <exception cref="UnknownTransformException">A configured step names an unregistered transform type.</exception>
    /// <exception cref="Expressions.TransformExpressionException">A configured step is malformed or has an invalid argument; the message names the key.</exception>
    TransformPipeline Get(string name);

    /// <summary>Gets the pipeline named <paramref name="name"/> if it exists.</summary>
    /// <param name="name">The pipeline's name.</param>
    /// <param name="pipeline">The pipeline, or null.</param>
    /// <returns>Whether it exists.</returns>
    bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TransformPipeline? pipeline);
}

/// <summary>A pipeline registered in code.</summary>
/// <param name="Name">The pipeline's name.</param>
/// <param name="Configure">Adds the steps to the builder.</param>
internal sealed record TransformPipelineRegistration(string Name, Action<TransformPipelineBuilder, IServiceProvider> Configure);

/// <summary>The default <see cref="ITransformPipelineProvider"/>.</summary>
internal sealed class TransformPipelineProvider : ITransformPipelineProvider, IDisposable
{
    private readonly Dictionary<string, TransformPipelineRegistration> _code = new(StringComparer.OrdinalIgnoreCase);
    private readonly ITransformRegistry _transforms;
    private readonly IOptionsMonitor<LucentOptions> _options;
    private readonly IServiceProvider _services;
    private readonly ConcurrentDictionary<string, TransformPipeline> _cache = new(StringComparer.OrdinalIgnoreCase);
    private readonly IDisposable? _changeSubscription;

    public TransformPipelineProvider(IEnumerable<TransformPipelineRegistration> registrations, ITransformRegistry transforms, IOptionsMonitor<LucentOptions> options, IServiceProvider services)
    {
        foreach (var registration in registrations)
        {
            _code[registration.Name] = registration;
        }

        this._transforms = transforms;
        this._options = options;
        this._services = services;
        _changeSubscription = options.OnChange(_ => _cache.Clear());
    }

    public IReadOnlyList<string> Names => NamesOf(_code.Keys, _options.CurrentValue);

    public TransformPipeline Get(string name) =>
        TryGet(name, out var pipeline) ? pipeline : throw new UnknownTransformPipelineException(name, Names);

    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TransformPipeline? pipeline)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_cache.TryGetValue(name, out pipeline))
        {
            return true;
        }

        pipeline = Build(name, _options.CurrentValue, _code, _transforms, _services);
        if (pipeline is null)
        {
            return false;
        }

        pipeline = _cache.GetOrAdd(name, pipeline);
        return true;
    }

    public void Dispose() => _changeSubscription?.Dispose();

    /// <summary>All pipeline names: built in, registered in code, and configured.</summary>
    internal static IReadOnlyList<string> NamesOf(IEnumerable<string> codeNames, LucentOptions options) =>
        new[] { LucentOptions.StandardPipeline, LucentOptions.NoTransformsPipeline }
            .Concat(codeNames)
            .Concat(options.Pipelines.Keys)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Builds a pipeline: configuration first, then code, then the built-ins; null when the name is unknown.</summary>
    internal static TransformPipeline? Build(
        string name,
        LucentOptions options,
        IReadOnlyDictionary<string, TransformPipelineRegistration> code,
        ITransformRegistry transforms,
        IServiceProvider services)
    {
        if (options.Pipelines.TryGetValue(name, out var specs))
        {
            return new TransformPipeline(specs.Select(transforms.Create));
        }

        if (code.TryGetValue(name, out var registration))
        {
            var builder = new TransformPipelineBuilder();
            registration.Configure(builder, services);
            return builder.Build();
        }

        if (string.Equals(name, LucentOptions.StandardPipeline, StringComparison.OrdinalIgnoreCase))
        {
            return TransformPipeline.Standard;
        }

        return string.Equals(name, LucentOptions.NoTransformsPipeline, StringComparison.OrdinalIgnoreCase) ? TransformPipeline.Identity : null;
    }
}
