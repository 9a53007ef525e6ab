using Lucent.Net.Transforms;

namespace Lucent.Net.Expressions;

/// <summary>
/// The functions a transform expression may call, by name (case-insensitive): the built-in
/// transforms (<c>pad</c>, <c>jitter</c>, <c>random_scale</c>, ...; <c>docs/expressions.md</c> lists them) and
/// any plugins registered with <c>Register</c>.
/// </summary>
/// <remarks>
/// Safe to read from several threads; registering while other threads parse is allowed but a parse
/// sees the functions registered when it looked them up. <see cref="Default"/> is read-only.
/// </remarks>
public sealed class TransformFunctionRegistry : FunctionRegistry<TransformFunction, TransformFunctionRegistry, TransformArguments, IImageTransform>
{
    /// <summary>Creates a registry.</summary>
    /// <param name="includeBuiltIns">Whether to start with the built-in transforms.</param>
    public TransformFunctionRegistry(bool includeBuiltIns = true)
        : base(includeBuiltIns ? DeclaredFunctions.Transforms : [])
    {
    }

    /// <summary>A shared, read-only registry of the built-in transforms.</summary>
    public static TransformFunctionRegistry Default { get; } = new TransformFunctionRegistry().AsReadOnly();

    /// <summary>Parses one transform call against this registry; see <see cref="TransformExpression.Parse"/>.</summary>
    /// <param name="expression">The call, e.g. <c>pad(12, mode=constant)</c>.</param>
    /// <returns>The transform.</returns>
    public IImageTransform Parse(string expression) => TransformExpression.Parse(expression, this);

    /// <summary>Parses a pipeline against this registry; see <see cref="TransformExpression.ParsePipeline"/>.</summary>
    /// <param name="expression">Calls separated by commas, e.g. <c>pad(12), jitter(8)</c>.</param>
    /// <returns>The pipeline.</returns>
    public TransformPipeline ParsePipeline(string expression) => TransformExpression.ParsePipeline(expression, this);

    /// <inheritdoc/>
    private protected override TransformFunctionRegistry CreateEmpty() => new(includeBuiltIns: false);

    /// <inheritdoc/>
    private protected override TransformFunction Create(string name, IEnumerable<FunctionParameter> parameters, Func<TransformArguments, IImageTransform> factory, string? description, bool acceptsAnyArguments) =>
        acceptsAnyArguments ? TransformFunction.WithAnyArguments(name, factory, description) : new(name, parameters, factory, description);
}
