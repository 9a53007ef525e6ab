using System.Globalization;

namespace Lucent.Net.Expressions;

/// <summary>A call written in an expression: errors give the column and end with the expression and a caret.</summary>
internal sealed class ExpressionCallSite(ExpressionLanguage language, string expression, int column, IReadOnlyDictionary<string, int> namedColumns)
    : CallSite(language)
{
    public override int Column { get; } = column;

    public override ExpressionException Error(ExpressionFunction function, string message) =>
        Language.Error(message, expression, Column);

    public override ExpressionException Mismatch(ExpressionFunction function, ExpressionValue value, string name, string wanted, string? hint) =>
        Language.Error($"Argument '{name}' of {function.Name} must be {wanted}, but got {value.Describe()}", expression, value.Column, wanted, hint);

    public override ExpressionException Missing(ExpressionFunction function, string name) =>
        Language.Error($"Missing argument '{name}' of {function.Name}", expression, Column, name, CallItAs(function));

    public override ExpressionException TooMany(ExpressionFunction function, ExpressionValue surplus) =>
        Language.Error(
            string.Create(CultureInfo.InvariantCulture, $"Too many arguments: {function.Name} takes at most {function.Parameters.Count}"),
            expression,
            surplus.Column,
            "')'",
            CallItAs(function));

    public override ExpressionException GivenByPositionAndName(ExpressionFunction function, string name, ExpressionValue value) =>
        Language.Error($"The argument '{name}' of {function.Name} is given both by position and by name", expression, value.Column, null, CallItAs(function));

    public override ExpressionException NoPositional(ExpressionFunction function, int index, int count) =>
        Language.Error(
            string.Create(CultureInfo.InvariantCulture, $"{function.Name} needs at least {index + 1} positional argument(s) but was given {count}"),
            expression,
            Column,
            null,
            CallItAs(function));

    public override ExpressionException UnknownArgument(ExpressionFunction function, string name, ExpressionValue value, IEnumerable<string> known) =>
        Language.Error($"{function.Name} has no argument '{name}'", expression, namedColumns.GetValueOrDefault(name, value.Column), null, CallItAs(function));

    public override ExpressionException Rejected(ExpressionFunction function, Exception exception) =>
        Language.Error($"{function.Name} rejected its arguments ({RejectionOf(exception)})", expression, Column, null, null, exception);

    private static string CallItAs(ExpressionFunction function) => $"Call it as {function.Signature}.";
}
