using System.Globalization;

namespace Lucent.Net.Expressions;

/// <summary>
/// The arguments of one call of the call syntax, handed to a function's factory: the getters
/// shared by objective and transform functions (<see cref="ObjectiveArguments"/> adds layers and
/// objectives). Positional arguments of a function with declared parameters are already bound to
/// the parameters' names, so read every argument by its parameter name; functions that accept any
/// arguments read positional ones by index. A getter given a value of the wrong kind throws an
/// <see cref="ExpressionException"/> pointing at that argument (its column in an expression, its
/// key in configuration).
/// </summary>
public abstract class FunctionArguments
{
    private readonly IReadOnlyList<ExpressionValue> _positional;
    private readonly Dictionary<string, ExpressionValue> _named;
    private readonly HashSet<string> _read = new(StringComparer.OrdinalIgnoreCase);

    private protected FunctionArguments(ExpressionFunction function, IReadOnlyList<ExpressionValue> positional, Dictionary<string, ExpressionValue> named, CallSite site)
    {
        Function = function;
        _positional = positional;
        _named = named;
        Site = site;
    }

    /// <summary>The function being called.</summary>
    public ExpressionFunction Function { get; }

    /// <summary>The 1-based column of the call in the expression, or 0 when the arguments came as configuration keys.</summary>
    public int Column => Site.Column;

    /// <summary>The number of positional arguments not bound to a declared parameter (all of them for functions accepting any arguments).</summary>
    public int PositionalCount => _positional.Count;

    /// <summary>The names of the named arguments given (including positional ones bound to declared parameters), by parameter name.</summary>
    public IReadOnlyCollection<string> Names => _named.Keys;

    /// <summary>Where the call came from (for the errors of derived getters).</summary>
    private protected CallSite Site { get; }

    /// <summary>The names the factory asked for, in the order first asked.</summary>
    internal IEnumerable<string> ReadNames => _read;

    /// <summary>Whether the argument <paramref name="name"/> was given (and is not <c>None</c>).</summary>
    /// <param name="name">A parameter name.</param>
    /// <returns>True when given.</returns>
    public bool Has(string name) => Find(name) is { } value && !(value is NameValue { IsNone: true });

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

    /// <summary>A list of numbers as single-precision values, e.g. <c>[0.1, 0.2, 0.3]</c> (a direction or channel weights).</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>A new array.</returns>
    public float[] GetVector(string name) => AsList(Require(name), name).Select(v => (float)v).ToArray();

    /// <summary>An optional list of numbers as single-precision values.</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>A new array, or null when absent or <c>None</c>.</returns>
    public float[]? GetOptionalVector(string name) => Optional(name) is { } v ? AsList(v, name).Select(x => (float)x).ToArray() : null;

    /// <summary>A list of numbers, e.g. <c>[0.9, 1, 1.1]</c> (scales, angles).</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>A new array.</returns>
    public double[] GetDoubles(string name) => [.. AsList(Require(name), name)];

    /// <summary>An optional list of numbers.</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>A new array, or null when absent or <c>None</c>.</returns>
    public double[]? GetOptionalDoubles(string name) => Optional(name) is { } v ? [.. AsList(v, name)] : null;

    /// <summary>A text argument: a bare name such as <c>constant</c> or a quoted string such as <c>'tabby cat'</c>.</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>The text.</returns>
    public string GetText(string name) => AsText(Require(name), name);

    /// <summary>An optional text argument.</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>The text, or null when absent or <c>None</c>.</returns>
    public string? GetOptionalText(string name) => Optional(name) is { } v ? AsText(v, name) : null;

    /// <summary>The positional argument <paramref name="index"/> as text.</summary>
    /// <param name="index">0-based position.</param>
    /// <returns>The text.</returns>
    public string GetText(int index) => AsText(Positional(index), Ordinal(index));

    /// <summary>An enum argument by member name, case-insensitive, e.g. <c>constant</c> for <c>PadMode.Constant</c> (numbers are refused).</summary>
    /// <typeparam name="TEnum">The enum type.</typeparam>
    /// <param name="name">The parameter name.</param>
    /// <returns>The member.</returns>
    public TEnum GetEnum<TEnum>(string name)
        where TEnum : struct, Enum => (TEnum)AsEnum(Require(name), name, typeof(TEnum));

    /// <summary>An optional enum argument by member name.</summary>
    /// <typeparam name="TEnum">The enum type.</typeparam>
    /// <param name="name">The parameter name.</param>
    /// <returns>The member, or null when absent or <c>None</c>.</returns>
    public TEnum? GetOptionalEnum<TEnum>(string name)
        where TEnum : struct, Enum => Optional(name) is { } v ? (TEnum)AsEnum(v, name, typeof(TEnum)) : null;

