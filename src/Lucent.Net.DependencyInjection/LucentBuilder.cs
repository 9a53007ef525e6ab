using System.Diagnostics.CodeAnalysis;
using Lucent.Net.Expressions;
using Lucent.Net.Objectives;
using Lucent.Net.Transforms;
using Microsoft.Extensions.DependencyInjection;
using static TorchSharp.torch;

namespace Lucent.Net.DependencyInjection;

/// <summary>
/// Returned by <c>AddLucent</c>: registers named transform pipelines, transform plugins, objective
/// plugins and models. Every method returns the builder, so calls chain.
/// </summary>
public sealed class LucentBuilder
{
    internal LucentBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Registers a named transform pipeline built with the fluent builder, e.g.
    /// <c>AddTransformPipeline("standard-ish", b =&gt; b.Pad(12, PadMode.Constant).Jitter(8))</c>.
    /// A pipeline of the same name declared in configuration takes precedence.
    /// </summary>
    /// <param name="name">The pipeline's name (case-insensitive).</param>
    /// <param name="configure">Adds the steps.</param>
    /// <returns>This builder.</returns>
    public LucentBuilder AddTransformPipeline(string name, Action<TransformPipelineBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return AddTransformPipeline(name, (builder, _) => configure(builder));
    }

    /// <summary>Registers a named transform pipeline whose steps may use services.</summary>
    /// <param name="name">The pipeline's name (case-insensitive).</param>
    /// <param name="configure">Adds the steps; receives the service provider.</param>
    /// <returns>This builder.</returns>
    public LucentBuilder AddTransformPipeline(string name, Action<TransformPipelineBuilder, IServiceProvider> configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        Services.AddSingleton(new TransformPipelineRegistration(name, configure));
        return this;
    }

