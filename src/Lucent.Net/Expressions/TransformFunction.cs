using Lucent.Net.Transforms;

namespace Lucent.Net.Expressions;

/// <summary>
/// A function usable in transform expressions: a name, its parameters, and a factory that builds the
/// <see cref="IImageTransform"/> from the parsed arguments (read them with the getters of <see cref="TransformArguments"/>).
/// Register it in an <see cref="TransformFunctionRegistry"/>.
/// </summary>
public sealed class TransformFunction : ExpressionFunction<TransformArguments, IImageTransform>
{
    /// <summary>
    /// Creates a function with declared parameters. Positional arguments bind to the parameters in
    /// order; named arguments (<c>name=value</c> or <c>name: value</c>) bind by name. Missing
    /// required arguments, unknown names and surplus arguments are parse errors.
    /// </summary>
    /// <param name="name">The function's name: letters, digits and <c>_</c>, not starting with a digit. Matched case-insensitively.</param>
    /// <param name="parameters">The parameters, in positional order.</param>
    /// <param name="factory">Builds the result from the arguments.</param>
    /// <param name="description">A sentence saying what the function builds (shown in help and documentation).</param>
    /// <exception cref="ArgumentException">The name is not an identifier, or two parameters share a name.</exception>
    public TransformFunction(string name, IEnumerable<FunctionParameter> parameters, Func<TransformArguments, IImageTransform> factory, string? description = null)
        : base(name, parameters, factory, description)
    {
    }

    /// <summary>
    /// Creates a function that accepts any arguments: positional ones are read by index
    /// (<see cref="FunctionArguments.PositionalCount"/>), named ones (written <c>name=value</c>) by name.
    /// </summary>
    /// <param name="name">The function's name.</param>
    /// <param name="factory">Builds the result.</param>
    /// <param name="description">A sentence saying what the function builds.</param>
    /// <returns>The function.</returns>
    public static TransformFunction WithAnyArguments(string name, Func<TransformArguments, IImageTransform> factory, string? description = null) => new(name, [], factory, description) { AcceptsAnyArguments = true };
}