    /// <summary>An enum argument of a type known only at run time (e.g. a property set by reflection).</summary>
    /// <param name="name">The parameter name.</param>
    /// <param name="enumType">The enum type.</param>
    /// <returns>The boxed member.</returns>
    /// <exception cref="ArgumentException"><paramref name="enumType"/> is not an enum.</exception>
    public object GetEnum(string name, Type enumType)
    {
        ArgumentNullException.ThrowIfNull(enumType);
        if (!enumType.IsEnum)
        {
            throw new ArgumentException($"{enumType.Name} is not an enum type.", nameof(enumType));
        }

        return AsEnum(Require(name), name, enumType);
    }

    /// <summary>A boolean argument: <c>true</c> or <c>false</c> (case-insensitive).</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>The value.</returns>
    public bool GetBoolean(string name) => AsBoolean(Require(name), name);

    /// <summary>An optional boolean argument.</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>The value, or null when absent or <c>None</c>.</returns>
    public bool? GetOptionalBoolean(string name) => Optional(name) is { } v ? AsBoolean(v, name) : null;

    /// <summary>Makes an error pointing at this call, e.g. for a combination of arguments the function rejects.</summary>
    /// <param name="message">What was wrong and how to fix it.</param>
    /// <returns>The exception, to throw.</returns>
    public ExpressionException Error(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Site.Error(Function, message);
    }

    /// <summary>Whether argument <paramref name="name"/> is given as text (a name or quoted string) rather than a number.</summary>
    internal bool IsText(string name) => Optional(name) is NameValue;

    /// <summary>The named arguments the factory never read.</summary>
    internal IEnumerable<(string Name, ExpressionValue Value)> Unread() =>
        _named.Where(kv => !_read.Contains(kv.Key)).Select(kv => (kv.Key, kv.Value));

    /// <summary>The argument <paramref name="name"/>, or null when absent or <c>None</c>.</summary>
    private protected ExpressionValue? Optional(string name) =>
        Find(name) is { } value && !(value is NameValue { IsNone: true }) ? value : null;

    /// <summary>The argument <paramref name="name"/>; missing is an error.</summary>
    private protected ExpressionValue Require(string name) => Optional(name) ?? throw Site.Missing(Function, name);

    /// <summary>The positional argument <paramref name="index"/>; absent is an error.</summary>
    private protected ExpressionValue Positional(int index) =>
        index >= 0 && index < _positional.Count ? _positional[index] : throw Site.NoPositional(Function, index, _positional.Count);

    /// <summary>How a positional argument is named in messages, e.g. <c>#1</c>.</summary>
    private protected static string Ordinal(int index) => string.Create(CultureInfo.InvariantCulture, $"#{index + 1}");

    /// <summary>An error for an argument of the wrong kind.</summary>
    private protected ExpressionException Mismatch(ExpressionValue value, string name, string wanted, string? hint = null) =>
        Site.Mismatch(Function, value, name, wanted, hint);

    private ExpressionValue? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        _read.Add(name);
        return _named.TryGetValue(name, out var value) ? value : null;
    }

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

    private IReadOnlyList<double> AsList(ExpressionValue value, string name) => value switch
    {
        ListValue list => list.Values,

        // Configuration cannot tell a one-item array from a number: "Scales": 1.05 is the list [1.05], as it always was.
        NumberValue number when Site is KeyedCallSite => [number.Value],
        _ => throw Mismatch(value, name, "a list of numbers such as [0.1, 0.2]"),
    };

    private string AsText(ExpressionValue value, string name) => value switch
    {
        NameValue { IsNone: false } text => text.Text,

        // A configured value is text as written, even when it reads as a number ("Label": "5").
        _ when Site is KeyedCallSite keyed && keyed.Written.TryGetValue(name, out var written) => written.Text,
        _ => throw Mismatch(value, name, "a name or a quoted string"),
    };

    private object AsEnum(ExpressionValue value, string name, Type enumType)
    {
        if (value is NameValue { IsNone: false } text && IsIdentifierLike(text.Text)
            && Enum.TryParse(enumType, text.Text.Trim(), ignoreCase: true, out object? member) && member is not null)
        {
            return member;
        }

        throw Mismatch(value, name, "one of " + string.Join(", ", Enum.GetNames(enumType).Select(n => n.ToLowerInvariant())));
    }

    private bool AsBoolean(ExpressionValue value, string name) =>
        value is NameValue { IsNone: false } text && bool.TryParse(text.Text.Trim(), out bool result) ? result : throw Mismatch(value, name, "true or false");

    private static bool IsIdentifierLike(string text) => ExpressionFunction.IsIdentifier(text.Trim());
}
