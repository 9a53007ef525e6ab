using System.Globalization;

namespace Lucent.Net.Benchmarks;

/// <summary>Parses <c>--name value</c> pairs and <c>--flag</c> switches of the harness commands.</summary>
internal sealed class HarnessOptions
{
    private readonly Dictionary<string, string?> values = new(StringComparer.OrdinalIgnoreCase);

    public HarnessOptions(IEnumerable<string> args)
    {
        string? pending = null;
        foreach (string arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (pending is not null)
                {
                    values[pending] = null;
                }

                pending = arg[2..];
                int equals = pending.IndexOf('=', StringComparison.Ordinal);
                if (equals >= 0)
                {
                    values[pending[..equals]] = pending[(equals + 1)..];
                    pending = null;
                }
            }
            else if (pending is not null)
            {
                values[pending] = arg;
                pending = null;
            }
            else
            {
                throw new ArgumentException($"Unexpected argument '{arg}'; options look like --steps 20.");
            }
        }

        if (pending is not null)
        {
            values[pending] = null;
        }
    }

    public int Int(string name, int fallback)
    {
        if (!values.TryGetValue(name, out var text) || text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new ArgumentException($"--{name} needs a positive whole number; got '{text}'.");
    }

    public bool Flag(string name) => values.ContainsKey(name);

    public string? Text(string name) => values.TryGetValue(name, out var text) ? text : null;
}
