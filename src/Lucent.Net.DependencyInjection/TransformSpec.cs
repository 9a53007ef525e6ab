using System.Globalization;
using System.Text;

namespace Lucent.Net.DependencyInjection;

/// <summary>
/// One step of a transform pipeline declared in configuration: a transform type name and its
/// arguments, e.g. <c>{ "Type": "pad", "Width": 8 }</c> or the string form <c>pad(8, mode=constant)</c>.
/// Transform factories read the arguments with the getters, which accept an argument by name
/// (case-insensitive) or, in the string form, by position.
/// </summary>
/// <remarks>
/// Arguments are kept as text and converted by the getters with the invariant culture. Lists are
/// written as JSON arrays in configuration or as <c>[0.9, 1, 1.1]</c> in the string form. After a
/// factory has run, arguments it did not read are reported as errors naming the key.
/// </remarks>
public sealed class TransformSpec
{
    private readonly Dictionary<string, string> named;
    private readonly HashSet<string> readNames = new(StringComparer.OrdinalIgnoreCase);
    private int positionsRead;

    /// <summary>Creates a spec.</summary>
    /// <param name="type">The registered transform type name, e.g. <c>pad</c>.</param>
    /// <param name="positional">Arguments by position (string form only).</param>
    /// <param name="named">Arguments by name; list values separated by commas.</param>
    /// <param name="path">Where the spec came from, e.g. <c>Lucent:Pipelines:gentle:0</c>, used in messages.</param>
    public TransformSpec(string type, IEnumerable<string>? positional = null, IEnumerable<KeyValuePair<string, string>>? named = null, string? path = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        Type = type.Trim();
        Positional = (positional ?? []).ToList().AsReadOnly();
        this.named = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in named ?? [])
        {
            if (!this.named.TryAdd(key, value))
            {
                throw new TransformSpecException($"{Describe(path, type)}: the argument '{key}' is given twice.");
            }
        }

