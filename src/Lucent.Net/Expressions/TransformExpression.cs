using System.Diagnostics.CodeAnalysis;
using Lucent.Net.Transforms;

namespace Lucent.Net.Expressions;

/// <summary>
/// Parses transforms written in the call syntax of objective expressions: one call such as
/// <c>pad(12, mode=constant, value=0.5)</c>, <c>random_scale([0.9, 1, 1.1])</c>, <c>jitter(d=4)</c> or
/// a bare <c>normalize</c>, or a pipeline of calls separated by commas such as
/// <c>pad(12), jitter(8)</c>. The functions are listed in <c>docs/expressions.md</c>.
/// </summary>
/// <remarks>
/// The name of a built-in transform (<see cref="IImageTransform.Name"/>, e.g. <c>pad(12, constant, 0.5)</c>)
/// parses back into an equal transform.
/// </remarks>
public static class TransformExpression
{
    /// <summary>The longest expression accepted, in characters (as for objective expressions).</summary>
    public const int MaxLength = ExpressionParser.MaxLength;

    /// <summary>The most tokens an expression may have.</summary>
    public const int MaxTokens = ExpressionParser.MaxTokens;

    /// <summary>The deepest nesting of parentheses, calls, lists and unary signs an expression may have.</summary>
    public const int MaxDepth = ExpressionParser.MaxDepth;

    /// <summary>Parses one transform call, e.g. <c>pad(12, mode=constant)</c> or <c>normalize</c>.</summary>
    /// <param name="expression">The call.</param>
    /// <param name="registry">The functions it may call; null means the built-ins (<see cref="TransformFunctionRegistry.Default"/>).</param>
    /// <returns>The transform.</returns>
    /// <exception cref="TransformExpressionException">
    /// A syntax error, an unknown function, a wrong argument, more than one call, or an expression
    /// over <see cref="MaxLength"/>, <see cref="MaxTokens"/> or <see cref="MaxDepth"/>; the message gives
    /// the 1-based column and a caret line.
    /// </exception>
    public static IImageTransform Parse(string expression, TransformFunctionRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return new ExpressionParser(expression, registry ?? TransformFunctionRegistry.Default, ExpressionLanguage.Transforms).ParseTransform();
    }

    /// <summary>Parses a pipeline: transform calls separated by commas, e.g. <c>pad(12), jitter(8), random_scale([0.9, 1.1])</c>.</summary>
    /// <param name="expression">The calls.</param>
    /// <param name="registry">The functions it may call; null means the built-ins.</param>
    /// <returns>The pipeline, with the steps in the order written.</returns>
    /// <exception cref="TransformExpressionException">As for <see cref="Parse"/>; an empty text is an error too.</exception>
    public static TransformPipeline ParsePipeline(string expression, TransformFunctionRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return new TransformPipeline(new ExpressionParser(expression, registry ?? TransformFunctionRegistry.Default, ExpressionLanguage.Transforms).ParsePipeline());
    }

    /// <summary>Tries to parse one transform call.</summary>
    /// <param name="expression">The call.</param>
    /// <param name="transform">The transform, or null.</param>
    /// <param name="error">The error when parsing failed, or null.</param>
    /// <param name="registry">The functions it may call; null means the built-ins.</param>
    /// <returns>Whether the expression parsed.</returns>
    public static bool TryParse(
        [NotNullWhen(true)] string? expression,
        [NotNullWhen(true)] out IImageTransform? transform,
        [NotNullWhen(false)] out TransformExpressionException? error,
        TransformFunctionRegistry? registry = null) =>
        ExpressionLanguage.Transforms.TryParse(expression, e => Parse(e, registry), out transform, out error);

    /// <summary>
    /// Calls a transform function with arguments given as keys and texts, as a configuration section
    /// does (<c>{ "Type": "pad", "Width": 8, "Mode": "constant" }</c>): keys match parameter names and
    /// aliases case-insensitively, and each text is read as a number, a list of numbers
    /// (<c>[0.9, 1]</c> or <c>0.9,1</c>) or else as text (<c>constant</c>, <c>true</c>). As configuration
    /// cannot tell them apart, a number is also a one-item list, and any value is its text where a
    /// function asks for text.
    /// </summary>
    /// <param name="function">The function's name, e.g. <c>pad</c>.</param>
    /// <param name="arguments">The arguments by name.</param>
    /// <param name="path">Where they came from, e.g. <c>Lucent:Pipelines:gentle:0</c>; messages then name <c>path:key</c>.</param>
    /// <param name="registry">The functions; null means the built-ins.</param>
    /// <returns>The transform.</returns>
    /// <exception cref="TransformExpressionException">
    /// An unknown function, a missing, unknown or invalid argument, e.g.
    /// <c>Lucent:Pipelines:gentle:0:Width must be a whole number (got 'abc').</c>
    /// </exception>
    public static IImageTransform FromArguments(string function, IEnumerable<KeyValuePair<string, string>> arguments, string? path = null, TransformFunctionRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(arguments);
        registry ??= TransformFunctionRegistry.Default;
        if (!registry.TryGet(function.Trim(), out var found))
        {
            string where = path is null ? string.Empty : path + ":Type: ";
            throw new TransformExpressionException(
                $"{where}Unknown transform function '{function}'. Known functions (closest first): {string.Join(", ", ((IFunctionLookup)registry).Closest(function))}.");
        }

        return ((TransformValue)found.InvokeKeyed(arguments, path)).Transform;
    }
}
