using Lucent.Net.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Lucent.Net's services: <c>services.AddLucent(...)</c>.</summary>
public static class LucentServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IFeatureRenderer"/>, <see cref="ITransformPipelineProvider"/>,
    /// <see cref="ITransformRegistry"/>, <see cref="IObjectiveRegistry"/>, <see cref="IModelCatalog"/>
    /// and <see cref="LucentOptions"/> (validated at startup), configured in code.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets options in code; applied after any configuration.</param>
    /// <returns>A builder to add pipelines, transforms, objectives and models.</returns>
    public static LucentBuilder AddLucent(this IServiceCollection services, Action<LucentOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddCore(services);
        if (configure is not null)
        {
            services.Configure(configure);
        }

        return new LucentBuilder(services);
    }

    /// <summary>
    /// Registers Lucent.Net's services with options read from a configuration section, usually
    /// <c>configuration.GetSection("Lucent")</c>; see <c>docs/configuration.md</c> for every key.
    /// Values that cannot be read and unknown keys are reported at startup validation with their key.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="section">The configuration section (e.g. <c>Lucent</c>). Changes are picked up on reload.</param>
    /// <param name="configure">Sets options in code after the configuration.</param>
    /// <returns>A builder to add pipelines, transforms, objectives and models.</returns>
    public static LucentBuilder AddLucent(this IServiceCollection services, IConfiguration section, Action<LucentOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        services.AddSingleton<IConfigureOptions<LucentOptions>>(new LucentConfigurationReader(section));
        services.AddSingleton<IOptionsChangeTokenSource<LucentOptions>>(new ConfigurationChangeTokenSource<LucentOptions>(Options.Options.DefaultName, section));
        return services.AddLucent(configure);
    }

    private static void AddCore(IServiceCollection services)
    {
        services.AddOptions<LucentOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LucentOptions>, LucentOptionsValidator>());
        services.TryAddSingleton<ITransformRegistry, TransformRegistry>();
        services.TryAddSingleton<ITransformPipelineProvider, TransformPipelineProvider>();
        services.TryAddSingleton<IObjectiveRegistry, ObjectiveRegistry>();
        services.TryAddSingleton<IModelCatalog, ContainerModelCatalog>();
        services.TryAddSingleton<IFeatureRenderer, FeatureRenderer>();
    }
}
