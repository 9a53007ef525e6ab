namespace Lucent.Net.Objectives;

/// <summary>An objective or hook asked for a layer the model does not have.</summary>
public sealed class UnknownLayerException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public UnknownLayerException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong.</param>
    public UnknownLayerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public UnknownLayerException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="layer"/>, listing the closest of <paramref name="knownLayers"/>.</summary>
    /// <param name="layer">The name asked for.</param>
    /// <param name="knownLayers">Every valid name.</param>
    public UnknownLayerException(string layer, IEnumerable<string> knownLayers)
        : base(BuildMessage(layer, knownLayers))
    {
        Layer = layer;
    }

    /// <summary>The name that was asked for.</summary>
    public string? Layer { get; }

    private static string BuildMessage(string layer, IEnumerable<string> knownLayers)
    {
        var known = knownLayers.ToList();
        var closest = LayerNameMatcher.Closest(layer, known, 5);
        string suggestion = closest.Count > 0 ? $" Did you mean: {string.Join(", ", closest)}?" : string.Empty;
        return $"Unknown layer '{layer}'.{suggestion} The model has {known.Count} layers; list them all with ModelLayers.Describe(model, ...) (or the sample's 'layers' command).";
    }
}

/// <summary>Ranks layer names by similarity to a mistyped one.</summary>
public static class LayerNameMatcher
{
    /// <summary>The <paramref name="count"/> names of <paramref name="candidates"/> closest to <paramref name="name"/>.</summary>
    /// <param name="name">The mistyped name.</param>
    /// <param name="candidates">Valid names.</param>
    /// <param name="count">How many to return.</param>
    /// <returns>The closest names, best first.</returns>
    public static IReadOnlyList<string> Closest(string name, IEnumerable<string> candidates, int count)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(candidates);
        string lower = name.ToLowerInvariant();
        return candidates
            .Select(c => (Name: c, Score: Score(lower, c.ToLowerInvariant())))
            .OrderBy(t => t.Score)
            .ThenBy(t => t.Name, StringComparer.Ordinal)
            .Take(count)
            .Select(t => t.Name)
            .ToList();
    }

    private static int Score(string wanted, string candidate)
    {
        int distance = Levenshtein(wanted, candidate);
        // Prefer names that start with or contain what was typed (e.g. "mixed4" -> "mixed4a").
        if (candidate.StartsWith(wanted, StringComparison.Ordinal))
        {
            distance -= wanted.Length;
        }
        else if (candidate.Contains(wanted, StringComparison.Ordinal))
        {
            distance -= wanted.Length / 2;
        }

        return distance;
    }

    private static int Levenshtein(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
