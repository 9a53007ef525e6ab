using System.Globalization;
using Lucent.Net.Objectives;

namespace Lucent.Net.Expressions;

/// <summary>
/// The arguments of one function call in an objective expression, handed to an
/// <see cref="ObjectiveFunction"/>'s factory. Positional arguments of a function with declared
/// parameters are already bound to the parameters' names, so read every argument by its parameter
/// name; functions that accept any arguments read positional ones by index. A getter given a value
/// of the wrong kind throws <see cref="ObjectiveExpressionException"/> pointing at that argument.
/// </summary>
public sealed class ObjectiveArguments
{
    private readonly IReadOnlyList<ExpressionValue> positional;
    private readonly Dictionary<string, ExpressionValue> named;
    private readonly HashSet<string> read = new(StringComparer.OrdinalIgnoreCase);
    private readonly string expression;

    internal ObjectiveArguments(ObjectiveFunction function, IReadOnlyList<ExpressionValue> positional, Dictionary<string, ExpressionValue> named, string expression, int column)
    {
        Function = function;
        this.positional = positional;
        this.named = named;
        this.expression = expression;
        Column = column;
    }

    /// <summary>The function being called.</summary>
    public ObjectiveFunction Function { get; }

    /// <summary>The 1-based column of the call in the expression.</summary>
    public int Column { get; }

    /// <summary>The number of positional arguments not bound to a declared parameter (all of them for functions accepting any arguments).</summary>
    public int PositionalCount => positional.Count;

    /// <summary>The names of the named arguments given (including positional ones bound to declared parameters), by parameter name.</summary>
    public IReadOnlyCollection<string> Names => named.Keys;

    /// <summary>Whether the argument <paramref name="name"/> was given (and is not <c>None</c>).</summary>
    /// <param name="name">A parameter name.</param>
    /// <returns>True when given.</returns>
    public bool Has(string name) => Find(name) is { } value && !(value is NameValue { IsNone: true });

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
    /// <param name="index">0-based position among <see cref="PositionalCount"/>.</param>
    /// <returns>The layer name.</returns>
    public string GetLayer(int index) => AsLayer(Positional(index), Ordinal(index));

    /// <summary>An integer argument (a number with no fractional part).</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>The integer.</returns>
    public int GetInt32(string name) => AsInt32(Require(name), name);

    /// <summary>An optional integer argument.</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>The integer, or null when absent or <c>None</c>.</returns>
    public int? GetOptionalInt32(string name) => Optional(name) is { } v ? AsInt32(v, name) : null;

    /// <summary>The positional argument <paramref name="index"/> as an integer.</summary>
    /// <param name="index">0-based position.</param>
    /// <returns>The integer.</returns>
    public int GetInt32(int index) => AsInt32(Positional(index), Ordinal(index));

    /// <summary>A number argument.</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>The number.</returns>
    public double GetDouble(string name) => AsDouble(Require(name), name);

    /// <summary>An optional number argument.</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>The number, or null when absent or <c>None</c>.</returns>
    public double? GetOptionalDouble(string name) => Optional(name) is { } v ? AsDouble(v, name) : null;

    /// <summary>The positional argument <paramref name="index"/> as a number.</summary>
    /// <param name="index">0-based position.</param>
    /// <returns>The number.</returns>
    public double GetDouble(int index) => AsDouble(Positional(index), Ordinal(index));

    /// <summary>A list of numbers, e.g. <c>[0.1, 0.2, 0.3]</c>.</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>A new array.</returns>
    public float[] GetVector(string name) => AsVector(Require(name), name);

    /// <summary>An optional list of numbers.</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>A new array, or null when absent or <c>None</c>.</returns>
    public float[]? GetOptionalVector(string name) => Optional(name) is { } v ? AsVector(v, name) : null;

    /// <summary>An objective argument: a function call, the shorthand <c>layer:channel</c>, or arithmetic on them.</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>The objective.</returns>
    public Objective GetObjective(string name) => AsObjective(Require(name), name);

    /// <summary>The positional argument <paramref name="index"/> as an objective.</summary>
    /// <param name="index">0-based position.</param>
    /// <returns>The objective.</returns>
    public Objective GetObjective(int index) => AsObjective(Positional(index), Ordinal(index));

    /// <summary>Makes an error pointing at this call, e.g. for a combination of arguments the function rejects.</summary>
    /// <param name="message">What was wrong and how to fix it.</param>
    /// <returns>The exception, to throw.</returns>
    public ObjectiveExpressionException Error(string message) =>
        new(message, expression, Column);

    /// <summary>The text of argument <paramref name="name"/> when it is a name or a quoted string rather than a number (a class name); null otherwise.</summary>
    internal string? GetOptionalText(string name) =>
        Optional(name) is NameValue { IsNone: false } n ? n.Text : null;

    /// <summary>The named arguments the factory never read.</summary>
    internal IEnumerable<(string Name, ExpressionValue Value)> Unread() =>
        named.Where(kv => !read.Contains(kv.Key)).Select(kv => (kv.Key, kv.Value));

    private ExpressionValue? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        read.Add(name);
        return named.TryGetValue(name, out var value) ? value : null;
    }

    private ExpressionValue? Optional(string name) =>
        Find(name) is { } value && !(value is NameValue { IsNone: true }) ? value : null;

    private ExpressionValue Require(string name) =>
        Optional(name) ?? throw new ObjectiveExpressionException(
            $"Missing argument '{name}' of {Function.Name}",
            expression,
            Column,
            expected: name,
            hint: $"Call it as {Function.Signature}.");

    private ExpressionValue Positional(int index)
    {
        if (index < 0 || index >= positional.Count)
        {
            throw new ObjectiveExpressionException(
                string.Create(CultureInfo.InvariantCulture, $"{Function.Name} needs at least {index + 1} positional argument(s) but was given {positional.Count}"),
                expression,
                Column,
                hint: $"Call it as {Function.Signature}.");
        }

        return positional[index];
    }

    private static string Ordinal(int index) => string.Create(CultureInfo.InvariantCulture, $"#{index + 1}");

    private ObjectiveExpressionException Mismatch(ExpressionValue value, string name, string wanted, string? hint = null) =>
        new($"Argument '{name}' of {Function.Name} must be {wanted}, but got {value.Describe()}", expression, value.Column, expected: wanted, hint: hint);

    private string AsLayer(ExpressionValue value, string name) => value switch
    {
        NameValue { IsNone: false } n => n.Text,
        _ => throw Mismatch(value, name, "a layer name", "Write the layer's name, e.g. mixed4a, or quote it, e.g. 'features.0'."),
    };

    private int AsInt32(ExpressionValue value, string name)
    {
        if (value is NumberValue number && Math.Round(number.Value) == number.Value && number.Value is >= int.MinValue and <= int.MaxValue)
        {
            return (int)number.Value;
        }

        throw Mismatch(value, name, "a whole number");
    }

    private double AsDouble(ExpressionValue value, string name) =>
        value is NumberValue number ? number.Value : throw Mismatch(value, name, "a number");

    private float[] AsVector(ExpressionValue value, string name) => value switch
    {
        ListValue list => list.Values.Select(v => (float)v).ToArray(),
        _ => throw Mismatch(value, name, "a list of numbers such as [0.1, 0.2]"),
    };

    private Objective AsObjective(ExpressionValue value, string name) => value switch
    {
        ObjectiveValue o => o.Objective,
        NameValue n => throw Mismatch(value, name, "an objective", $"'{n.Text}' is a name; write a call such as channel({n.Text}, 0) or the shorthand {n.Text}:0."),
        _ => throw Mismatch(value, name, "an objective"),
    };
}
