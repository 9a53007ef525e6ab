using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Lucent.Net.Expressions;
using Lucent.Net.Transforms;
using Microsoft.Extensions.DependencyInjection;

namespace Lucent.Net.DependencyInjection;

/// <summary>
/// The transforms usable by name in configured pipelines and transform expressions: the built-ins
/// of <see cref="TransformFunctionRegistry.Default"/> (<c>pad</c>, <c>jitter</c>, <c>random_scale</c>,
/// <c>random_rotate</c>, <c>resize</c>, <c>normalize</c>, <c>preprocess_inceptionv1</c>,
/// <c>standard</c>) plus the plugins added with <c>LucentBuilder.AddTransform</c>.
/// </summary>
public interface ITransformRegistry
{
    /// <summary>The functions transform expressions may call (read-only).</summary>
    TransformFunctionRegistry Functions { get; }

    /// <summary>Parses one transform call such as <c>pad(12, mode=constant)</c>; see <c>docs/expressions.md</c>.</summary>
    /// <param name="expression">The call.</param>
    /// <returns>The transform.</returns>
    /// <exception cref="TransformExpressionException">The expression is invalid; the message gives the column.</exception>
    IImageTransform Parse(string expression);

    /// <summary>Parses a pipeline such as <c>pad(12), jitter(8)</c>.</summary>
    /// <param name="expression">Transform calls separated by commas.</param>
    /// <returns>The pipeline.</returns>
    /// <exception cref="TransformExpressionException">The expression is invalid; the message gives the column.</exception>
    TransformPipeline ParsePipeline(string expression);

    /// <summary>Creates the transform a configured step describes.</summary>
    /// <param name="spec">The step.</param>
    /// <returns>The transform.</returns>
    /// <exception cref="UnknownTransformException">The object form's <c>Type</c> is not registered.</exception>
    /// <exception cref="TransformExpressionException">The string form is invalid, or an argument is missing, unknown or invalid; the message names the configuration key.</exception>
    IImageTransform Create(TransformSpec spec);
}

/// <summary>A transform plugin registered in the service collection; the function is made once the container exists.</summary>
/// <param name="Create">Makes the function (reflection-based plugins need the service provider).</param>
/// <param name="Replace">Whether it may replace a built-in of the same name.</param>
internal sealed record TransformRegistration(Func<IServiceProvider, TransformFunction> Create, bool Replace);

/// <summary>The default <see cref="ITransformRegistry"/>: a read-only <see cref="TransformFunctionRegistry"/> with the plugins.</summary>
internal sealed class TransformRegistry : ITransformRegistry
{
    public TransformRegistry(IEnumerable<TransformRegistration> registrations, IServiceProvider services)
    {
        var functions = new TransformFunctionRegistry();
        foreach (var registration in registrations)
        {
            functions.Register(registration.Create(services), registration.Replace);
        }

        Functions = functions.AsReadOnly();
    }

    public TransformFunctionRegistry Functions { get; }

    public IImageTransform Parse(string expression) => TransformExpression.Parse(expression, Functions);

    public TransformPipeline ParsePipeline(string expression) => TransformExpression.ParsePipeline(expression, Functions);

    public IImageTransform Create(TransformSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Text is { } text)
        {
            try
            {
                return Parse(text);
            }
            catch (TransformExpressionException ex) when (spec.Path is not null)
            {
                throw new TransformExpressionException($"{spec.Path}: {ex.Message}", ex);
            }
        }

        string type = spec.Type!;
        if (!Functions.Contains(type))
        {
            var unknown = new UnknownTransformException(type, Functions.Names);
            throw spec.Path is null ? unknown : new UnknownTransformException($"{spec.Path}:Type: {unknown.Message}", unknown);
        }

        return TransformExpression.FromArguments(type, spec.Arguments, spec.Path, Functions);
    }

    /// <summary>
    /// The function of a transform type registered with <c>AddTransform&lt;T&gt;</c>: created through
    /// dependency injection, with its public settable properties of supported types (int, double,
    /// float, bool, string, double[], float[], enums, and their nullable forms) as optional named
    /// parameters in declaration order (snake_case, with the property name as an alias). A type with
    /// a public constructor taking <see cref="TransformArguments"/> reads its own arguments instead
    /// (any arguments; other constructor parameters come from the container).
    /// </summary>
    internal static TransformFunction ForType(
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties)] Type type,
        string name,
        string? description,
        IServiceProvider services)
    {
        description ??= $"A {type.Name} (registered with AddTransform<{type.Name}>).";
        if (type.GetConstructors().Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(TransformArguments))))
        {
            return TransformFunction.WithAnyArguments(name, a => (IImageTransform)ActivatorUtilities.CreateInstance(services, type, a), description);
        }

        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0 && IsSupported(p.PropertyType))
            .OrderBy(p => p.MetadataToken)
            .Select(p => (Property: p, Parameter: ParameterOf(p)))
            .ToList();
        return new TransformFunction(
            name,
            properties.Select(p => p.Parameter),
            a =>
            {
                var transform = (IImageTransform)ActivatorUtilities.CreateInstance(services, type);
                foreach (var (property, parameter) in properties)
                {
                    if (a.Has(parameter.Name))
                    {
                        property.SetValue(transform, Read(a, parameter.Name, property.PropertyType));
                    }
                }

                return transform;
            },
            description);
    }

    private static FunctionParameter ParameterOf(PropertyInfo property)
    {
        string snake = SnakeCase(property.Name);
        return new FunctionParameter(snake, IsOptional: true)
        {
            Aliases = string.Equals(snake, property.Name, StringComparison.OrdinalIgnoreCase) ? [] : [property.Name],
        };
    }

    private static string SnakeCase(string name)
    {
        var text = new System.Text.StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0 && !char.IsUpper(name[i - 1]))
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(name[i]));
        }

        return text.ToString();
    }

    private static bool IsSupported(Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        return target.IsEnum || target == typeof(int) || target == typeof(double) || target == typeof(float) || target == typeof(bool)
            || target == typeof(string) || target == typeof(double[]) || target == typeof(IReadOnlyList<double>) || target == typeof(float[]);
    }

    private static object Read(TransformArguments arguments, string name, Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target.IsEnum)
        {
            return arguments.GetEnum(name, target);
        }

        if (target == typeof(int))
        {
            return arguments.GetInt32(name);
        }

        if (target == typeof(double))
        {
            return arguments.GetDouble(name);
        }

        if (target == typeof(float))
        {
            return (float)arguments.GetDouble(name);
        }

        if (target == typeof(bool))
        {
            return arguments.GetBoolean(name);
        }

        if (target == typeof(float[]))
        {
            return arguments.GetVector(name);
        }

        return target == typeof(string) ? arguments.GetText(name) : arguments.GetDoubles(name);
    }
}
