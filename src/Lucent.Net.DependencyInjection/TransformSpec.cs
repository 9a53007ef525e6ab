using System.Text;

namespace Lucent.Net.DependencyInjection;

/// <summary>
/// One step of a transform pipeline declared in configuration, as written there: the string form
/// <c>"pad(8, mode=constant)"</c> (a transform expression, <see cref="Text"/>) or the object form
/// <c>{ "Type": "pad", "Width": 8 }</c> (<see cref="Type"/> and <see cref="Arguments"/>). It is only a
/// description: <see cref="ITransformRegistry.Create(TransformSpec)"/> builds the transform with the
/// one call syntax of <c>Lucent.Net.Expressions</c>, and its errors name the configuration key.
/// </summary>
public sealed class TransformSpec
{
    /// <summary>Creates the object form: a transform function's name and its arguments by name.</summary>
    /// <param name="type">The transform function's name, e.g. <c>pad</c>.</param>
    /// <param name="arguments">Arguments by name, as texts (<c>8</c>, <c>constant</c>, <c>0.9,1,1.1</c> for a list).</param>
    /// <param name="path">Where the spec came from, e.g. <c>Lucent:Pipelines:gentle:0</c>, used in messages.</param>
    public TransformSpec(string type, IEnumerable<KeyValuePair<string, string>>? arguments = null, string? path = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        Type = type.Trim();
        Arguments = (arguments ?? []).ToList().AsReadOnly();
        Path = path;
    }

    private TransformSpec(string text, string? path)
    {
        Text = text;
        Arguments = [];
        Path = path;
    }

    /// <summary>The string form (a transform expression such as <c>pad(8, mode=constant)</c>), or null for the object form.</summary>
    public string? Text { get; }

    /// <summary>The object form's transform function name (its <c>Type</c> key), or null for the string form.</summary>
    public string? Type { get; }

    /// <summary>The object form's arguments by name, as texts; empty for the string form.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Arguments { get; }

    /// <summary>The configuration path of this spec, or null when made in code.</summary>
    public string? Path { get; }

    /// <summary>The string form: one transform call such as <c>pad(12, mode=constant, value=0.5)</c> or <c>random_scale([0.9, 1, 1.1])</c>.</summary>
    /// <param name="text">The call; it is parsed when the transform is created.</param>
    /// <param name="path">Where it came from, for messages.</param>
    /// <returns>The spec.</returns>
    public static TransformSpec FromText(string text, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new TransformSpec(text, path);
    }

    /// <summary>The spec as a call, e.g. <c>pad(8, mode=constant)</c> or <c>pad(Width=8, Mode=constant)</c> for the object form.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        if (Text is not null)
        {
            return Text;
        }

        if (Arguments.Count == 0)
        {
            return Type!;
        }

        var text = new StringBuilder(Type).Append('(');
        text.AppendJoin(", ", Arguments.Select(kv => kv.Key + "=" + kv.Value));
        return text.Append(')').ToString();
    }
}
