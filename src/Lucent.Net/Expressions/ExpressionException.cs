using System.Globalization;
using System.Text;

namespace Lucent.Net.Expressions;

/// <summary>
/// An expression of the call syntax (an objective such as <c>channel(mixed4a, 5)</c> or a transform
/// such as <c>pad(12, mode=constant)</c>) could not be parsed or built: a syntax error, an unknown
/// function, a missing or mistyped argument, or an argument the function rejects. When the problem
/// is at a place in a text, the message names the 1-based column, says what was expected, and ends
/// with the expression and a caret under the column; when the arguments came as keys (a
/// configuration section), it names the key.
/// </summary>
/// <remarks>
/// Objective expressions throw <see cref="ObjectiveExpressionException"/> and transform expressions
/// <see cref="TransformExpressionException"/>; catch this type for either.
/// </remarks>
public class ExpressionException : FormatException
{
    /// <summary>Expressions longer than this are shown as an excerpt around the column, not in full.</summary>
    private const int ShownLength = 160;

    /// <summary>Creates the exception.</summary>
    public ExpressionException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong.</param>
    public ExpressionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ExpressionException(string message, Exception? innerException)
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
    public ExpressionException(string problem, string expression, int column, string? expected = null, string? hint = null, Exception? innerException = null)
        : base(Format(problem, expression, column, hint), innerException)
    {
        Expression = expression;
        Column = column;
        Expected = expected;
    }

    /// <summary>The expression that failed, or null when not known (e.g. arguments given as configuration keys).</summary>
    public string? Expression { get; }

    /// <summary>The 1-based column of the problem, or 0 when not known.</summary>
    public int Column { get; }

    /// <summary>What the parser expected at <see cref="Column"/> (e.g. <c>')'</c>), for syntax errors.</summary>
    public string? Expected { get; }

    private static string Format(string problem, string expression, int column, string? hint)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(expression);
        var culture = CultureInfo.InvariantCulture;
        string shown = expression;
        int caret = Math.Max(0, column - 1);
        var text = new StringBuilder();
        text.Append(problem).Append(" at column ").Append(column.ToString(culture));
        if (expression.Length <= ShownLength)
        {
            text.Append(" in '").Append(expression).Append('\'');
        }
        else
        {
            // A long (possibly hostile) expression: show a window around the column so the message stays short.
            int start = Math.Clamp(caret - (ShownLength / 2), 0, expression.Length);
            int end = Math.Min(expression.Length, start + ShownLength);
            shown = (start > 0 ? "..." : string.Empty) + expression[start..end] + (end < expression.Length ? "..." : string.Empty);
            caret = caret - start + (start > 0 ? 3 : 0);
            text.Append(" in an expression of ").Append(expression.Length.ToString(culture)).Append(" characters");
        }

        if (!string.IsNullOrEmpty(hint))
        {
            text.Append(". ").Append(hint);
        }

        text.Append('\n').Append("  ").Append(shown.Replace('\n', ' ').Replace('\r', ' ').Replace('\t', ' '));
        text.Append('\n').Append("  ").Append(' ', caret).Append('^');
        return text.ToString();
    }
}
