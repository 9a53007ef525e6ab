using Lucent.Net.Objectives;

namespace Lucent.Net.Expressions;

/// <summary>
/// A function usable in objective expressions, e.g. <c>channel(layer, n_channel, batch?)</c>: a
/// name, its parameters, and a factory that builds the <see cref="Objective"/> from the parsed
/// arguments. Register it in an <see cref="ObjectiveFunctionRegistry"/>.
/// </summary>
public sealed class ObjectiveFunction : ExpressionFunction
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
    public ObjectiveFunction(string name, IEnumerable<FunctionParameter> parameters, Func<ObjectiveArguments, Objective> factory, string? description = null)
        : this(name, parameters, factory, description, acceptsAnyArguments: false)
    {
    }

    private ObjectiveFunction(string name, IEnumerable<FunctionParameter> parameters, Func<ObjectiveArguments, Objective> factory, string? description, bool acceptsAnyArguments)
        : base(name, parameters, description, acceptsAnyArguments)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Factory = factory;
    }

    /// <summary>The factory that builds the objective.</summary>
    public Func<ObjectiveArguments, Objective> Factory { get; }

    /// <inheritdoc/>
    internal override ExpressionLanguage Language => ExpressionLanguage.Objectives;

    /// <summary>
    /// Creates a function that accepts any arguments: positional ones are read by index
    /// (<see cref="FunctionArguments.PositionalCount"/>), named ones (written <c>name=value</c>) by name.
    /// </summary>
    /// <param name="name">The function's name.</param>
    /// <param name="factory">Builds the objective.</param>
    /// <param name="description">A sentence saying what the objective does.</param>
    /// <returns>The function.</returns>
    public static ObjectiveFunction WithAnyArguments(string name, Func<ObjectiveArguments, Objective> factory, string? description = null) =>
        new(name, [], factory, description, acceptsAnyArguments: true);

    private protected override FunctionArguments CreateArguments(IReadOnlyList<ExpressionValue> positional, Dictionary<string, ExpressionValue> named, CallSite site) =>
        new ObjectiveArguments(this, positional, named, site);

    private protected override object? Run(FunctionArguments arguments) => Factory((ObjectiveArguments)arguments);

    private protected override ExpressionValue Wrap(object result, int column) => new ObjectiveValue((Objective)result, column);
}
