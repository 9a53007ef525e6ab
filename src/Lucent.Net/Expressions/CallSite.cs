namespace Lucent.Net.Expressions;

/// <summary>
/// Where the arguments of one call came from, and so how its errors read: a place in an expression
/// (<see cref="ExpressionCallSite"/>: column and caret) or keys of a configuration section
/// (<see cref="KeyedCallSite"/>: <c>Lucent:Pipelines:p:0:Width must be ...</c>). The binding, the
/// getters and the factory call are the same for both.
/// </summary>
internal abstract class CallSite(ExpressionLanguage language)
{
    /// <summary>The language of the call.</summary>
    public ExpressionLanguage Language { get; } = language;

    /// <summary>The 1-based column of the call, or 0 when it did not come from a text.</summary>
    public abstract int Column { get; }

    /// <summary>An error about the whole call (a function's own <see cref="FunctionArguments.Error"/>).</summary>
    public abstract ExpressionException Error(ExpressionFunction function, string message);

    /// <summary>An argument of the wrong kind, e.g. text where a whole number was wanted.</summary>
    public abstract ExpressionException Mismatch(ExpressionFunction function, ExpressionValue value, string name, string wanted, string? hint);

    /// <summary>A required argument is missing.</summary>
    public abstract ExpressionException Missing(ExpressionFunction function, string name);

    /// <summary>More positional arguments than parameters.</summary>
    public abstract ExpressionException TooMany(ExpressionFunction function, ExpressionValue surplus);

    /// <summary>One parameter given by position and by name.</summary>
    public abstract ExpressionException GivenByPositionAndName(ExpressionFunction function, string name, ExpressionValue value);

    /// <summary>A positional argument read by index that was not given.</summary>
    public abstract ExpressionException NoPositional(ExpressionFunction function, int index, int count);

    /// <summary>A named argument that the function does not have (or never read).</summary>
    public abstract ExpressionException UnknownArgument(ExpressionFunction function, string name, ExpressionValue value, IEnumerable<string> known);

    /// <summary>The factory threw an argument or state exception.</summary>
    public abstract ExpressionException Rejected(ExpressionFunction function, Exception exception);

    /// <summary>The factory returned null.</summary>
    public ExpressionException NoResult(ExpressionFunction function) =>
        Error(function, $"The function {function.Name} returned no {Language.Noun}; its factory must return {Language.ResultType}");

    /// <summary>
    /// What a factory's exception says, on one line: its first line, without the <c>(Parameter 'name')</c> that
    /// <see cref="ArgumentException"/> appends (the messages of the built-ins name the argument themselves).
    /// </summary>
    protected static string RejectionOf(Exception exception)
    {
        string line = FirstLine(exception.Message);
        if (exception is ArgumentException { ParamName: { } name })
        {
            string suffix = $" (Parameter '{name}')";
            if (line.EndsWith(suffix, StringComparison.Ordinal))
            {
                line = line[..^suffix.Length];
            }
        }

        return line;
    }

    /// <summary>The first line of an exception message (factories' messages may carry a caret block).</summary>
    protected static string FirstLine(string message)
    {
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? message : message[..newline].TrimEnd();
    }
}
