using System.Globalization;
using Lucent.Net.Objectives;

namespace Lucent.Net.Expressions;

/// <summary>One parameter of an <see cref="ObjectiveFunction"/>: a name usable as a named argument, and whether it may be left out.</summary>
/// <param name="Name">The parameter's name in snake_case, e.g. <c>n_channel</c>.</param>
/// <param name="IsOptional">Whether the argument may be left out (the function then uses its default).</param>
public sealed record ObjectiveParameter(string Name, bool IsOptional = false)
{
    /// <summary>Other names accepted for this parameter in named arguments, e.g. <c>channel</c> for <c>n_channel</c>.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Whether <paramref name="name"/> is this parameter's name or one of its aliases (case-insensitive).</summary>
    /// <param name="name">A named argument's name.</param>
    /// <returns>True when it names this parameter.</returns>
    public bool Matches(string name) =>
        string.Equals(Name, name, StringComparison.OrdinalIgnoreCase) || Aliases.Any(a => string.Equals(a, name, StringComparison.OrdinalIgnoreCase));

    /// <inheritdoc/>
    public override string ToString() => IsOptional ? Name + "?" : Name;
}

/// <summary>
/// A function usable in objective expressions, e.g. <c>channel(layer, n_channel, batch?)</c>: a
/// name, its parameters, and a factory that builds the <see cref="Objective"/> from the parsed
/// arguments. Register it in an <see cref="ObjectiveFunctionRegistry"/>.
/// </summary>
public sealed class ObjectiveFunction
{
    /// <summary>
    /// Creates a function with declared parameters. Positional arguments bind to the parameters in
    /// order; named arguments (<c>name=value</c> or <c>name: value</c>) bind by name. Missing
    /// required arguments, unknown names and surplus arguments are parse errors.
    /// </summary>
    /// <param name="name">The function's name: letters, digits and <c>_</c>, not starting with a digit. Matched case-insensitively.</param>
    /// <param name="parameters">The parameters, in positional order.</param>
    /// <param name="factory">Builds the objective; read the arguments with the getters of <see cref="ObjectiveArguments"/>.</param>
    /// <param name="description">A sentence saying what the objective does (shown in help and documentation).</param>
    /// <exception cref="ArgumentException">The name is not an identifier, or two parameters share a name.</exception>
    public ObjectiveFunction(string name, IEnumerable<ObjectiveParameter> parameters, Func<ObjectiveArguments, Objective> factory, string? description = null)
        : this(name, parameters, factory, description, acceptsAnyArguments: false)
    {
    }

    private ObjectiveFunction(string name, IEnumerable<ObjectiveParameter> parameters, Func<ObjectiveArguments, Objective> factory, string? description, bool acceptsAnyArguments)
    {
        RequireIdentifier(name, nameof(name));
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(factory);
        var list = parameters.ToList();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in list)
        {
            ArgumentNullException.ThrowIfNull(parameter, nameof(parameters));
            RequireIdentifier(parameter.Name, nameof(parameters));
            foreach (string n in parameter.Aliases.Prepend(parameter.Name))
            {
                if (!seen.Add(n))
                {
                    throw new ArgumentException($"The function '{name}' declares the parameter name '{n}' twice; parameter names and aliases must be distinct.", nameof(parameters));
                }
            }
        }

        Name = name;
        Parameters = list.AsReadOnly();
        Factory = factory;
        Description = description ?? name;
        AcceptsAnyArguments = acceptsAnyArguments;
    }

    /// <summary>The function's name as registered.</summary>
    public string Name { get; }

    /// <summary>The declared parameters in positional order (empty for functions that accept any arguments).</summary>
    public IReadOnlyList<ObjectiveParameter> Parameters { get; }

    /// <summary>
    /// Whether the function takes any number of positional arguments and any named arguments
    /// written with <c>=</c> (e.g. <c>sum</c>). Such functions read them by index or name; named
    /// arguments the factory never reads are reported as errors.
    /// </summary>
    public bool AcceptsAnyArguments { get; }

    /// <summary>What the objective does.</summary>
    public string Description { get; }

    /// <summary>The factory that builds the objective.</summary>
    public Func<ObjectiveArguments, Objective> Factory { get; }

    /// <summary>The call form, e.g. <c>neuron(layer, n_channel, x?, y?, batch?)</c>; optional parameters end with <c>?</c>.</summary>
    public string Signature => AcceptsAnyArguments
        ? Name + "(...)"
        : Name + "(" + string.Join(", ", Parameters.Select(p => p.ToString())) + ")";

    /// <summary>
    /// Creates a function that accepts any arguments: positional ones are read by index
    /// (<see cref="ObjectiveArguments.PositionalCount"/>), named ones (written <c>name=value</c>) by name.
    /// </summary>
    /// <param name="name">The function's name.</param>
    /// <param name="factory">Builds the objective.</param>
    /// <param name="description">A sentence saying what the objective does.</param>
    /// <returns>The function.</returns>
    public static ObjectiveFunction WithAnyArguments(string name, Func<ObjectiveArguments, Objective> factory, string? description = null) =>
        new(name, [], factory, description, acceptsAnyArguments: true);

    /// <summary>Finds the declared parameter called <paramref name="name"/> (or with that alias).</summary>
    /// <param name="name">A parameter name or alias, case-insensitive.</param>
    /// <returns>The parameter, or null.</returns>
    public ObjectiveParameter? FindParameter(string name) => Parameters.FirstOrDefault(p => p.Matches(name));

    /// <inheritdoc/>
    public override string ToString() => Signature;

    /// <summary>Whether <paramref name="text"/> is an identifier: a letter or <c>_</c>, then letters, digits or <c>_</c>.</summary>
    internal static bool IsIdentifier(string? text)
    {
        if (string.IsNullOrEmpty(text) || !(char.IsAsciiLetter(text[0]) || text[0] == '_'))
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static void RequireIdentifier(string name, string paramName)
    {
        if (!IsIdentifier(name))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"'{name}' is not a valid function or parameter name: use ASCII letters, digits and '_', starting with a letter or '_' (e.g. center_channel)."),
                paramName);
        }
    }
}
