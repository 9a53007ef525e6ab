using System.Diagnostics.CodeAnalysis;
using Lucent.Net.Objectives;
using Lucent.Net.Transforms;

namespace Lucent.Net.Expressions;

/// <summary>
/// What differs between the two languages of the one call syntax: the word for what a function
/// builds, the type names quoted in messages, whether <c>layer:channel</c> is allowed, the
/// exception type, the arguments object a factory reads and the value its result becomes.
/// </summary>
internal sealed class ExpressionLanguage
{
    private readonly Func<string, string, int, string?, string?, Exception?, ExpressionException> _atColumn;
    private readonly Func<string, Exception?, ExpressionException> _plain;
    private readonly Func<ExpressionFunction, IReadOnlyList<ExpressionValue>, Dictionary<string, ExpressionValue>, CallSite, FunctionArguments> _arguments;
    private readonly Func<object, int, ExpressionValue> _wrap;

    private ExpressionLanguage(
        string noun,
        string entryPoint,
        string registryType,
        string resultType,
        bool allowsShorthand,
        Func<string, string, int, string?, string?, Exception?, ExpressionException> atColumn,
        Func<string, Exception?, ExpressionException> plain,
        Func<ExpressionFunction, IReadOnlyList<ExpressionValue>, Dictionary<string, ExpressionValue>, CallSite, FunctionArguments> arguments,
        Func<object, int, ExpressionValue> wrap)
    {
        Noun = noun;
        EntryPoint = entryPoint;
        RegistryType = registryType;
        ResultType = resultType;
        AllowsShorthand = allowsShorthand;
        _atColumn = atColumn;
        _plain = plain;
        _arguments = arguments;
        _wrap = wrap;
    }

    /// <summary>Objective expressions: arithmetic on objectives and the <c>layer:channel</c> shorthand.</summary>
    public static ExpressionLanguage Objectives { get; } = new(
        "objective",
        nameof(ObjectiveExpression),
        nameof(ObjectiveFunctionRegistry),
        "an Objective",
        allowsShorthand: true,
        (p, e, c, x, h, i) => new ObjectiveExpressionException(p, e, c, x, h, i),
        (m, i) => new ObjectiveExpressionException(m, i),
        (f, p, n, s) => new ObjectiveArguments(f, p, n, s),
        (r, c) => new ObjectiveValue((Objective)r, c));

    /// <summary>Transform expressions: one call, or a pipeline of calls separated by commas.</summary>
    public static ExpressionLanguage Transforms { get; } = new(
        "transform",
        nameof(TransformExpression),
        nameof(TransformFunctionRegistry),
        "an IImageTransform",
        allowsShorthand: false,
        (p, e, c, x, h, i) => new TransformExpressionException(p, e, c, x, h, i),
        (m, i) => new TransformExpressionException(m, i),
        (f, p, n, s) => new TransformArguments(f, p, n, s),
        (r, c) => new TransformValue((IImageTransform)r, c));

    /// <summary>What a function of this language builds, e.g. <c>objective</c>.</summary>
    public string Noun { get; }

    /// <summary>The static class that parses this language, e.g. <c>ObjectiveExpression</c> (quoted in limit messages).</summary>
    public string EntryPoint { get; }

    /// <summary>The registry type, e.g. <c>ObjectiveFunctionRegistry</c> (quoted in read-only messages).</summary>
    public string RegistryType { get; }

    /// <summary>What a factory must return, e.g. <c>an Objective</c>.</summary>
    public string ResultType { get; }

    /// <summary>Whether <c>layer:channel</c> is the shorthand for <c>channel(layer, channel)</c>.</summary>
    public bool AllowsShorthand { get; }

    /// <summary>An error at one column of an expression.</summary>
    public ExpressionException Error(string problem, string expression, int column, string? expected = null, string? hint = null, Exception? inner = null) =>
        _atColumn(problem, expression, column, expected, hint, inner);

    /// <summary>The language whose functions build <typeparamref name="TResult"/>.</summary>
    public static ExpressionLanguage Of<TResult>() => typeof(TResult) == typeof(Objective) ? Objectives : Transforms;

    /// <summary>The arguments object a factory of this language reads.</summary>
    public FunctionArguments Arguments(ExpressionFunction function, IReadOnlyList<ExpressionValue> positional, Dictionary<string, ExpressionValue> named, CallSite site) =>
        _arguments(function, positional, named, site);

    /// <summary>A factory's result as a value of this language.</summary>
    public ExpressionValue Wrap(object result, int column) => _wrap(result, column);

    /// <summary>The <c>TryParse</c> of both languages: <paramref name="parse"/>'s result, or its error of this language.</summary>
    public bool TryParse<TResult, TException>(string? expression, Func<string, TResult> parse, [NotNullWhen(true)] out TResult? result, [NotNullWhen(false)] out TException? error)
        where TResult : class
        where TException : ExpressionException
    {
        result = null;
        error = null;
        if (expression is null)
        {
            error = (TException)Error("The expression is null", string.Empty, 1, expected: (Noun[0] is 'a' or 'e' or 'i' or 'o' or 'u' ? "an " : "a ") + Noun);
            return false;
        }

        try
        {
            result = parse(expression);
            return true;
        }
        catch (TException ex)
        {
            error = ex;
            return false;
        }
    }

    /// <summary>An error with no column (arguments given as keys).</summary>
    public ExpressionException Error(string message, Exception? inner = null) => _plain(message, inner);
}
