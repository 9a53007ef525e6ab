using System.Globalization;

namespace Lucent.Net.Expressions;

/// <summary>
/// A function of the call syntax shared by objective and transform expressions, e.g.
/// <c>channel(layer, n_channel, batch?)</c> or <c>pad(width, mode?, value?)</c>: a name, its
/// parameters and a description. <see cref="ExpressionFunction{TArguments, TResult}"/> adds the factory
/// that builds the result; <see cref="ObjectiveFunction"/> and <see cref="TransformFunction"/> name its two kinds.
/// </summary>
public abstract class ExpressionFunction
{
    private protected ExpressionFunction(string name, IEnumerable<FunctionParameter> parameters, string? description)
    {
        RequireIdentifier(name, nameof(name));
        ArgumentNullException.ThrowIfNull(parameters);
        var list = parameters.ToList();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in list)
        {
            ArgumentNullException.ThrowIfNull(parameter, nameof(parameters));
            RequireIdentifier(parameter.Name, nameof(parameters));
            foreach (string n in parameter.Aliases.Prepend(parameter.Name))
            {
                if (!seen.Add(n))
                {
                    throw new ArgumentException($"The function '{name}' declares the parameter name '{n}' twice; parameter names and aliases must be distinct.", nameof(parameters));
                }
            }
        }

