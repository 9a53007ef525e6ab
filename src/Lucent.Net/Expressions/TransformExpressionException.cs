namespace Lucent.Net.Expressions;

/// <summary>
/// A transform expression (e.g. <c>pad(12, mode=constant)</c>) could not be parsed or built; see
/// <see cref="ExpressionException"/> for what the message says.
/// </summary>
public sealed class TransformExpressionException : ExpressionException
{
    /// <summary>Creates the exception.</summary>
    public TransformExpressionException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong.</param>
    public TransformExpressionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public TransformExpressionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a problem at one column of an expression.</summary>
    /// <param name="problem">What was wrong, e.g. <c>Expected ')'</c>; the column and expression are appended.</param>
    /// <param name="expression">The whole expression.</param>
    /// <param name="column">The 1-based column of the problem.</param>
    /// <param name="expected">What the parser expected there, if the problem is a syntax error.</param>
    /// <param name="hint">A sentence on how to fix it, appended after the location.</param>
    /// <param name="innerException">The cause, if any.</param>
    public TransformExpressionException(string problem, string expression, int column, string? expected = null, string? hint = null, Exception? innerException = null)
        : base(problem, expression, column, expected, hint, innerException)
    {
    }
}
