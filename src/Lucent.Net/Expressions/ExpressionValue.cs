using System.Globalization;
using Lucent.Net.Objectives;
using Lucent.Net.Transforms;

namespace Lucent.Net.Expressions;

/// <summary>A value of the expression language with the 1-based column where it starts.</summary>
internal abstract record ExpressionValue(int Column)
{
    /// <summary>What the value is, for error messages, e.g. <c>the number 5</c>.</summary>
    public abstract string Describe();
}

/// <summary>A number literal or the result of arithmetic on numbers.</summary>
internal sealed record NumberValue(double Value, int Column) : ExpressionValue(Column)
{
    public override string Describe() => "the number " + Value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>A bare identifier or a quoted string: a layer name, a class name, an enum member, <c>true</c>/<c>false</c> (or <c>None</c>).</summary>
internal sealed record NameValue(string Text, bool Quoted, int Column) : ExpressionValue(Column)
{
    /// <summary>Whether this is the unquoted word <c>None</c> or <c>null</c> (an absent optional value).</summary>
    public bool IsNone => !Quoted && (Text is "None" or "none" or "null");

    public override string Describe() => Quoted ? $"the string '{Text}'" : $"the name '{Text}'";
}

/// <summary>A list literal of numbers, e.g. <c>[0.1, -0.2]</c>.</summary>
internal sealed record ListValue(IReadOnlyList<double> Values, int Column) : ExpressionValue(Column)
{
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"a list of {Values.Count} numbers");
}

/// <summary>An objective.</summary>
internal sealed record ObjectiveValue(Objective Objective, int Column) : ExpressionValue(Column)
{
    public override string Describe() => $"the objective {Objective.Name}";
}

/// <summary>A transform (the result of a call in a transform expression).</summary>
internal sealed record TransformValue(IImageTransform Transform, int Column) : ExpressionValue(Column)
{
    public override string Describe() => $"the transform {Transform.Name}";
}
