using System.Globalization;

namespace Lucent.Net.Activations;

/// <summary>
/// The names of a model's output classes, by output index, and the lookup from a name to its index.
/// </summary>
/// <remarks>
/// A label may hold several comma-separated synonyms (<c>"tabby, tabby cat"</c>); a name matches a
/// label when it equals the whole label or one synonym, ignoring case and surrounding spaces. Indices
/// without a class (InceptionV1's 0 and 1001..1007) have no name. An unknown name gets an
/// <see cref="UnknownClassLabelException"/> listing the closest names; a name that matches several
/// classes (ImageNet has two "crane"s) gets one listing them with their indices.
/// </remarks>
public sealed class ClassLabels
{
    private readonly string?[] _names;
    private readonly Dictionary<string, List<int>> _wholeLabels = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<int>> _synonyms = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates the list.</summary>
    /// <param name="names">The label of each output index; null or empty for an index without a class.</param>
    /// <param name="source">Where the names come from, for messages (e.g. "Lucent's ImageNet labels").</param>
    public ClassLabels(IEnumerable<string?> names, string source = "the model's class labels")
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        Source = source;
        _names = names.Select(n => string.IsNullOrWhiteSpace(n) ? null : n.Trim()).ToArray();
        for (int i = 0; i < _names.Length; i++)
        {
            if (_names[i] is not { } label)
            {
                continue;
            }

            Add(_wholeLabels, label, i);
            foreach (string synonym in label.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                Add(_synonyms, synonym, i);
            }
        }
    }

    /// <summary>Where the names come from, e.g. "Lucent's ImageNet labels".</summary>
    public string Source { get; }

    /// <summary>How many output indices the list covers.</summary>
    public int Count => _names.Length;

    /// <summary>The label of output <paramref name="index"/>, or null for an index without a class or beyond the list.</summary>
    /// <param name="index">The output index, from 0.</param>
    public string? this[int index] => index >= 0 && index < _names.Length ? _names[index] : null;

    /// <summary>The first synonym of output <paramref name="index"/>'s label (<c>"tabby"</c> for <c>"tabby, tabby cat"</c>), or null.</summary>
    /// <param name="index">The output index, from 0.</param>
    /// <returns>The short name.</returns>
    public string? ShortName(int index) => this[index] is { } label ? label.Split(',', 2)[0].Trim() : null;

    /// <summary>Reads a label file: one label a line, optionally after the index (<c>281 tabby, tabby cat</c> or <c>n02123045 174 tabby</c>).</summary>
    /// <param name="lines">The lines of the file.</param>
    /// <param name="firstIndex">The output index of the first line when lines carry no index.</param>
    /// <param name="count">How many output indices the model has; at least the largest index plus one.</param>
    /// <param name="source">Where the names come from, for messages.</param>
    /// <returns>The labels.</returns>
    /// <exception cref="FormatException">A line's index is repeated or out of range.</exception>
    public static ClassLabels FromLines(IEnumerable<string> lines, int firstIndex, int count, string source)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentOutOfRangeException.ThrowIfNegative(firstIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var names = new string?[count];
        int next = firstIndex;
        int lineNumber = 0;
        foreach (string raw in lines)
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            string[] parts = line.Split(' ', 3);
            int index = next;
            string label = line;
            if (parts.Length >= 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int leading))
            {
                index = leading;
                label = line[(parts[0].Length + 1)..];
            }
            else if (parts.Length >= 3 && parts[0].StartsWith('n') && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int afterSynset))
            {
                index = afterSynset;
                label = parts[2];
            }

            if (index < 0 || index >= count || names[index] is not null)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"Line {lineNumber} of {source} gives class index {index}, which is repeated or outside 0..{count - 1}."));
            }

            names[index] = label.Trim();
            next = index + 1;
        }

        return new ClassLabels(names, source);
    }

    /// <summary>The output index of the class named <paramref name="name"/>.</summary>
    /// <param name="name">A whole label or one of its synonyms, in any case.</param>
    /// <returns>The index.</returns>
    /// <exception cref="UnknownClassLabelException">No label has that name (the message lists the closest), or several do (it lists them).</exception>
    public int IndexOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (TryGetIndex(name, out int index))
        {
            return index;
        }

        string key = name.Trim();
        if ((_wholeLabels.TryGetValue(key, out var whole) ? whole : _synonyms.GetValueOrDefault(key)) is { Count: > 1 } several)
        {
            string listed = string.Join("; ", several.Select(i => string.Create(CultureInfo.InvariantCulture, $"{i} ({_names[i]})")));
            throw new UnknownClassLabelException(name, $"The class name '{name}' is ambiguous in {Source}: it names classes {listed}. Use the index, or a longer name that only one of them has.");
        }

        var closest = LayerNameMatcher.Closest(key, _synonyms.Keys, 5);
        string suggestion = closest.Count > 0 ? $" Did you mean: {string.Join(", ", closest.Select(c => $"'{c}'"))}?" : string.Empty;
        throw new UnknownClassLabelException(name, string.Create(CultureInfo.InvariantCulture, $"No class is named '{name}' in {Source} ({_wholeLabels.Count} classes).{suggestion}"));
    }

    /// <summary>Looks up <paramref name="name"/> without throwing; false when it names no class or several.</summary>
    /// <param name="name">A whole label or one of its synonyms, in any case.</param>
    /// <param name="index">The index when found.</param>
    /// <returns>Whether exactly one class has the name (a whole-label match wins over synonyms).</returns>
    public bool TryGetIndex(string name, out int index)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = name.Trim();
        var matches = _wholeLabels.TryGetValue(key, out var whole) ? whole : _synonyms.GetValueOrDefault(key);
        if (matches is [int only])
        {
            index = only;
            return true;
        }

        index = -1;
        return false;
    }

    private static void Add(Dictionary<string, List<int>> map, string key, int index)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        if (!list.Contains(index))
        {
            list.Add(index);
        }
    }
}
