using Lucent.Net.Transforms;

namespace Lucent.Net.Expressions;

/// <summary>
/// The functions a transform expression may call, by name (case-insensitive): the built-in
/// transforms (<c>pad</c>, <c>jitter</c>, <c>random_scale</c>, <c>random_rotate</c>, <c>resize</c>,
/// <c>normalize</c>, <c>preprocess_inceptionv1</c>, <c>standard</c>) and any plugins registered with
/// <see cref="FunctionRegistry{TFunction, TRegistry}.Register(TFunction, bool)"/>.
/// </summary>
/// <remarks>
/// Safe to read from several threads; registering while other threads parse is allowed but a parse
/// sees the functions registered when it looked them up. <see cref="Default"/> is read-only.
/// </remarks>
public sealed class TransformFunctionRegistry : FunctionRegistry<TransformFunction, TransformFunctionRegistry>
{
    /// <summary>Creates a registry.</summary>
    /// <param name="includeBuiltIns">Whether to start with the built-in transforms (pad, jitter, ...).</param>
    public TransformFunctionRegistry(bool includeBuiltIns = true)
        : base(includeBuiltIns ? DeclaredFunctions.Transforms : [])
    {
    }

    /// <summary>A shared, read-only registry of the built-in transforms.</summary>
    public static TransformFunctionRegistry Default { get; } = new TransformFunctionRegistry().AsReadOnly();

    /// <inheritdoc/>
    private protected override ExpressionLanguage Language => ExpressionLanguage.Transforms;

    /// <inheritdoc/>
    private protected override TransformFunctionRegistry CreateEmpty() => new(includeBuiltIns: false);

    /// <summary>
    /// Registers a function with declared parameters. Write optional parameters with a trailing
    /// <c>?</c>, e.g. <c>Register("brighten", ["amount?"], a =&gt; new Brighten(a.GetOptionalDouble("amount") ?? 0.1))</c>.
    /// </summary>
    /// <param name="name">The function's name, e.g. <c>brighten</c>.</param>
    /// <param name="parameters">Parameter names in positional order; a trailing <c>?</c> marks one optional.</param>
    /// <param name="factory">Builds the transform from the arguments.</param>
    /// <param name="description">What the transform does.</param>
    /// <returns>This registry.</returns>
    public TransformFunctionRegistry Register(string name, IEnumerable<string> parameters, Func<TransformArguments, IImageTransform> factory, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return Register(new TransformFunction(name, parameters.Select(FunctionParameter.Parse), factory, description));
    }

    /// <summary>Registers a function that accepts any arguments (read positional ones by index).</summary>
    /// <param name="name">The function's name.</param>
    /// <param name="factory">Builds the transform from the arguments.</param>
    /// <param name="description">What the transform does.</param>
    /// <returns>This registry.</returns>
    public TransformFunctionRegistry Register(string name, Func<TransformArguments, IImageTransform> factory, string? description = null) =>
        Register(TransformFunction.WithAnyArguments(name, factory, description));

    /// <summary>Parses one transform call against this registry; see <see cref="TransformExpression.Parse"/>.</summary>
    /// <param name="expression">The call, e.g. <c>pad(12, mode=constant)</c>.</param>
    /// <returns>The transform.</returns>
    public IImageTransform Parse(string expression) => TransformExpression.Parse(expression, this);

    /// <summary>Parses a pipeline against this registry; see <see cref="TransformExpression.ParsePipeline"/>.</summary>
    /// <param name="expression">Calls separated by commas, e.g. <c>pad(12), jitter(8)</c>.</param>
    /// <returns>The pipeline.</returns>
    public TransformPipeline ParsePipeline(string expression) => TransformExpression.ParsePipeline(expression, this);
}
