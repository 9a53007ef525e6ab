using Lucent.Net.Objectives;

namespace Lucent.Net.Expressions;

/// <summary>
/// The arguments of one function call in an objective expression, handed to an
/// <see cref="ObjectiveFunction"/>'s factory: the shared getters of <see cref="FunctionArguments"/>
/// plus layer names and objectives. A getter given a value of the wrong kind throws
/// <see cref="ObjectiveExpressionException"/> pointing at that argument.
/// </summary>
public sealed class ObjectiveArguments : FunctionArguments
{
    internal ObjectiveArguments(ExpressionFunction function, IReadOnlyList<ExpressionValue> positional, Dictionary<string, ExpressionValue> named, CallSite site)
        : base(function, positional, named, site)
    {
    }

    /// <summary>A layer name: an identifier such as <c>mixed4a</c> or a quoted string such as <c>'features.0'</c>.</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>The layer name.</returns>
    /// <exception cref="ObjectiveExpressionException">Missing or not a name.</exception>
    public string GetLayer(string name) => AsLayer(Require(name), name);

    /// <summary>An optional layer name.</summary>
    /// <param name="name">The parameter name.</param>
    /// <param name="defaultValue">The value when the argument is absent or <c>None</c>.</param>
    /// <returns>The layer name or <paramref name="defaultValue"/>.</returns>
    public string GetLayer(string name, string defaultValue) => Optional(name) is { } v ? AsLayer(v, name) : defaultValue;

    /// <summary>The positional argument <paramref name="index"/> as a layer name.</summary>
    /// <param name="index">0-based position among <see cref="FunctionArguments.PositionalCount"/>.</param>
    /// <returns>The layer name.</returns>
    public string GetLayer(int index) => AsLayer(Positional(index), Ordinal(index));

    /// <summary>An objective argument: a function call, the shorthand <c>layer:channel</c>, or arithmetic on them.</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>The objective.</returns>
    public Objective GetObjective(string name) => AsObjective(Require(name), name);

    /// <summary>The positional argument <paramref name="index"/> as an objective.</summary>
    /// <param name="index">0-based position.</param>
    /// <returns>The objective.</returns>
    public Objective GetObjective(int index) => AsObjective(Positional(index), Ordinal(index));

    private string AsLayer(ExpressionValue value, string name) => value switch
    {
        NameValue { IsNone: false } n => n.Text,
        _ => throw Mismatch(value, name, "a layer name", "Write the layer's name, e.g. mixed4a, or quote it, e.g. 'features.0'."),
    };

    private Objective AsObjective(ExpressionValue value, string name) => value switch
    {
        ObjectiveValue o => o.Objective,
        NameValue n => throw Mismatch(value, name, "an objective", $"'{n.Text}' is a name; write a call such as channel({n.Text}, 0) or the shorthand {n.Text}:0."),
        _ => throw Mismatch(value, name, "an objective"),
    };
}
