using System.Globalization;

namespace Lucent.Net.Expressions;

/// <summary>
/// A call whose arguments came as keys and texts, e.g. the configuration step
/// <c>{ "Type": "pad", "Width": 8 }</c> at <c>Lucent:Pipelines:gentle:0</c>: errors name the key
/// (<c>Lucent:Pipelines:gentle:0:Width must be a whole number (got 'abc').</c>).
/// </summary>
internal sealed class KeyedCallSite(ExpressionLanguage language, string? path) : CallSite(language)
{
    /// <summary>For each parameter given, the key as written and its text, for messages.</summary>
    public Dictionary<string, (string Key, string Text)> Written { get; } = new(StringComparer.OrdinalIgnoreCase);

    public override int Column => 0;

    public override ExpressionException Error(ExpressionFunction function, string message) =>
        Language.Error(path is null ? $"{function.Name}: {message}" : $"{path}: {message}");

    public override ExpressionException Mismatch(ExpressionFunction function, ExpressionValue value, string name, string wanted, string? hint) =>
        Language.Error($"{KeyOf(function, name)} must be {wanted} (got '{TextOf(name)}').");

    public override ExpressionException Missing(ExpressionFunction function, string name) =>
        Language.Error($"{KeyOf(function, name)} is required: the {Language.Noun} '{function.Name}' needs it.");

    public override ExpressionException TooMany(ExpressionFunction function, ExpressionValue surplus) =>
        Language.Error($"{Where(function)}: {function.Name} takes at most {function.Parameters.Count.ToString(CultureInfo.InvariantCulture)} argument(s).");

    public override ExpressionException GivenByPositionAndName(ExpressionFunction function, string name, ExpressionValue value) => GivenTwice(function, name, name);

    public override ExpressionException NoPositional(ExpressionFunction function, int index, int count) =>
        Language.Error(string.Create(
            CultureInfo.InvariantCulture,
            $"{Where(function)}: the {Language.Noun} '{function.Name}' reads its argument {index + 1} by position, but keys give arguments by name only; write the step as a string such as \"{function.Name}(...)\"."));

    public override ExpressionException UnknownArgument(ExpressionFunction function, string name, ExpressionValue value, IEnumerable<string> known) =>
        UnknownKey(function, Written.TryGetValue(name, out var written) ? written.Key : name, known);

    public override ExpressionException Rejected(ExpressionFunction function, Exception exception) =>
        Language.Error($"{Where(function)}: the {Language.Noun} '{function.Name}' rejected its arguments: {RejectionOf(exception)}", exception);

    /// <summary>A key that names no parameter.</summary>
    public ExpressionException UnknownKey(ExpressionFunction function, string key, IEnumerable<string> known)
    {
        var names = known.ToList();
        string list = names.Count == 0 ? "none" : string.Join(", ", names);
        return Language.Error($"{KeyOf(function, key)} is not an argument of the {Language.Noun} '{function.Name}' (its arguments: {list}). Remove it or fix its spelling.");
    }

    /// <summary>Two keys for one parameter (its name and an alias).</summary>
    public ExpressionException GivenTwice(ExpressionFunction function, string name, string key) =>
        Language.Error($"{KeyOf(function, key)}: the argument '{name}' of {function.Name} is given twice (by its name and an alias); keep one.");

    private string KeyOf(ExpressionFunction function, string name)
    {
        string key = Written.TryGetValue(name, out var written) ? written.Key : name;
        return path is null ? $"argument '{key}' of {function.Name}" : $"{path}:{key}";
    }

    private string TextOf(string name) => Written.TryGetValue(name, out var written) ? written.Text : string.Empty;

    private string Where(ExpressionFunction function) => path ?? function.Name;
}