        Path = path;
    }

    /// <summary>The transform type name.</summary>
    public string Type { get; }

    /// <summary>Arguments by position.</summary>
    public IReadOnlyList<string> Positional { get; }

    /// <summary>Arguments by name.</summary>
    public IReadOnlyDictionary<string, string> Named => named;

    /// <summary>The configuration path of this spec, or null when made in code.</summary>
    public string? Path { get; }

    /// <summary>
    /// Parses the string form: <c>name</c>, or <c>name(arg, ..., key=value, ...)</c>, e.g.
    /// <c>pad(12, mode=constant, value=0.5)</c>, <c>random_scale([0.9, 1, 1.1])</c>.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="path">Where it came from, for messages.</param>
    /// <returns>The spec.</returns>
    /// <exception cref="TransformSpecException">The text is malformed.</exception>
    public static TransformSpec Parse(string text, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();
        int open = trimmed.IndexOf('(', StringComparison.Ordinal);
        string type = open < 0 ? trimmed : trimmed[..open].Trim();
        if (type.Length == 0 || !type.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new TransformSpecException($"{Where(path)}'{text}' is not a transform spec: expected name or name(arguments), e.g. pad(8) or jitter(d=4).");
        }

        if (open < 0)
        {
            return new TransformSpec(type, path: path);
        }

        if (!trimmed.EndsWith(')'))
        {
            throw new TransformSpecException($"{Where(path)}'{text}' is missing its closing ')': expected name(arguments), e.g. pad(8).");
        }

        var positional = new List<string>();
        var namedArgs = new List<KeyValuePair<string, string>>();
        foreach (string part in SplitArguments(trimmed[(open + 1)..^1], text, path))
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && part[..equals].Trim().All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                namedArgs.Add(new(part[..equals].Trim(), Unbracket(part[(equals + 1)..].Trim())));
            }
            else if (namedArgs.Count > 0)
            {
                throw new TransformSpecException($"{Where(path)}in '{text}' the positional argument '{part}' follows a named one; put positional arguments first.");
            }
            else
            {
                positional.Add(Unbracket(part));
            }
        }

        return new TransformSpec(type, positional, namedArgs, path);
    }

    /// <summary>Whether the argument was given (by name, or at <paramref name="position"/>).</summary>
    /// <param name="name">The argument name.</param>
    /// <param name="position">Its position in the string form, or -1 for named only.</param>
    /// <returns>True when given.</returns>
    public bool Has(string name, int position = -1) => Find(name, position) is not null;

    /// <summary>A text argument.</summary>
    /// <param name="name">The argument name.</param>
    /// <param name="position">Its position in the string form, or -1 for named only.</param>
    /// <param name="defaultValue">The value when absent.</param>
    /// <returns>The text, or <paramref name="defaultValue"/>.</returns>
    public string? GetString(string name, int position = -1, string? defaultValue = null) => Find(name, position)?.Value ?? defaultValue;

    /// <summary>A whole-number argument.</summary>
    /// <param name="name">The argument name.</param>
    /// <param name="position">Its position in the string form, or -1 for named only.</param>
    /// <param name="defaultValue">The value when absent; null makes the argument required.</param>
    /// <returns>The number.</returns>
    /// <exception cref="TransformSpecException">Missing (and required) or not a whole number.</exception>
    public int GetInt32(string name, int position = -1, int? defaultValue = null)
    {
        var found = Find(name, position);
        if (found is null)
        {
            return defaultValue ?? throw Missing(name, position);
        }

        return int.TryParse(found.Value.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw Invalid(found.Value.Key, found.Value.Value, "a whole number");
    }

    /// <summary>A number argument.</summary>
    /// <param name="name">The argument name.</param>
    /// <param name="position">Its position in the string form, or -1 for named only.</param>
    /// <param name="defaultValue">The value when absent; null makes the argument required.</param>
    /// <returns>The number.</returns>
    /// <exception cref="TransformSpecException">Missing (and required) or not a finite number.</exception>
    public double GetDouble(string name, int position = -1, double? defaultValue = null)
    {
        var found = Find(name, position);
        if (found is null)
        {
            return defaultValue ?? throw Missing(name, position);
        }

        return TryParseDouble(found.Value.Value, out double value) ? value : throw Invalid(found.Value.Key, found.Value.Value, "a finite number");
    }

    /// <summary>A list of numbers (JSON array in configuration, <c>[a, b]</c> or <c>a, b</c> in text).</summary>
    /// <param name="name">The argument name.</param>
    /// <param name="position">Its position in the string form, or -1 for named only.</param>
    /// <param name="defaultValue">The value when absent; null makes the argument required.</param>
    /// <returns>The numbers.</returns>
    /// <exception cref="TransformSpecException">Missing (and required) or an item is not a number.</exception>
    public IReadOnlyList<double> GetDoubles(string name, int position = -1, IReadOnlyList<double>? defaultValue = null)
    {
        var found = Find(name, position);
        if (found is null)
        {
            return defaultValue ?? throw Missing(name, position);
        }

        var values = new List<double>();
        foreach (string item in found.Value.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            values.Add(TryParseDouble(item, out double value) ? value : throw Invalid(found.Value.Key, found.Value.Value, "a list of numbers"));
        }

        return values.Count > 0 ? values : throw Invalid(found.Value.Key, found.Value.Value, "a non-empty list of numbers");
    }

    /// <summary>An enum argument, by member name (case-insensitive).</summary>
    /// <typeparam name="TEnum">The enum type.</typeparam>
    /// <param name="name">The argument name.</param>
    /// <param name="position">Its position in the string form, or -1 for named only.</param>
    /// <param name="defaultValue">The value when absent.</param>
    /// <returns>The value.</returns>
    /// <exception cref="TransformSpecException">Not a member name.</exception>
    public TEnum GetEnum<TEnum>(string name, int position, TEnum defaultValue)
        where TEnum : struct, Enum
    {
        var found = Find(name, position);
        if (found is null)
        {
            return defaultValue;
        }

        return Enum.TryParse(found.Value.Value, ignoreCase: true, out TEnum value) && Enum.IsDefined(value) && !char.IsAsciiDigit(found.Value.Value.Trim()[0])
            ? value
            : throw Invalid(found.Value.Key, found.Value.Value, "one of " + string.Join(", ", Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant())));
    }

    /// <summary>A boolean argument (<c>true</c> or <c>false</c>).</summary>
    /// <param name="name">The argument name.</param>
    /// <param name="position">Its position in the string form, or -1 for named only.</param>
    /// <param name="defaultValue">The value when absent.</param>
    /// <returns>The value.</returns>
    public bool GetBoolean(string name, int position, bool defaultValue)
    {
        var found = Find(name, position);
        if (found is null)
        {
            return defaultValue;
        }

        return bool.TryParse(found.Value.Value, out bool value) ? value : throw Invalid(found.Value.Key, found.Value.Value, "true or false");
    }

    /// <summary>The spec in string form, e.g. <c>pad(8, mode=constant)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        if (Positional.Count == 0 && named.Count == 0)
        {
            return Type;
        }

        var text = new StringBuilder(Type).Append('(');
        text.AppendJoin(", ", Positional.Concat(named.Select(kv => kv.Key + "=" + kv.Value)));
        return text.Append(')').ToString();
    }

    /// <summary>A copy with fresh read tracking, so that each creation checks its own reads.</summary>
    internal TransformSpec Fresh() => new(Type, Positional, named, Path);

    /// <summary>Fails when an argument was given that the factory never read.</summary>
    internal void ThrowIfUnread()
    {
        if (Positional.Count > positionsRead)
        {
            throw new TransformSpecException(
                string.Create(CultureInfo.InvariantCulture, $"{Describe(Path, ToString())}: '{Type}' takes at most {positionsRead} positional argument(s) but was given {Positional.Count}."));
        }

        var unread = named.Keys.Where(k => !readNames.Contains(k)).ToList();
        if (unread.Count > 0)
        {
            string known = readNames.Count == 0 ? "none" : string.Join(", ", readNames.Order(StringComparer.OrdinalIgnoreCase));
            throw new TransformSpecException(
                $"{KeyOf(unread[0])} is not an argument of the transform '{Type}' (its arguments: {known}). Remove it or fix its spelling.");
        }
    }

    /// <summary>The key (or position) of an argument in messages, e.g. <c>Lucent:Pipelines:gentle:0:Width</c>.</summary>
    internal string KeyOf(string argument) => Path is null ? $"argument '{argument}' of {ToString()}" : $"{Path}:{argument}";

    private static string Where(string? path) => path is null ? string.Empty : path + ": ";

    private static string Describe(string? path, string what) => path is null ? what : $"{path} ({what})";

    private KeyValuePair<string, string>? Find(string name, int position)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        readNames.Add(name);
        if (position >= 0)
        {
            positionsRead = Math.Max(positionsRead, position + 1);
        }

        if (named.TryGetValue(name, out string? value))
        {
            return new(named.Keys.First(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)), value);
        }

        if (position >= 0 && position < Positional.Count)
        {
            return new(name, Positional[position]);
        }

        return null;
    }

    private TransformSpecException Missing(string name, int position) =>
        new(position >= 0
            ? string.Create(CultureInfo.InvariantCulture, $"{KeyOf(name)} is required: the transform '{Type}' needs it (by name, or as argument {position + 1} in the string form).")
            : $"{KeyOf(name)} is required: the transform '{Type}' needs it.");

    private TransformSpecException Invalid(string name, string value, string wanted) =>
        new($"{KeyOf(name)} must be {wanted} (got '{value}').");

    private static bool TryParseDouble(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    private static string Unbracket(string text)
    {
        string t = text.Trim();
        return t.Length >= 2 && t[0] == '[' && t[^1] == ']' ? t[1..^1].Trim() : t;
    }

    private static List<string> SplitArguments(string inner, string text, string? path)
    {
        var parts = new List<string>();
        int bracket = 0;
        int start = 0;
        for (int i = 0; i < inner.Length; i++)
        {
            char c = inner[i];
            if (c == '[')
            {
                bracket++;
            }
            else if (c == ']')
            {
                bracket--;
            }
            else if (c == ',' && bracket == 0)
            {
                parts.Add(inner[start..i].Trim());
                start = i + 1;
            }

            if (bracket < 0 || c is '(' or ')')
            {
                throw new TransformSpecException($"{Where(path)}'{text}' has unbalanced brackets or parentheses: expected name(arguments), e.g. random_scale([0.9, 1, 1.1]).");
            }
        }

        if (bracket != 0)
        {
            throw new TransformSpecException($"{Where(path)}'{text}' has an unclosed '['.");
        }

        string last = inner[start..].Trim();
        if (last.Length > 0 || parts.Count > 0)
        {
            parts.Add(last);
        }

        if (parts.Any(p => p.Length == 0))
        {
            throw new TransformSpecException($"{Where(path)}'{text}' has an empty argument.");
        }

        return parts;
    }
}