    /// <summary>
    /// Registers a transform type usable by name in configured pipelines and transform expressions.
    /// It is created through dependency injection and its public settable properties (int, double,
    /// float, bool, string, double[], float[], enums) become optional named parameters in
    /// snake_case, with the property name as an alias (e.g. <c>{ "Type": "flip", "Axis": 3 }</c> or
    /// <c>flip(axis=3)</c>). If <typeparamref name="TTransform"/> has a public constructor taking a
    /// <see cref="TransformArguments"/>, it reads its own arguments instead (any arguments; other
    /// constructor parameters come from the container).
    /// </summary>
    /// <typeparam name="TTransform">The transform type.</typeparam>
    /// <param name="name">The function name used in pipelines (letters, digits, <c>_</c>; case-insensitive).</param>
    /// <param name="description">What the transform does.</param>
    /// <returns>This builder.</returns>
    public LucentBuilder AddTransform<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties)] TTransform>(string name, string? description = null)
        where TTransform : class, IImageTransform
    {
        RequireFunctionName(name);
        Services.AddSingleton(new TransformRegistration(services => TransformRegistry.ForType(typeof(TTransform), name, description, services), Replace: false));
        return this;
    }

    /// <summary>
    /// Registers a transform plugin with declared parameters, usable in configured pipelines and
    /// transform expressions, e.g. <c>AddTransform("brighten", ["amount?"], a =&gt; new Brighten(a.GetOptionalDouble("amount") ?? 0.1))</c>
    /// makes <c>brighten(0.5)</c>, <c>brighten(amount=0.5)</c> and <c>{ "Type": "brighten", "Amount": 0.5 }</c> valid.
    /// </summary>
    /// <param name="name">The function name (letters, digits, <c>_</c>).</param>
    /// <param name="parameters">Parameter names in positional order; a trailing <c>?</c> marks one optional.</param>
    /// <param name="factory">Builds the transform from the arguments.</param>
    /// <param name="description">What the transform does.</param>
    /// <returns>This builder.</returns>
    public LucentBuilder AddTransform(string name, IEnumerable<string> parameters, Func<TransformArguments, IImageTransform> factory, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return AddTransform(name, parameters, (a, _) => factory(a), description);
    }

    /// <summary>Registers a transform plugin with declared parameters whose factory may use services.</summary>
    /// <param name="name">The function name (letters, digits, <c>_</c>).</param>
    /// <param name="parameters">Parameter names in positional order; a trailing <c>?</c> marks one optional.</param>
    /// <param name="factory">Builds the transform from the arguments and the service provider.</param>
    /// <param name="description">What the transform does.</param>
    /// <returns>This builder.</returns>
    public LucentBuilder AddTransform(string name, IEnumerable<string> parameters, Func<TransformArguments, IServiceProvider, IImageTransform> factory, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(factory);
        var declared = parameters.Select(FunctionParameter.Parse).ToList();
        RequireFunctionName(name, declared);
        Services.AddSingleton(new TransformRegistration(services => new TransformFunction(name, declared, a => factory(a, services), description), Replace: false));
        return this;
    }

    /// <summary>Registers a transform plugin that accepts any arguments (read positional ones by index).</summary>
    /// <param name="name">The function name.</param>
    /// <param name="factory">Builds the transform from the arguments.</param>
    /// <param name="description">What the transform does.</param>
    /// <returns>This builder.</returns>
    public LucentBuilder AddTransform(string name, Func<TransformArguments, IImageTransform> factory, string? description = null) =>
        AddTransform(TransformFunction.WithAnyArguments(name, factory, description));

    /// <summary>Registers a transform function.</summary>
    /// <param name="function">The function.</param>
    /// <param name="replace">Allow replacing a built-in transform of the same name.</param>
    /// <returns>This builder.</returns>
    public LucentBuilder AddTransform(TransformFunction function, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(function);
        Services.AddSingleton(new TransformRegistration(_ => function, replace));
        return this;
    }

    /// <summary>
    /// Registers an objective plugin usable in expression strings, e.g.
    /// <c>AddObjective("center_channel", ["layer", "n_channel", "sigma?"], a =&gt; ...)</c> makes
    /// <c>center_channel(conv2, 3, sigma: 2)</c> valid.
    /// </summary>
    /// <param name="name">The function name (letters, digits, <c>_</c>).</param>
    /// <param name="parameters">Parameter names in positional order; a trailing <c>?</c> marks one optional.</param>
    /// <param name="factory">Builds the objective from the arguments.</param>
    /// <param name="description">What the objective does.</param>
    /// <returns>This builder.</returns>
    public LucentBuilder AddObjective(string name, IEnumerable<string> parameters, Func<ObjectiveArguments, Objective> factory, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return AddObjective(new ObjectiveFunction(
            name,
            parameters.Select(FunctionParameter.Parse),
            factory,
            description));
    }

    /// <summary>Registers an objective plugin that accepts any arguments (read positional ones by index).</summary>
    /// <param name="name">The function name.</param>
    /// <param name="factory">Builds the objective from the arguments.</param>
    /// <param name="description">What the objective does.</param>
    /// <returns>This builder.</returns>
    public LucentBuilder AddObjective(string name, Func<ObjectiveArguments, Objective> factory, string? description = null) =>
        AddObjective(ObjectiveFunction.WithAnyArguments(name, factory, description));

    /// <summary>Registers an objective function.</summary>
    /// <param name="function">The function.</param>
    /// <param name="replace">Allow replacing a built-in function of the same name.</param>
    /// <returns>This builder.</returns>
    public LucentBuilder AddObjective(ObjectiveFunction function, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(function);
        Services.AddSingleton(new ObjectiveRegistration(function, replace));
        return this;
    }

    /// <summary>Registers a model made by a function, resolvable by name through <see cref="IModelCatalog"/>.</summary>
    /// <param name="name">The model's name (case-insensitive).</param>
    /// <param name="factory">Creates the model (once, on first use); the catalog owns and disposes it.</param>
    /// <param name="description">A sentence describing the model.</param>
    /// <returns>This builder.</returns>
    public LucentBuilder AddModel(string name, Func<ModelProviderContext, nn.Module<Tensor, Tensor>> factory, string? description = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        Services.AddSingleton<IModelProvider>(new DelegateModelProvider(name, factory, description));
        return this;
    }

    /// <summary>
    /// Registers the model zoo: <c>inceptionv1</c> (weights from <c>Lucent:WeightsFolder</c>,
    /// downloaded when missing) and <c>resnet18</c> (from its NuGet package). Models are loaded on
    /// first use.
    /// </summary>
    /// <returns>This builder.</returns>
    public LucentBuilder AddModelZoo() =>
        AddModel(ModelZooProviders.InceptionV1, ModelZooProviders.CreateInceptionV1, "Lucent's InceptionV1 (GoogLeNet) with pretrained ImageNet weights.")
            .AddModel(ModelZooProviders.ResNet18, ModelZooProviders.CreateResNet18, "ResNet-18 pretrained on ImageNet (ONNX from Microsoft.ML.DnnImageFeaturizer.ResNet18).");

    /// <summary>Registers a model provider (e.g. one of the model zoo's), created through dependency injection.</summary>
    /// <typeparam name="TProvider">The provider type.</typeparam>
    /// <returns>This builder.</returns>
    public LucentBuilder AddModelProvider<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TProvider>()
        where TProvider : class, IModelProvider
    {
        Services.AddSingleton<IModelProvider, TProvider>();
        return this;
    }

    /// <summary>Fails now, not when the container first builds the registry, on a name or parameters the call syntax refuses.</summary>
    private static void RequireFunctionName(string name, IEnumerable<FunctionParameter>? parameters = null) =>
        _ = new TransformFunction(name, parameters ?? [], _ => TransformPipeline.Identity);
}
