namespace Lucent.Net.Expressions;

/// <summary>
/// What differs between the two languages of the one call syntax: the word for what a function
/// builds, the type names quoted in messages, whether <c>layer:channel</c> is allowed, and the
/// exception type.
/// </summary>
internal sealed class ExpressionLanguage
{
    private readonly Func<string, string, int, string?, string?, Exception?, ExpressionException> _atColumn;
    private readonly Func<string, Exception?, ExpressionException> _plain;

    private ExpressionLanguage(
        string noun,
        string entryPoint,
        string registryType,
        string resultType,
        bool allowsShorthand,
        Func<string, string, int, string?, string?, Exception?, ExpressionException> atColumn,
        Func<string, Exception?, ExpressionException> plain)
    {
        Noun = noun;
        EntryPoint = entryPoint;
        RegistryType = registryType;
        ResultType = resultType;
        AllowsShorthand = allowsShorthand;
        _atColumn = atColumn;
        _plain = plain;
    }

    /// <summary>Objective expressions: arithmetic on objectives and the <c>layer:channel</c> shorthand.</summary>
    public static ExpressionLanguage Objectives { get; } = new(
        "objective",
        nameof(ObjectiveExpression),
        nameof(ObjectiveFunctionRegistry),
        "an Objective",
        allowsShorthand: true,
        (p, e, c, x, h, i) => new ObjectiveExpressionException(p, e, c, x, h, i),
        (m, i) => new ObjectiveExpressionException(m, i));

    /// <summary>Transform expressions: one call, or a pipeline of calls separated by commas.</summary>
    public static ExpressionLanguage Transforms { get; } = new(
        "transform",
        nameof(TransformExpression),
        nameof(TransformFunctionRegistry),
        "an IImageTransform",
        allowsShorthand: false,
        (p, e, c, x, h, i) => new TransformExpressionException(p, e, c, x, h, i),
        (m, i) => new TransformExpressionException(m, i));

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

    /// <summary>An error with no column (arguments given as keys).</summary>
    public ExpressionException Error(string message, Exception? inner = null) => _plain(message, inner);
}
