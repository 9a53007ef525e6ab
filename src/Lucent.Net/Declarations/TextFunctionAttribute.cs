namespace Lucent.Net.Declarations;

/// <summary>
/// Declares a built-in's text function on the C# member that builds it: a static factory returning an
/// <c>Objective</c> or an <c>IImageTransform</c>, or a transform's constructor. The member's parameters are the
/// function's parameters, in order, named in snake_case after the C# names unless <see cref="TextNameAttribute"/>
/// renames them; a parameter with a default value (or of a nullable type) is optional. <c>Lucent.Net.Expressions</c>
/// reads these attributes once, when its built-in functions are first needed.
/// </summary>
/// <param name="name">The function's name in expressions and configuration, e.g. <c>channel</c>.</param>
/// <param name="description">
/// A sentence for help and the generated documentation tables; <c>{Name}</c> is replaced by the value of the
/// declaring type's constant or static field <c>Name</c> (e.g. <c>{MaxWidth}</c>), written with the invariant culture.
/// </param>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor, AllowMultiple = false, Inherited = false)]
internal sealed class TextFunctionAttribute(string name, string description) : Attribute
{
    /// <summary>The function's name.</summary>
    public string Name { get; } = name;

    /// <summary>The description, with <c>{Name}</c> placeholders.</summary>
    public string Description { get; } = description;
}

/// <summary>Names a parameter of a <see cref="TextFunctionAttribute"/> member in text, with other names it accepts.</summary>
/// <param name="name">The name in expressions and configuration, e.g. <c>n_channel</c>.</param>
/// <param name="aliases">Other accepted names, e.g. <c>channel</c> and <c>n</c>.</param>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
internal sealed class TextNameAttribute(string name, params string[] aliases) : Attribute
{
    /// <summary>The name in text.</summary>
    public string Name { get; } = name;

    /// <summary>Other accepted names.</summary>
    public IReadOnlyList<string> Aliases { get; } = aliases;
}

/// <summary>Leaves a parameter (which must have a default value) out of the text function: text always passes the default.</summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
internal sealed class NotInTextAttribute : Attribute
{
}
