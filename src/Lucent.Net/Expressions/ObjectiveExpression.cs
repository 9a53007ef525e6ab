using System.Diagnostics.CodeAnalysis;
using Lucent.Net.Objectives;

namespace Lucent.Net.Expressions;

/// <summary>
/// Parses objective expressions such as <c>channel(mixed4a, 5) - 100 * diversity(mixed4a)</c>,
/// <c>mixed4a:5</c> or <c>neuron(mixed4a, 5, x: 3, y: 3)</c> into an <see cref="Objective"/>.
/// The grammar and every function are listed in <c>docs/expressions.md</c>; the call syntax is the
/// one of <see cref="TransformExpression"/>.
/// </summary>
/// <remarks>
/// The name of an objective built from the built-in functions parses back into an objective with
/// the same value (except vectors, which names abbreviate as <c>[N values]</c>).
/// </remarks>
public static class ObjectiveExpression
{
    /// <summary>The longest expression accepted, in characters; longer text is refused before it is read.</summary>
    public const int MaxLength = ExpressionParser.MaxLength;

    /// <summary>The most tokens (numbers, names, operators, brackets, commas) an expression may have.</summary>
    public const int MaxTokens = ExpressionParser.MaxTokens;

    /// <summary>The deepest nesting of parentheses, calls, lists and unary signs an expression may have.</summary>
    public const int MaxDepth = ExpressionParser.MaxDepth;

    /// <summary>Parses an objective expression.</summary>
    /// <param name="expression">The expression.</param>
    /// <param name="registry">The functions it may call; null means the built-ins (<see cref="ObjectiveFunctionRegistry.Default"/>).</param>
    /// <returns>The objective.</returns>
    /// <exception cref="ObjectiveExpressionException">
    /// A syntax error, an unknown function, a wrong argument, or an expression that is not an
    /// objective (e.g. a bare number), constants whose combination is not a finite number, or an
    /// expression over <see cref="MaxLength"/>, <see cref="MaxTokens"/> or <see cref="MaxDepth"/>; the
    /// message gives the 1-based column and a caret line.
    /// </exception>
    /// <remarks>
    /// Parsing costs time and memory linear in the length of the expression: chains such as
    /// <c>a:0 + a:0 + ...</c> become one n-ary objective whose name is built once, on first use.
    /// </remarks>
    public static Objective Parse(string expression, ObjectiveFunctionRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return new ExpressionParser(expression, registry ?? ObjectiveFunctionRegistry.Default, ExpressionLanguage.Objectives).ParseObjective();
    }

    /// <summary>Tries to parse an objective expression.</summary>
    /// <param name="expression">The expression.</param>
    /// <param name="objective">The objective, or null.</param>
    /// <param name="error">The error when parsing failed, or null.</param>
    /// <param name="registry">The functions it may call; null means the built-ins.</param>
    /// <returns>Whether the expression parsed.</returns>
    public static bool TryParse(
        [NotNullWhen(true)] string? expression,
        [NotNullWhen(true)] out Objective? objective,
        [NotNullWhen(false)] out ObjectiveExpressionException? error,
        ObjectiveFunctionRegistry? registry = null) =>
        ExpressionLanguage.Objectives.TryParse(expression, e => Parse(e, registry), out objective, out error);
}
