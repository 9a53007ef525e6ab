namespace Lucent.Net.Activations;

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
