using Lucent.Net.Devices;
using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace Lucent.Net.DependencyInjection;

/// <summary>
/// Makes a model by name: the extension point through which the model zoo (InceptionV1, ResNet-18,
/// ONNX imports) plugs into dependency injection. Register one with
/// <see cref="LucentBuilder.AddModelProvider{TProvider}"/> or <see cref="LucentBuilder.AddModel"/>.
/// </summary>
public interface IModelProvider
{
    /// <summary>The model's name, e.g. <c>inceptionv1</c>.</summary>
    string Name { get; }

    /// <summary>A sentence describing the model.</summary>
    string Description { get; }

    /// <summary>Creates (and loads the weights of) the model.</summary>
    /// <param name="context">Where weights are stored and the service provider.</param>
    /// <returns>The model, owned by the <see cref="IModelCatalog"/> that asked for it.</returns>
    nn.Module<Tensor, Tensor> CreateModel(ModelProviderContext context);
}

/// <summary>What an <see cref="IModelProvider"/> gets when asked for a model.</summary>
/// <param name="WeightsFolder">The folder configured as <c>Lucent:WeightsFolder</c>, or null for the provider's default.</param>
/// <param name="Services">The service provider.</param>
public sealed record ModelProviderContext(string? WeightsFolder, IServiceProvider Services)
{
    /// <summary>The device configured as <c>Lucent:Device</c> (parsed), or null for the CPU; providers should put their model there.</summary>
    public Device? Device { get; init; }
}

/// <summary>The registered models by name. Each model is created once, on first use, and disposed with the container.</summary>
public interface IModelCatalog
{
    /// <summary>The registered model names, sorted.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>The model named <paramref name="name"/> (case-insensitive), created on first use.</summary>
    /// <param name="name">The model's name.</param>
    /// <returns>The shared model instance; do not dispose it (the catalog does). Renders on one instance are serialised.</returns>
    /// <exception cref="ModelNotRegisteredException">No such model; the message lists the registered ones.</exception>
    nn.Module<Tensor, Tensor> Get(string name);
}

/// <summary>An <see cref="IModelProvider"/> made from a function.</summary>
internal sealed class DelegateModelProvider(string name, Func<ModelProviderContext, nn.Module<Tensor, Tensor>> factory, string? description) : IModelProvider
{
    public string Name => name;

    public string Description => description ?? name;

    public nn.Module<Tensor, Tensor> CreateModel(ModelProviderContext context) =>
        factory(context) ?? throw new InvalidOperationException($"The factory of the model '{name}' returned null; it must return a module.");
}

/// <summary>The default <see cref="IModelCatalog"/>.</summary>
internal sealed class ContainerModelCatalog : IModelCatalog, IDisposable
{
    private readonly Dictionary<string, IModelProvider> _providers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Lazy<nn.Module<Tensor, Tensor>>> _models = new(StringComparer.OrdinalIgnoreCase);
    private readonly IOptionsMonitor<LucentOptions> _options;
    private readonly IServiceProvider _services;

    public ContainerModelCatalog(IEnumerable<IModelProvider> providers, IOptionsMonitor<LucentOptions> options, IServiceProvider services)
    {
        foreach (var provider in providers)
        {
            this._providers[provider.Name] = provider;
        }

        this._options = options;
        this._services = services;
    }

    public IReadOnlyList<string> Names => _providers.Keys.Order(StringComparer.Ordinal).ToList();

    public nn.Module<Tensor, Tensor> Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_providers.TryGetValue(name, out var provider))
        {
            throw new ModelNotRegisteredException(name, Names);
        }

        var lazy = _models.GetOrAdd(provider.Name, _ => new Lazy<nn.Module<Tensor, Tensor>>(
            () => provider.CreateModel(new ModelProviderContext(_options.CurrentValue.WeightsFolder, _services)
            {
                Device = _options.CurrentValue.Device is { } device ? TorchDevices.Parse(device) : null,
            })));
        try
        {
            return lazy.Value;
        }
        catch
        {
            _models.TryRemove(new KeyValuePair<string, Lazy<nn.Module<Tensor, Tensor>>>(provider.Name, lazy));
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var lazy in _models.Values)
        {
            if (lazy.IsValueCreated)
            {
                lazy.Value.Dispose();
            }
        }

        _models.Clear();
    }
}
