namespace Lucent.Net.Expressions;

/// <summary>
/// The arguments of one transform call, handed to a <see cref="TransformFunction"/>'s factory:
/// from an expression such as <c>pad(12, mode=constant)</c> or from a configuration step such as
/// <c>{ "Type": "pad", "Width": 12, "Mode": "constant" }</c>. Read them with the shared getters of
/// <see cref="FunctionArguments"/> (by parameter name; configuration keys match parameter names and
/// aliases case-insensitively). A getter given a value of the wrong kind throws
/// <see cref="TransformExpressionException"/> naming the column or the configuration key.
/// </summary>
public sealed class TransformArguments : FunctionArguments
{
    internal TransformArguments(ExpressionFunction function, IReadOnlyList<ExpressionValue> positional, Dictionary<string, ExpressionValue> named, CallSite site)
        : base(function, positional, named, site)
    {
    }
}
