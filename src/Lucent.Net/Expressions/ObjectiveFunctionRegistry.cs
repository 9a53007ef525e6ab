using Lucent.Net.Objectives;

namespace Lucent.Net.Expressions;

/// <summary>
/// The functions an objective expression may call, by name (case-insensitive): Lucent's built-in
/// objectives and any plugins registered with <see cref="FunctionRegistry{TFunction, TRegistry}.Register(TFunction, bool)"/>.
/// </summary>
/// <remarks>
/// Safe to read from several threads; registering while other threads parse is allowed but a parse
/// sees the functions registered when it looked them up. <see cref="Default"/> is read-only.
/// </remarks>
public sealed class ObjectiveFunctionRegistry : FunctionRegistry<ObjectiveFunction, ObjectiveFunctionRegistry>
{
    /// <summary>Creates a registry.</summary>
    /// <param name="includeBuiltIns">Whether to start with Lucent's built-in objectives (channel, neuron, ...).</param>
    public ObjectiveFunctionRegistry(bool includeBuiltIns = true)
        : base(includeBuiltIns ? DeclaredFunctions.Objectives : [])
    {
    }

    /// <summary>A shared, read-only registry of the built-in objectives.</summary>
    public static ObjectiveFunctionRegistry Default { get; } = new ObjectiveFunctionRegistry().AsReadOnly();

    /// <inheritdoc/>
    private protected override ExpressionLanguage Language => ExpressionLanguage.Objectives;

    /// <inheritdoc/>
    private protected override ObjectiveFunctionRegistry CreateEmpty() => new(includeBuiltIns: false);

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
        return Register(new ObjectiveFunction(name, parameters.Select(FunctionParameter.Parse), factory, description));
    }

    /// <summary>Registers a function that accepts any arguments (read positional ones by index).</summary>
    /// <param name="name">The function's name.</param>
    /// <param name="factory">Builds the objective from the arguments.</param>
    /// <param name="description">What the objective does.</param>
    /// <returns>This registry.</returns>
    public ObjectiveFunctionRegistry Register(string name, Func<ObjectiveArguments, Objective> factory, string? description = null) =>
        Register(ObjectiveFunction.WithAnyArguments(name, factory, description));

    /// <summary>Parses an expression against this registry; see <see cref="ObjectiveExpression.Parse"/>.</summary>
    /// <param name="expression">The expression.</param>
    /// <returns>The objective.</returns>
    public Objective Parse(string expression) => ObjectiveExpression.Parse(expression, this);
}
