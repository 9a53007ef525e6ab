using Lucent.Net.Expressions;
using Lucent.Net.Objectives;

namespace Lucent.Net.DependencyInjection;

/// <summary>
/// The objectives usable by name in expression strings: Lucent's built-ins plus the plugins added
/// with <see cref="LucentBuilder.AddObjective(string, IEnumerable{string}, Func{ObjectiveArguments, Objective}, string?)"/>.
/// </summary>
public interface IObjectiveRegistry
{
    /// <summary>The functions expressions may call (read-only).</summary>
    ObjectiveFunctionRegistry Functions { get; }

    /// <summary>Parses an objective expression such as <c>channel(mixed4a, 5) - 100 * diversity(mixed4a)</c>; see <c>docs/expressions.md</c>.</summary>
    /// <param name="expression">The expression.</param>
    /// <returns>The objective.</returns>
    /// <exception cref="ObjectiveExpressionException">The expression is invalid; the message gives the column.</exception>
    Objective Parse(string expression);
}

/// <summary>An objective plugin registered in the service collection.</summary>
/// <param name="Function">The function.</param>
/// <param name="Replace">Whether it may replace a built-in of the same name.</param>
internal sealed record ObjectiveRegistration(ObjectiveFunction Function, bool Replace);

/// <summary>The default <see cref="IObjectiveRegistry"/>.</summary>
internal sealed class ObjectiveRegistry : IObjectiveRegistry
{
    public ObjectiveRegistry(IEnumerable<ObjectiveRegistration> registrations)
    {
        var functions = new ObjectiveFunctionRegistry();
        foreach (var registration in registrations)
        {
            functions.Register(registration.Function, registration.Replace);
        }

        Functions = functions.AsReadOnly();
    }

    public ObjectiveFunctionRegistry Functions { get; }

    public Objective Parse(string expression) => ObjectiveExpression.Parse(expression, Functions);
}
