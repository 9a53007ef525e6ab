using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Lucent.Net.Transforms;
using Microsoft.Extensions.DependencyInjection;

namespace Lucent.Net.DependencyInjection;

/// <summary>
/// The transform types usable by name in configured pipelines: the built-ins (<c>pad</c>,
/// <c>jitter</c>, <c>random_scale</c>, <c>random_rotate</c>, <c>resize</c>, <c>normalize</c>,
/// <c>preprocess_inceptionv1</c>, <c>standard</c>) and those added with
/// <see cref="LucentBuilder.AddTransform{TTransform}(string)"/> or
/// <see cref="LucentBuilder.AddTransform(string, Func{TransformSpec, IImageTransform})"/>.
/// </summary>
public interface ITransformRegistry
{
    /// <summary>The registered transform type names, sorted.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>Whether a transform type is registered under <paramref name="name"/> (case-insensitive).</summary>
    /// <param name="name">The name.</param>
    /// <returns>True when registered.</returns>
    bool Contains(string name);

    /// <summary>Creates the transform a spec describes.</summary>
    /// <param name="spec">The spec.</param>
    /// <returns>The transform.</returns>
    /// <exception cref="UnknownTransformException">The spec's type is not registered.</exception>
    /// <exception cref="TransformSpecException">An argument is missing, unknown or invalid; the message names its key.</exception>
    IImageTransform Create(TransformSpec spec);
}

/// <summary>A transform type registered by name.</summary>
/// <param name="Name">The name used in specs.</param>
/// <param name="Factory">Creates the transform from a spec.</param>
internal sealed record TransformTypeRegistration(string Name, Func<TransformSpec, IServiceProvider, IImageTransform> Factory);

/// <summary>The default <see cref="ITransformRegistry"/>.</summary>
internal sealed class TransformRegistry : ITransformRegistry
{
    private readonly Dictionary<string, Func<TransformSpec, IServiceProvider, IImageTransform>> factories = new(StringComparer.OrdinalIgnoreCase);
    private readonly IServiceProvider services;

    public TransformRegistry(IEnumerable<TransformTypeRegistration> registrations, IServiceProvider services)
    {
        this.services = services;
        foreach (var (name, factory) in BuiltIns())
        {
            factories[name] = (spec, _) => factory(spec);
        }

        foreach (var registration in registrations)
        {
            factories[registration.Name] = registration.Factory;
        }
    }

    public IReadOnlyList<string> Names => factories.Keys.Order(StringComparer.Ordinal).ToList();

    public bool Contains(string name) => factories.ContainsKey(name);

    public IImageTransform Create(TransformSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!factories.TryGetValue(spec.Type, out var factory))
        {
            var unknown = new UnknownTransformException(spec.Type, Names);
            throw spec.Path is null ? unknown : new UnknownTransformException($"{spec.Path}:Type: {unknown.Message}", unknown);
        }

        var fresh = spec.Fresh();
        IImageTransform transform;
        try
        {
            transform = factory(fresh, services)
                ?? throw new TransformSpecException($"The factory of the transform '{spec.Type}' returned null for {Where(spec)}; it must return a transform.");
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            throw new TransformSpecException($"{Where(spec)}: the transform '{spec.Type}' rejected its arguments: {ex.Message}", ex);
        }

        fresh.ThrowIfUnread();
        return transform;
    }

    /// <summary>Creates a transform of type <paramref name="type"/>: through a constructor taking a <see cref="TransformSpec"/> if it has one, else through dependency injection, then sets public properties from the spec's named arguments.</summary>
    internal static IImageTransform CreateByType(
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties)] Type type,
        TransformSpec spec,
        IServiceProvider services)
    {
        bool takesSpec = type.GetConstructors().Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(TransformSpec)));
        if (takesSpec)
        {
            return (IImageTransform)ActivatorUtilities.CreateInstance(services, type, spec);
        }

        var transform = (IImageTransform)ActivatorUtilities.CreateInstance(services, type);
        foreach (var (key, _) in spec.Named)
        {
            var property = type.GetProperty(key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null || !property.CanWrite || property.SetMethod is not { IsPublic: true })
            {
                continue; // reported as an unknown argument after creation
            }

            property.SetValue(transform, ReadAs(property.PropertyType, spec, key));
        }

        return transform;
    }

    private static object? ReadAs(Type type, TransformSpec spec, string key)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(int))
        {
            return spec.GetInt32(key);
        }

        if (target == typeof(double))
        {
            return spec.GetDouble(key);
        }

        if (target == typeof(float))
        {
            return (float)spec.GetDouble(key);
        }

        if (target == typeof(bool))
        {
            return spec.GetBoolean(key, -1, false);
        }

        if (target == typeof(string))
        {
            return spec.GetString(key);
        }

        if (target == typeof(double[]) || target == typeof(IReadOnlyList<double>))
        {
            return spec.GetDoubles(key).ToArray();
        }

        if (target.IsEnum)
        {
            string text = spec.GetString(key) ?? string.Empty;
            return Enum.TryParse(target, text, ignoreCase: true, out object? value) && !char.IsAsciiDigit(text.Trim().FirstOrDefault())
                ? value
                : throw new TransformSpecException($"{spec.KeyOf(key)} must be one of {string.Join(", ", Enum.GetNames(target))} (got '{text}').");
        }

        throw new TransformSpecException(
            $"{spec.KeyOf(key)} cannot be set from configuration: the property has type {type.Name}; supported types are int, double, float, bool, string, double[] and enums. Give the transform a constructor taking a TransformSpec instead.");
    }

    private static string Where(TransformSpec spec) => spec.Path ?? spec.ToString();

    private static IEnumerable<(string Name, Func<TransformSpec, IImageTransform> Factory)> BuiltIns()
    {
        yield return ("pad", s => new PadTransform(s.GetInt32("width", 0), s.GetEnum("mode", 1, PadMode.Reflect), s.GetDouble("value", 2, PadTransform.DefaultConstantValue)));
        yield return ("jitter", s => new JitterTransform(s.GetInt32("d", 0)));
        yield return ("random_scale", s => new RandomScaleTransform(s.GetDoubles("scales", 0)));
        yield return ("random_rotate", s => new RandomRotateTransform(s.GetDoubles("angles", 0), s.GetEnum("unit", 1, AngleUnit.Degrees)));
        yield return ("resize", s =>
        {
            int height = s.GetInt32("height", 0);
            return new ResizeTransform(height, s.GetInt32("width", 1, height));
        });
        yield return ("normalize", _ => new ImageNetNormalizeTransform());
        yield return ("preprocess_inceptionv1", _ => new InceptionV1PreprocessingTransform());
        yield return ("standard", _ => TransformPipeline.Standard);
    }
}
