using Lucent.Net.Objectives;

namespace Lucent.Net.Expressions;

/// <summary>
/// The functions an objective expression may call, by name (case-insensitive): Lucent's built-in
/// objectives and any plugins registered with <c>Register</c>.
/// </summary>
/// <remarks>
/// Safe to read from several threads; registering while other threads parse is allowed but a parse
/// sees the functions registered when it looked them up. <see cref="Default"/> is read-only.
/// </remarks>
public sealed class ObjectiveFunctionRegistry : FunctionRegistry<ObjectiveFunction, ObjectiveFunctionRegistry, ObjectiveArguments, Objective>
{
    /// <summary>Creates a registry.</summary>
    /// <param name="includeBuiltIns">Whether to start with the built-in objectives.</param>
    public ObjectiveFunctionRegistry(bool includeBuiltIns = true)
        : base(includeBuiltIns ? DeclaredFunctions.Objectives : [])
    {
    }

    /// <summary>A shared, read-only registry of the built-in objectives.</summary>
    public static ObjectiveFunctionRegistry Default { get; } = new ObjectiveFunctionRegistry().AsReadOnly();

    /// <summary>Parses an expression against this registry; see <see cref="ObjectiveExpression.Parse"/>.</summary>
    /// <param name="expression">The expression.</param>
    /// <returns>The objective.</returns>
    public Objective Parse(string expression) => ObjectiveExpression.Parse(expression, this);

    /// <inheritdoc/>
    private protected override ObjectiveFunctionRegistry CreateEmpty() => new(includeBuiltIns: false);

    /// <inheritdoc/>
    private protected override ObjectiveFunction Create(string name, IEnumerable<FunctionParameter> parameters, Func<ObjectiveArguments, Objective> factory, string? description, bool acceptsAnyArguments) =>
        acceptsAnyArguments ? ObjectiveFunction.WithAnyArguments(name, factory, description) : new(name, parameters, factory, description);
}