        Name = name;
        Parameters = list.AsReadOnly();
        Description = description ?? name;
    }

    /// <summary>The function's name as registered.</summary>
    public string Name { get; }

    /// <summary>The declared parameters in positional order (empty for functions that accept any arguments).</summary>
    public IReadOnlyList<FunctionParameter> Parameters { get; }

    /// <summary>
    /// Whether the function takes any number of positional arguments and any named arguments
    /// written with <c>=</c> (e.g. <c>sum</c>). Such functions read them by index or name; named
    /// arguments the factory never reads are reported as errors.
    /// </summary>
    public bool AcceptsAnyArguments { get; private protected init; }

    /// <summary>What the function builds, in a sentence (shown in help and in the generated documentation tables).</summary>
    public string Description { get; }

    /// <summary>The call form, e.g. <c>neuron(layer, n_channel, x?, y?, batch?)</c>; optional parameters end with <c>?</c>.</summary>
    public string Signature => AcceptsAnyArguments
        ? Name + "(...)"
        : Name + "(" + string.Join(", ", Parameters.Select(p => p.ToString())) + ")";

    /// <summary>The language the function belongs to.</summary>
    internal abstract ExpressionLanguage Language { get; }

    /// <summary>Finds the declared parameter called <paramref name="name"/> (or with that alias).</summary>
    /// <param name="name">A parameter name or alias, case-insensitive.</param>
    /// <returns>The parameter, or null.</returns>
    public FunctionParameter? FindParameter(string name) => Parameters.FirstOrDefault(p => p.Matches(name));

    /// <inheritdoc/>
    public override string ToString() => Signature;

    /// <summary>Whether <paramref name="text"/> is an identifier: a letter or <c>_</c>, then letters, digits or <c>_</c>.</summary>
    internal static bool IsIdentifier(string? text)
    {
        if (string.IsNullOrEmpty(text) || !(char.IsAsciiLetter(text[0]) || text[0] == '_'))
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Binds positional arguments to the declared parameters (in order), checks that every required
    /// parameter is given, and makes the arguments object the factory reads.
    /// </summary>
    internal FunctionArguments Bind(List<ExpressionValue> positional, Dictionary<string, ExpressionValue> named, CallSite site)
    {
        if (AcceptsAnyArguments)
        {
            return CreateArguments(positional, named, site);
        }

        for (int i = 0; i < positional.Count; i++)
        {
            if (i >= Parameters.Count)
            {
                throw site.TooMany(this, positional[i]);
            }

            string key = Parameters[i].Name;
            if (!named.TryAdd(key, positional[i]))
            {
                throw site.GivenByPositionAndName(this, key, positional[i]);
            }
        }

        foreach (var parameter in Parameters)
        {
            if (!parameter.IsOptional && !named.ContainsKey(parameter.Name))
            {
                throw site.Missing(this, parameter.Name);
            }
        }

        return CreateArguments([], named, site);
    }

    /// <summary>Runs the factory on bound arguments; a rejection, a null result or an argument it never read is an error of the call site.</summary>
    internal ExpressionValue Invoke(FunctionArguments arguments, CallSite site)
    {
        object? result;
        try
        {
            result = Run(arguments);
        }
        catch (ExpressionException)
        {
            throw;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or ArithmeticException or FormatException)
        {
            throw site.Rejected(this, ex);
        }

        if (result is null)
        {
            throw site.NoResult(this);
        }

        foreach (var (unread, value) in arguments.Unread())
        {
            throw site.UnknownArgument(this, unread, value, AcceptsAnyArguments ? arguments.ReadNames : Parameters.Select(p => p.Name));
        }

        return Wrap(result, site.Column);
    }

    /// <summary>
    /// Calls the function with arguments given as keys and texts (a configuration section such as
    /// <c>{ "Type": "pad", "Width": 8 }</c>): each text is read as a number, a list of numbers
    /// (<c>[0.9, 1]</c> or <c>0.9,1</c>) or else as text; errors name <c>path:key</c>.
    /// </summary>
    internal ExpressionValue InvokeKeyed(IEnumerable<KeyValuePair<string, string>> arguments, string? path)
    {
        var site = new KeyedCallSite(Language, path);
        var named = new Dictionary<string, ExpressionValue>(StringComparer.OrdinalIgnoreCase);
        var unknown = new List<string>();
        foreach (var (key, text) in arguments)
        {
            ArgumentNullException.ThrowIfNull(key, nameof(arguments));
            string canonical = AcceptsAnyArguments ? key : FindParameter(key)?.Name ?? string.Empty;
            if (canonical.Length == 0)
            {
                unknown.Add(key);
                continue;
            }

            if (!named.TryAdd(canonical, ExpressionParser.ParseKeyedValue(text ?? string.Empty)))
            {
                throw site.GivenTwice(this, canonical, key);
            }

            site.Written[canonical] = (key, text ?? string.Empty);
        }

        var bound = Bind([], named, site);
        if (unknown.Count > 0)
        {
            throw site.UnknownKey(this, unknown[0], Parameters.Select(p => p.Name));
        }

        return Invoke(bound, site);
    }

    /// <summary>Makes the arguments object of this kind of function.</summary>
    private FunctionArguments CreateArguments(IReadOnlyList<ExpressionValue> positional, Dictionary<string, ExpressionValue> named, CallSite site) =>
        Language.Arguments(this, positional, named, site);

    /// <summary>Runs the factory.</summary>
    private protected abstract object? Run(FunctionArguments arguments);

    /// <summary>Wraps the factory's result as a value of the language.</summary>
    private ExpressionValue Wrap(object result, int column) => Language.Wrap(result, column);

    private static void RequireIdentifier(string name, string paramName)
    {
        if (!IsIdentifier(name))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"'{name}' is not a valid function or parameter name: use ASCII letters, digits and '_', starting with a letter or '_' (e.g. center_channel)."),
                paramName);
        }
    }
}

/// <summary>
/// A function of the call syntax with the factory that builds its result from the parsed arguments: an
/// <see cref="ObjectiveFunction"/> (<typeparamref name="TArguments"/> <see cref="ObjectiveArguments"/>, result
/// <c>Objective</c>) or a <see cref="TransformFunction"/> (<see cref="TransformArguments"/>, <c>IImageTransform</c>).
/// </summary>
/// <typeparam name="TArguments">What the factory reads.</typeparam>
/// <typeparam name="TResult">What the factory builds.</typeparam>
public abstract class ExpressionFunction<TArguments, TResult> : ExpressionFunction
    where TArguments : FunctionArguments
    where TResult : class
{
    private protected ExpressionFunction(string name, IEnumerable<FunctionParameter> parameters, Func<TArguments, TResult> factory, string? description)
        : base(name, parameters, description)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Factory = factory;
    }

    /// <summary>The factory that builds the result.</summary>
    public Func<TArguments, TResult> Factory { get; }

    /// <inheritdoc/>
    internal override ExpressionLanguage Language => ExpressionLanguage.Of<TResult>();

    private protected override object? Run(FunctionArguments arguments) => Factory((TArguments)arguments);
}
