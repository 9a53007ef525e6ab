using Lucent.Net.Activations;
using System.Collections.Concurrent;
using Lucent.Net.Objectives;

namespace Lucent.Net.Expressions;

/// <summary>
/// The functions an objective expression may call, by name (case-insensitive): Lucent's built-in
/// objectives and any plugins registered with <see cref="Register(ObjectiveFunction, bool)"/>.
/// </summary>
/// <remarks>
/// Safe to read from several threads; registering while other threads parse is allowed but a parse
/// sees the functions registered when it looked them up. <see cref="Default"/> is read-only.
/// </remarks>
public sealed class ObjectiveFunctionRegistry
{
    private readonly ConcurrentDictionary<string, ObjectiveFunction> functions = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates a registry.</summary>
    /// <param name="includeBuiltIns">Whether to start with Lucent's built-in objectives (channel, neuron, ...).</param>
    public ObjectiveFunctionRegistry(bool includeBuiltIns = true)
    {
        if (includeBuiltIns)
        {
            foreach (var function in BuiltInObjectiveFunctions.All)
            {
                functions[function.Name] = function;
            }
        }
    }

    /// <summary>A shared, read-only registry of the built-in objectives.</summary>
    public static ObjectiveFunctionRegistry Default { get; } = new ObjectiveFunctionRegistry().AsReadOnly();

    /// <summary>Whether <see cref="Register(ObjectiveFunction, bool)"/> is refused.</summary>
    public bool IsReadOnly { get; private set; }

    /// <summary>The registered function names, sorted.</summary>
    public IReadOnlyList<string> Names => functions.Values.Select(f => f.Name).Order(StringComparer.Ordinal).ToList();

    /// <summary>The registered functions, sorted by name.</summary>
    public IReadOnlyList<ObjectiveFunction> Functions => functions.Values.OrderBy(f => f.Name, StringComparer.Ordinal).ToList();

    /// <summary>Registers a function.</summary>
    /// <param name="function">The function.</param>
    /// <param name="replace">Replace a function already registered under the same name (including a built-in) instead of failing.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">A function with that name exists and <paramref name="replace"/> is false.</exception>
    /// <exception cref="InvalidOperationException">The registry is read-only.</exception>
    public ObjectiveFunctionRegistry Register(ObjectiveFunction function, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (IsReadOnly)
        {
            throw new InvalidOperationException("This objective function registry is read-only (ObjectiveFunctionRegistry.Default is); create one with new ObjectiveFunctionRegistry() and register there.");
        }

        if (replace)
        {
            functions[function.Name] = function;
        }
        else if (!functions.TryAdd(function.Name, function))
        {
            throw new ArgumentException(
                $"An objective function named '{function.Name}' is already registered ({functions[function.Name].Signature}); choose another name or pass replace: true.",
                nameof(function));
        }

        return this;
    }

    /// <summary>
    /// Registers a function with declared parameters. Write optional parameters with a trailing
    /// <c>?</c>, e.g. <c>Register("center_channel", ["layer", "n_channel", "sigma?"], args =&gt; ...)</c>.
    /// </summary>
    /// <param name="name">The function's name, e.g. <c>center_channel</c>.</param>
    /// <param name="parameters">Parameter names in positional order; a trailing <c>?</c> marks one optional.</param>
    /// <param name="factory">Builds the objective from the arguments.</param>
    /// <param name="description">What the objective does.</param>
    /// <returns>This registry.</returns>
    public ObjectiveFunctionRegistry Register(string name, IEnumerable<string> parameters, Func<ObjectiveArguments, Objective> factory, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return Register(new ObjectiveFunction(name, parameters.Select(ParseParameter), factory, description));
    }

    /// <summary>Registers a function that accepts any arguments (read positional ones by index).</summary>
    /// <param name="name">The function's name.</param>
    /// <param name="factory">Builds the objective from the arguments.</param>
    /// <param name="description">What the objective does.</param>
    /// <returns>This registry.</returns>
    public ObjectiveFunctionRegistry Register(string name, Func<ObjectiveArguments, Objective> factory, string? description = null) =>
        Register(ObjectiveFunction.WithAnyArguments(name, factory, description));

    /// <summary>Finds a function by name (case-insensitive).</summary>
    /// <param name="name">The name.</param>
    /// <param name="function">The function, or null.</param>
    /// <returns>Whether it is registered.</returns>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ObjectiveFunction? function)
    {
        ArgumentNullException.ThrowIfNull(name);
        return functions.TryGetValue(name, out function);
    }

    /// <summary>Whether a function with this name is registered.</summary>
    /// <param name="name">The name (case-insensitive).</param>
    /// <returns>True when registered.</returns>
    public bool Contains(string name) => TryGet(name, out _);

    /// <summary>A copy of this registry that can be changed (also of a read-only one).</summary>
    /// <returns>A new registry with the same functions.</returns>
    public ObjectiveFunctionRegistry Clone()
    {
        var copy = new ObjectiveFunctionRegistry(includeBuiltIns: false);
        foreach (var function in functions.Values)
        {
            copy.functions[function.Name] = function;
        }

        return copy;
    }

    /// <summary>Makes this registry read-only.</summary>
    /// <returns>This registry.</returns>
    public ObjectiveFunctionRegistry AsReadOnly()
    {
        IsReadOnly = true;
        return this;
    }

    /// <summary>Parses an expression against this registry; see <see cref="ObjectiveExpression.Parse"/>.</summary>
    /// <param name="expression">The expression.</param>
    /// <returns>The objective.</returns>
    public Objective Parse(string expression) => ObjectiveExpression.Parse(expression, this);

    /// <summary>The registered names ordered by closeness to <paramref name="name"/>, closest first.</summary>
    internal IReadOnlyList<string> Closest(string name) =>
        LayerNameMatcher.Closest(name, functions.Values.Select(f => f.Name), int.MaxValue);

    private static ObjectiveParameter ParseParameter(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.EndsWith('?') ? new ObjectiveParameter(text[..^1], IsOptional: true) : new ObjectiveParameter(text);
    }
}
