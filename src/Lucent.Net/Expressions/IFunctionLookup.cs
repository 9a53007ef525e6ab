using System.Diagnostics.CodeAnalysis;

namespace Lucent.Net.Expressions;

/// <summary>What the parser needs of a registry: find a function, and the names closest to an unknown one.</summary>
internal interface IFunctionLookup
{
    /// <summary>Finds a function by name (case-insensitive).</summary>
    bool TryFind(string name, [NotNullWhen(true)] out ExpressionFunction? function);

    /// <summary>The registered names, closest to <paramref name="name"/> first.</summary>
    IReadOnlyList<string> Closest(string name);
}
