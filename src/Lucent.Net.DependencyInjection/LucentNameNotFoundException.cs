using Lucent.Net.Activations;
using System.Globalization;

namespace Lucent.Net.DependencyInjection;

/// <summary>
/// A name (of a transform pipeline, transform type or model) is not registered. The message lists
/// the registered names, closest first.
/// </summary>
public class LucentNameNotFoundException : KeyNotFoundException
{
    /// <summary>Creates the exception.</summary>
    public LucentNameNotFoundException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong.</param>
    public LucentNameNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public LucentNameNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for an unknown name.</summary>
    /// <param name="kind">What the name should name, e.g. <c>transform pipeline</c>.</param>
    /// <param name="name">The unknown name.</param>
    /// <param name="registeredNames">The names that are registered.</param>
    /// <param name="howToRegister">A sentence on how to register one.</param>
    public LucentNameNotFoundException(string kind, string name, IEnumerable<string> registeredNames, string howToRegister)
        : base(FormatMessage(kind, name, registeredNames, howToRegister))
    {
        Name = name;
        RegisteredNames = registeredNames?.ToList() ?? [];
    }

    /// <summary>The unknown name.</summary>
    public string? Name { get; }

    /// <summary>The names that are registered.</summary>
    public IReadOnlyList<string> RegisteredNames { get; } = [];

    private static string FormatMessage(string kind, string name, IEnumerable<string>? registeredNames, string howToRegister)
    {
        var registered = registeredNames?.ToList() ?? [];
        string list = registered.Count == 0 ? "(none)" : string.Join(", ", LayerNameMatcher.Closest(name ?? string.Empty, registered, registered.Count));
        return string.Create(CultureInfo.InvariantCulture, $"No {kind} named '{name}' is registered. Registered (closest first): {list}. {howToRegister}");
    }
}

/// <summary>No transform pipeline with the requested name is registered in code, configuration or built in.</summary>
public sealed class UnknownTransformPipelineException : LucentNameNotFoundException
{
    /// <summary>Creates the exception.</summary>
    public UnknownTransformPipelineException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong.</param>
    public UnknownTransformPipelineException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public UnknownTransformPipelineException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for an unknown pipeline name.</summary>
    /// <param name="name">The unknown name.</param>
    /// <param name="registeredNames">The registered pipelines.</param>
    public UnknownTransformPipelineException(string name, IEnumerable<string> registeredNames)
        : base("transform pipeline", name, registeredNames, "Register one with services.AddLucent().AddTransformPipeline(name, b => ...) or declare it under Lucent:Pipelines in configuration.")
    {
    }
}

/// <summary>No transform type with the requested name is registered.</summary>
public sealed class UnknownTransformException : LucentNameNotFoundException
{
    /// <summary>Creates the exception.</summary>
    public UnknownTransformException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong.</param>
    public UnknownTransformException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public UnknownTransformException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for an unknown transform type.</summary>
    /// <param name="name">The unknown name.</param>
    /// <param name="registeredNames">The registered transform types.</param>
    public UnknownTransformException(string name, IEnumerable<string> registeredNames)
        : base("transform type", name, registeredNames, "Register one with services.AddLucent().AddTransform<TTransform>(name) or AddTransform(name, parameters, args => ...).")
    {
    }
}

/// <summary>No model with the requested name is registered.</summary>
public sealed class ModelNotRegisteredException : LucentNameNotFoundException
{
    /// <summary>Creates the exception.</summary>
    public ModelNotRegisteredException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong.</param>
    public ModelNotRegisteredException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ModelNotRegisteredException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for an unknown model name.</summary>
    /// <param name="name">The unknown name.</param>
    /// <param name="registeredNames">The registered models.</param>
    public ModelNotRegisteredException(string name, IEnumerable<string> registeredNames)
        : base("model", name, registeredNames, "Register one with services.AddLucent().AddModel(name, context => model) or AddModelProvider<TProvider>().")
    {
    }
}
