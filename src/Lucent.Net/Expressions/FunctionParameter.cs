namespace Lucent.Net.Expressions;

/// <summary>
/// One parameter of a function of the call syntax (an <see cref="ObjectiveFunction"/> or a
/// <see cref="TransformFunction"/>): a name usable as a named argument, and whether it may be left out.
/// </summary>
/// <param name="Name">The parameter's name in snake_case, e.g. <c>n_channel</c>.</param>
/// <param name="IsOptional">Whether the argument may be left out (the function then uses its default).</param>
public sealed record FunctionParameter(string Name, bool IsOptional = false)
{
    /// <summary>Other names accepted for this parameter in named arguments, e.g. <c>channel</c> for <c>n_channel</c>.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Whether <paramref name="name"/> is this parameter's name or one of its aliases (case-insensitive).</summary>
    /// <param name="name">A named argument's name.</param>
    /// <returns>True when it names this parameter.</returns>
    public bool Matches(string name) =>
        string.Equals(Name, name, StringComparison.OrdinalIgnoreCase) || Aliases.Any(a => string.Equals(a, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Reads the short form used by the registries' <c>Register</c> methods: a name, with a trailing
    /// <c>?</c> when optional, e.g. <c>sigma?</c>.
    /// </summary>
    /// <param name="text">The name, optionally ending with <c>?</c>.</param>
    /// <returns>The parameter.</returns>
    public static FunctionParameter Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.EndsWith('?') ? new FunctionParameter(text[..^1], IsOptional: true) : new FunctionParameter(text);
    }

    /// <inheritdoc/>
    public override string ToString() => IsOptional ? Name + "?" : Name;
}
