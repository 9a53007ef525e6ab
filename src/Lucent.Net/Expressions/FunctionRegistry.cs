using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Lucent.Net.Activations;

namespace Lucent.Net.Expressions;

/// <summary>
/// The functions an expression may call, by name (case-insensitive): what
/// <see cref="ObjectiveFunctionRegistry"/> and <see cref="TransformFunctionRegistry"/> share
/// (lookup, listing, the read-only flag and the duplicate rule).
/// </summary>
/// <typeparam name="TFunction">The kind of function.</typeparam>
/// <typeparam name="TRegistry">The registry type itself, so that chained calls keep it.</typeparam>
/// <typeparam name="TArguments">What the functions' factories read.</typeparam>
/// <typeparam name="TResult">What the functions' factories build.</typeparam>
/// <remarks>
/// Safe to read from several threads; registering while other threads parse is allowed but a parse
/// sees the functions registered when it looked them up.
/// </remarks>
public abstract class FunctionRegistry<TFunction, TRegistry, TArguments, TResult> : IFunctionLookup
    where TFunction : ExpressionFunction<TArguments, TResult>
    where TRegistry : FunctionRegistry<TFunction, TRegistry, TArguments, TResult>
    where TArguments : FunctionArguments
    where TResult : class
{
    private readonly ConcurrentDictionary<string, TFunction> _functions = new(StringComparer.OrdinalIgnoreCase);

    private protected FunctionRegistry(IEnumerable<TFunction> initial)
    {
        foreach (var function in initial)
        {
            _functions[function.Name] = function;
        }
    }

    /// <summary>Whether registering is refused (the shared <c>Default</c> registries are read-only).</summary>
    public bool IsReadOnly { get; private set; }

    /// <summary>The registered function names, sorted.</summary>
    public IReadOnlyList<string> Names => _functions.Values.Select(f => f.Name).Order(StringComparer.Ordinal).ToList();

    /// <summary>The registered functions, sorted by name.</summary>
    public IReadOnlyList<TFunction> Functions => _functions.Values.OrderBy(f => f.Name, StringComparer.Ordinal).ToList();

    /// <summary>The language of the functions (for messages).</summary>
    private static ExpressionLanguage Language => ExpressionLanguage.Of<TResult>();

    /// <summary>Finds a function by name (case-insensitive).</summary>
    /// <param name="name">The name.</param>
    /// <param name="function">The function, or null.</param>
    /// <returns>Whether it is registered.</returns>
    public bool TryGet(string name, [NotNullWhen(true)] out TFunction? function)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _functions.TryGetValue(name, out function);
    }

    /// <summary>Whether a function with this name is registered.</summary>
    /// <param name="name">The name (case-insensitive).</param>
    /// <returns>True when registered.</returns>
    public bool Contains(string name) => TryGet(name, out _);

    bool IFunctionLookup.TryFind(string name, [NotNullWhen(true)] out ExpressionFunction? function)
    {
        bool found = TryGet(name, out var typed);
        function = typed;
        return found;
    }

    /// <summary>The registered names ordered by closeness to <paramref name="name"/>, closest first.</summary>
    IReadOnlyList<string> IFunctionLookup.Closest(string name) =>
        LayerNameMatcher.Closest(name, _functions.Values.Select(f => f.Name), int.MaxValue);

    /// <summary>Registers a function.</summary>
    /// <param name="function">The function.</param>
    /// <param name="replace">Replace a function already registered under the same name (including a built-in) instead of failing.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">A function with that name exists and <paramref name="replace"/> is false.</exception>
    /// <exception cref="InvalidOperationException">The registry is read-only.</exception>
    public TRegistry Register(TFunction function, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (IsReadOnly)
        {
            throw new InvalidOperationException(
                $"This {Language.Noun} function registry is read-only ({Language.RegistryType}.Default is); create one with new {Language.RegistryType}() and register there.");
        }

        if (replace)
        {
            _functions[function.Name] = function;
        }
        else if (!_functions.TryAdd(function.Name, function))
        {
            throw new ArgumentException(
                $"A {Language.Noun} function named '{function.Name}' is already registered ({_functions[function.Name].Signature}); choose another name or pass replace: true.",
                nameof(function));
        }

        return (TRegistry)this;
    }

    /// <summary>
    /// Registers a function with declared parameters. Write optional parameters with a trailing
    /// <c>?</c>, e.g. <c>Register("center_channel", ["layer", "n_channel", "sigma?"], args =&gt; ...)</c>.
    /// </summary>
    /// <param name="name">The function's name, e.g. <c>center_channel</c>.</param>
    /// <param name="parameters">Parameter names in positional order; a trailing <c>?</c> marks one optional.</param>
    /// <param name="factory">Builds the result from the arguments.</param>
    /// <param name="description">What the function builds.</param>
    /// <returns>This registry.</returns>
    public TRegistry Register(string name, IEnumerable<string> parameters, Func<TArguments, TResult> factory, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return Register(Create(name, parameters.Select(FunctionParameter.Parse), factory, description, acceptsAnyArguments: false));
    }

    /// <summary>Registers a function that accepts any arguments (read positional ones by index).</summary>
    /// <param name="name">The function's name.</param>
    /// <param name="factory">Builds the result from the arguments.</param>
    /// <param name="description">What the function builds.</param>
    /// <returns>This registry.</returns>
    public TRegistry Register(string name, Func<TArguments, TResult> factory, string? description = null) =>
        Register(Create(name, [], factory, description, acceptsAnyArguments: true));

    /// <summary>A copy of this registry that can be changed (also of a read-only one).</summary>
    /// <returns>A new registry with the same functions.</returns>
    public TRegistry Clone()
    {
        var copy = CreateEmpty();
        foreach (var function in _functions.Values)
        {
            copy._functions[function.Name] = function;
        }

        return copy;
    }

    /// <summary>Makes this registry read-only.</summary>
    /// <returns>This registry.</returns>
    public TRegistry AsReadOnly()
    {
        IsReadOnly = true;
        return (TRegistry)this;
    }

    /// <summary>A new registry of the same type with no functions.</summary>
    private protected abstract TRegistry CreateEmpty();

    /// <summary>A new function of this registry's kind.</summary>
    private protected abstract TFunction Create(string name, IEnumerable<FunctionParameter> parameters, Func<TArguments, TResult> factory, string? description, bool acceptsAnyArguments);
}
