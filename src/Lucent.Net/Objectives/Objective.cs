using System.Runtime.CompilerServices;
using Lucent.Net.Activations;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Lucent.Net.Declarations;
using static TorchSharp.torch;

namespace Lucent.Net.Objectives;

/// <summary>
/// A loss to minimise, with Lucent's algebra: objectives add, subtract, multiply and divide with
/// each other and with numbers, e.g. <c>Channel("mixed4a", 5) - 100 * Diversity("mixed4a")</c>.
/// The built-in objectives of Lucent and Lucid are factories on this class (<c>Objective.Channel("mixed4a", 97)</c>,
/// or <c>Channel(...)</c> after <c>using static Lucent.Net.Objectives.Objective;</c>); plug in your own with
/// <c>FromDelegate</c>, <see cref="From"/> or by deriving from this class.
/// </summary>
/// <remarks>
/// As in Lucent, every objective is minimised, so "maximise a channel" is the negative mean of
/// the channel. Names compose into the expression that built the objective, and descriptions
/// list what each part means. Objectives hold no tensors and are immutable, so one objective can
/// be reused in any number of expressions and renders.
/// <para>
/// Every built-in is a loss to <em>minimise</em>, exactly as in Lucent: "maximise a channel" is minus its
/// mean, and Lucid's objectives (which Lucid maximises) are negated, so expressions copied from Lucid or
/// Lucent notebooks mean the same here. Activations are laid out (batch, channels, height, width);
/// <c>x</c> indexes the width (last axis) and <c>y</c> the height. Where a <c>batch</c> parameter exists,
/// the objective reads only that batch element of every layer (keeping a batch axis of size 1), like
/// Lucent's <c>batch=</c>. Indices are checked against the activation's shape on every
/// <see cref="IObjective.Compute"/> and a wrong one raises <see cref="ObjectiveArgumentException"/>.
/// </para>
/// </remarks>
public abstract partial class Objective : IObjective
{
    /// <summary>Precedence of a sum or difference, used to parenthesise composed names.</summary>
    private protected const int AdditivePrecedence = 1;

    /// <summary>Precedence of a product or quotient.</summary>
    private protected const int MultiplicativePrecedence = 2;

    /// <summary>Precedence of a negation.</summary>
    private protected const int UnaryPrecedence = 3;

    /// <summary>Precedence of a name that needs no parentheses.</summary>
    private protected const int AtomPrecedence = 4;

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public virtual string Description => Name;

    /// <inheritdoc/>
    public abstract IReadOnlyCollection<string> Layers { get; }

    /// <summary>How tightly <see cref="Name"/> binds, for parenthesising it inside a larger expression.</summary>
    internal virtual int Precedence => AtomPrecedence;

    /// <inheritdoc/>
    /// <remarks>
    /// Implementations should create their intermediate tensors inside
    /// <c>torch.NewDisposeScope()</c> and return the result with <c>MoveToOuterDisposeScope()</c>.
    /// </remarks>
    public abstract Tensor Compute(IActivationLookup activations);

    /// <summary>The objective's name.</summary>
    /// <returns><see cref="Name"/>.</returns>
    public override string ToString() => Name;

    /// <summary>Adds two objectives.</summary>
    /// <param name="left">The first objective.</param>
    /// <param name="right">The second objective.</param>
    /// <returns>An objective computing <c>left + right</c>.</returns>
    public static Objective operator +(Objective left, Objective right) => Binary(left, ArithmeticOperator.Add, right);

    /// <summary>Adds a number to an objective (it shifts the loss and leaves its gradient alone).</summary>
    /// <param name="left">The objective.</param>
    /// <param name="right">The number.</param>
    /// <returns>An objective computing <c>left + right</c>.</returns>
    public static Objective operator +(Objective left, double right) => Scalar(left, ArithmeticOperator.Add, right, scalarFirst: false);

    /// <summary>Adds an objective to a number.</summary>
    /// <param name="left">The number.</param>
    /// <param name="right">The objective.</param>
    /// <returns>An objective computing <c>left + right</c>.</returns>
    public static Objective operator +(double left, Objective right) => Scalar(right, ArithmeticOperator.Add, left, scalarFirst: true);

    /// <summary>Subtracts an objective from another.</summary>
    /// <param name="left">The objective subtracted from.</param>
    /// <param name="right">The objective to subtract.</param>
    /// <returns>An objective computing <c>left - right</c>.</returns>
    public static Objective operator -(Objective left, Objective right) => Binary(left, ArithmeticOperator.Subtract, right);

    /// <summary>Subtracts a number from an objective.</summary>
    /// <param name="left">The objective.</param>
    /// <param name="right">The number.</param>
    /// <returns>An objective computing <c>left - right</c>.</returns>
    public static Objective operator -(Objective left, double right) => Scalar(left, ArithmeticOperator.Subtract, right, scalarFirst: false);

    /// <summary>Subtracts an objective from a number.</summary>
    /// <param name="left">The number.</param>
    /// <param name="right">The objective.</param>
    /// <returns>An objective computing <c>left - right</c>.</returns>
    public static Objective operator -(double left, Objective right) => Scalar(right, ArithmeticOperator.Subtract, left, scalarFirst: true);

    /// <summary>Negates an objective: minimising <c>-o</c> maximises <c>o</c>.</summary>
    /// <param name="operand">The objective.</param>
    /// <returns>An objective computing <c>-operand</c>.</returns>
    public static Objective operator -(Objective operand)
    {
        ArgumentNullException.ThrowIfNull(operand);
        return new NegatedObjective(operand);
    }

    /// <summary>Multiplies two objectives (as Lucid allows; Lucent does not).</summary>
    /// <param name="left">The first objective.</param>
    /// <param name="right">The second objective.</param>
    /// <returns>An objective computing <c>left * right</c>.</returns>
    public static Objective operator *(Objective left, Objective right) => Binary(left, ArithmeticOperator.Multiply, right);

    /// <summary>Scales an objective.</summary>
    /// <param name="left">The objective.</param>
    /// <param name="right">The factor.</param>
    /// <returns>An objective computing <c>left * right</c>.</returns>
    public static Objective operator *(Objective left, double right) => Scalar(left, ArithmeticOperator.Multiply, right, scalarFirst: false);

    /// <summary>Scales an objective.</summary>
    /// <param name="left">The factor.</param>
    /// <param name="right">The objective.</param>
    /// <returns>An objective computing <c>left * right</c>.</returns>
    public static Objective operator *(double left, Objective right) => Scalar(right, ArithmeticOperator.Multiply, left, scalarFirst: true);

    /// <summary>Divides an objective by another.</summary>
    /// <param name="left">The dividend.</param>
    /// <param name="right">The divisor.</param>
    /// <returns>An objective computing <c>left / right</c>.</returns>
    public static Objective operator /(Objective left, Objective right) => Binary(left, ArithmeticOperator.Divide, right);

    /// <summary>Divides an objective by a number.</summary>
    /// <param name="left">The objective.</param>
    /// <param name="right">The divisor, not zero.</param>
    /// <returns>An objective computing <c>left / right</c>.</returns>
    /// <exception cref="DivideByZeroException"><paramref name="right"/> is zero.</exception>
    public static Objective operator /(Objective left, double right)
    {
        if (right == 0)
        {
            throw new DivideByZeroException($"Cannot divide the objective '{left?.Name}' by zero.");
        }

        return Scalar(left!, ArithmeticOperator.Divide, right, scalarFirst: false);
    }

    /// <summary>Divides a number by an objective.</summary>
    /// <param name="left">The dividend.</param>
    /// <param name="right">The objective.</param>
    /// <returns>An objective computing <c>left / right</c>.</returns>
    public static Objective operator /(double left, Objective right) => Scalar(right, ArithmeticOperator.Divide, left, scalarFirst: true);

    /// <summary>Adds <paramref name="other"/> to this objective (the named form of <c>+</c>).</summary>
    /// <param name="other">The objective to add.</param>
    /// <returns><c>this + other</c>.</returns>
    public Objective Add(Objective other) => this + other;

    /// <summary>Adds a number to this objective (the named form of <c>+</c>).</summary>
    /// <param name="other">The number.</param>
    /// <returns><c>this + other</c>.</returns>
    public Objective Add(double other) => this + other;

    /// <summary>Subtracts <paramref name="other"/> from this objective (the named form of <c>-</c>).</summary>
    /// <param name="other">The objective to subtract.</param>
    /// <returns><c>this - other</c>.</returns>
    public Objective Subtract(Objective other) => this - other;

    /// <summary>Subtracts a number from this objective (the named form of <c>-</c>).</summary>
    /// <param name="other">The number.</param>
    /// <returns><c>this - other</c>.</returns>
    public Objective Subtract(double other) => this - other;

    /// <summary>Negates this objective (the named form of unary <c>-</c>).</summary>
    /// <returns><c>-this</c>.</returns>
    public Objective Negate() => -this;

    /// <summary>Multiplies this objective by <paramref name="other"/> (the named form of <c>*</c>).</summary>
    /// <param name="other">The other objective.</param>
    /// <returns><c>this * other</c>.</returns>
    public Objective Multiply(Objective other) => this * other;

    /// <summary>Scales this objective (the named form of <c>*</c>).</summary>
    /// <param name="factor">The factor.</param>
    /// <returns><c>this * factor</c>.</returns>
    public Objective Multiply(double factor) => this * factor;

    /// <summary>Divides this objective by <paramref name="other"/> (the named form of <c>/</c>).</summary>
    /// <param name="other">The divisor.</param>
    /// <returns><c>this / other</c>.</returns>
    public Objective Divide(Objective other) => this / other;

    /// <summary>Divides this objective by a number (the named form of <c>/</c>).</summary>
    /// <param name="divisor">The divisor, not zero.</param>
    /// <returns><c>this / divisor</c>.</returns>
    public Objective Divide(double divisor) => this / divisor;

    /// <summary>The sum of several objectives (Lucent's <c>Objective.sum</c>).</summary>
    /// <param name="objectives">At least one objective.</param>
    /// <returns>An objective computing their sum, named <c>a + b + c</c>.</returns>
    /// <exception cref="ArgumentException">The sequence is empty or holds a null.</exception>
    public static Objective Sum(IEnumerable<Objective> objectives)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        var items = objectives.ToList();
        if (items.Count == 0)
        {
            throw new ArgumentException("Objective.Sum needs at least one objective.", nameof(objectives));
        }

        if (items.Any(o => o is null))
        {
            throw new ArgumentException("Objective.Sum was given a null objective.", nameof(objectives));
        }

        return items.Count == 1 ? items[0] : new SumObjective(items);
    }

    /// <summary>The text form of <c>sum</c>: any number of objectives, given positionally.</summary>
    [TextFunction("sum", "The sum of any number of objectives (`Objective.Sum`).")]
    private static Objective SumOf(params Objective[] objectives) =>
        objectives.Length == 0 ? throw new ArgumentException("sum needs at least one objective, e.g. sum(mixed4a:0, mixed4a:1).", nameof(objectives)) : Sum(objectives);

    /// <summary>An objective computed by a function: the quickest way to plug in your own loss.</summary>
    /// <param name="name">A short name, e.g. <c>mean_square(conv2)</c>.</param>
    /// <param name="layers">The layers <paramref name="compute"/> reads (used to stop the forward pass early).</param>
    /// <param name="compute">
    /// Computes the scalar loss to minimise from the lookup. Tensors it creates are disposed after
    /// the call except the one it returns, which passes to the caller; it must not dispose the
    /// lookup's tensors.
    /// </param>
    /// <param name="description">A sentence saying what the loss does; defaults to <paramref name="name"/>.</param>
    /// <returns>The objective, usable in the algebra.</returns>
    public static Objective FromDelegate(string name, IEnumerable<string> layers, Func<IActivationLookup, Tensor> compute, string? description = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(compute);
        return new LayerObjective(name, description ?? name, layers.Distinct(StringComparer.Ordinal).ToList().AsReadOnly(), null, compute);
    }

    /// <summary>
    /// An objective computed by a function, with nothing else to say (Lucent's <c>as_objective(f)</c>): the
    /// name is the function's source text as written at the call (e.g. <c>a =&gt; -a["mixed4a"].mean()</c>,
    /// shortened to 60 characters), and the layers are not declared, so the render hooks every layer and runs
    /// the whole model each step (name the layers with the other overload to stop the forward pass early).
    /// </summary>
    /// <param name="compute">Computes the scalar loss to minimise from the lookup, as in the other overload.</param>
    /// <param name="expression">Filled in by the compiler with the source text of <paramref name="compute"/>; do not pass it.</param>
    /// <returns>The objective, usable in the algebra.</returns>
    public static Objective FromDelegate(Func<IActivationLookup, Tensor> compute, [CallerArgumentExpression(nameof(compute))] string? expression = null)
    {
        ArgumentNullException.ThrowIfNull(compute);
        string name = string.Join(' ', (expression ?? string.Empty).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (name.Length == 0)
        {
            name = compute.Method.Name.Contains('<', StringComparison.Ordinal) ? "custom" : compute.Method.Name;
        }
        else if (name.Length > 60)
        {
            name = name[..57] + "...";
        }

        return new LayerObjective(name, name, [], null, compute);
    }

    /// <summary>
    /// Makes any <see cref="IObjective"/> usable in the algebra. An <see cref="Objective"/> passes
    /// through unchanged (like Lucent's <c>as_objective</c>).
    /// </summary>
    /// <param name="objective">The objective.</param>
    /// <returns><paramref name="objective"/> itself if it is an <see cref="Objective"/>, else a wrapper.</returns>
    public static Objective From(IObjective objective)
    {
        ArgumentNullException.ThrowIfNull(objective);
        return objective as Objective ?? new WrappedObjective(objective);
    }

    private const string ParseObsolete =
        "Use ObjectiveExpression.Parse (Lucent.Net.Expressions), the one text reader: it reads \"mixed4a:5\" and \"labels:tabby\" alike; quote other layer names (\"'features.0':3\").";

    /// <summary>
    /// Parses Lucent's short form <c>"layer:channel"</c>, e.g. <c>"mixed4a:5"</c>, into
    /// <see cref="Objective.Channel(string, int, int?, TokenSelection, ActivationLayout)"/>; a name after the colon (<c>"labels:tabby"</c>) is a class
    /// named in the model's labels (<see cref="Objective.Channel(string, string, int?)"/>).
    /// </summary>
    /// <param name="s">The text.</param>
    /// <returns>The channel objective.</returns>
    /// <exception cref="FormatException">The text is not of the form <c>layer:channel</c>.</exception>
    /// <remarks>
    /// Obsolete: <c>ObjectiveExpression.Parse</c> (namespace <c>Lucent.Net.Expressions</c>) is the one text reader; it
    /// reads <c>mixed4a:5</c> and <c>labels:tabby</c> as this method does, and every other objective expression. A layer
    /// name that is not an identifier is quoted there (<c>'features.0':3</c>), where this method took everything
    /// before the last colon.
    /// </remarks>
    [Obsolete(ParseObsolete)]
    public static Objective Parse(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return TryParseCore(s, out var result, out string? error) ? result : throw new FormatException(error);
    }

    /// <summary>Tries to parse <c>"layer:channel"</c>; see <see cref="Parse(string)"/>.</summary>
    /// <param name="s">The text.</param>
    /// <param name="result">The channel objective, or null.</param>
    /// <returns>Whether the text had the right form.</returns>
    [Obsolete(ParseObsolete)]
    public static bool TryParse([NotNullWhen(true)] string? s, [MaybeNullWhen(false)] out Objective result) =>
        TryParseCore(s, out result, out _);

    /// <summary>
    /// A bound on the size of the numbers this objective multiplies, divides or shifts its parts by (1 for a leaf).
    /// The algebra refuses combinations that make it non-finite, whatever the order of the operands.
    /// </summary>
    internal virtual double ConstantMagnitude => 1;

    /// <summary>Appends <see cref="Name"/> to <paramref name="text"/>; composed objectives write it from their parts without caching theirs.</summary>
    internal virtual void AppendName(StringBuilder text) => text.Append(Name);

    /// <summary>Appends this objective's name, parenthesised when it binds less tightly than <paramref name="precedence"/>.</summary>
    internal void AppendNameAt(StringBuilder text, int precedence)
    {
        bool parenthesise = Precedence < precedence;
        if (parenthesise)
        {
            text.Append('(');
        }

        AppendName(text);
        if (parenthesise)
        {
            text.Append(')');
        }
    }

    /// <summary>Adds the objectives this one is built from (itself, for a leaf) to <paramref name="leaves"/>.</summary>
    internal virtual void CollectLeaves(List<Objective> leaves) => leaves.Add(this);

    /// <summary>The description of a composed objective: its expression, then what each distinct part is.</summary>
    private protected string ComposedDescription()
    {
        var leaves = new List<Objective>();
        CollectLeaves(leaves);
        var text = new StringBuilder(Name).Append(", where");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var leaf in leaves)
        {
            if (seen.Add(leaf.Name))
            {
                text.Append('\n').Append("  ").Append(leaf.Name).Append(": ").Append(leaf.Description);
            }
        }

        return text.ToString();
    }

    private static bool TryParseCore(string? s, [MaybeNullWhen(false)] out Objective result, out string? error)
    {
        result = null;
        error = null;
        string shown = s ?? "(null)";
        int colon = s?.LastIndexOf(':') ?? -1;
        if (s is null || colon < 0)
        {
            error = $"Cannot parse the objective '{shown}': expected the form 'layer:channel', e.g. 'mixed4a:5' (channel 5 of layer mixed4a).";
            return false;
        }

        string layer = s[..colon].Trim();
        string channelText = s[(colon + 1)..].Trim();
        if (layer.Length == 0)
        {
            error = $"Cannot parse the objective '{shown}': the layer name before ':' is empty; expected the form 'layer:channel', e.g. 'mixed4a:5'.";
            return false;
        }

        if (!int.TryParse(channelText, NumberStyles.None, CultureInfo.InvariantCulture, out int channel))
        {
            if (channelText.Length > 0 && !char.IsAsciiDigit(channelText[0]) && channelText[0] is not ('-' or '+'))
            {
                // "labels:tabby": a class named in the model's labels, looked up when the render starts.
                result = Objective.Channel(layer, channelText);
                return true;
            }

            error = $"Cannot parse the objective '{shown}': '{channelText}' is not a channel number (a non-negative integer) or a class name; expected the form 'layer:channel', e.g. 'mixed4a:5' or 'labels:tabby'.";
            return false;
        }

        result = Objective.Channel(layer, channel);
        return true;
    }

    private static Objective Binary(Objective left, ArithmeticOperator op, Objective right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return ChainObjective.Create(new ChainOperand(left, 0), op, new ChainOperand(right, 0));
    }

    private static Objective Scalar(Objective objective, ArithmeticOperator op, double scalar, bool scalarFirst)
    {
        ArgumentNullException.ThrowIfNull(objective);
        if (!double.IsFinite(scalar))
        {
            throw new ArgumentOutOfRangeException(nameof(scalar), scalar, $"Objectives can only be combined with finite numbers; got {scalar} with '{objective.Name}'.");
        }

        return scalarFirst
            ? ChainObjective.Create(new ChainOperand(null, scalar), op, new ChainOperand(objective, 0))
            : ChainObjective.Create(new ChainOperand(objective, 0), op, new ChainOperand(null, scalar));
    }

    /// <summary>Symbol, precedence and commutativity of an operator.</summary>
    private protected static (string Symbol, int Precedence, bool Commutative) Describe(ArithmeticOperator op) => op switch
    {
        ArithmeticOperator.Add => ("+", AdditivePrecedence, true),
        ArithmeticOperator.Subtract => ("-", AdditivePrecedence, false),
        ArithmeticOperator.Multiply => ("*", MultiplicativePrecedence, true),
        _ => ("/", MultiplicativePrecedence, false),
    };

    /// <summary>Applies an operator to two tensors; the caller disposes the operands and owns the result.</summary>
    private protected static Tensor Apply(Tensor left, ArithmeticOperator op, Tensor right) => op switch
    {
        ArithmeticOperator.Add => left.add(right),
        ArithmeticOperator.Subtract => left.sub(right),
        ArithmeticOperator.Multiply => left.mul(right),
        _ => left.div(right),
    };

    /// <summary>Union of the layers of <paramref name="operands"/>, in first-seen order.</summary>
    private protected static IReadOnlyCollection<string> UnionLayers(IEnumerable<IObjective> operands) =>
        operands.SelectMany(o => o.Layers).Distinct(StringComparer.Ordinal).ToList().AsReadOnly();

    /// <summary>Fails unless <paramref name="loss"/> is a single number (the one check, for composed objectives and the renderer).</summary>
    internal static void RequireScalar(Tensor loss, string name)
    {
        if (loss.numel() != 1)
        {
            throw new InvalidOperationException(
                $"The objective '{name}' returned a tensor of shape {ActivationChecks.FormatShape(loss.shape)}, but an objective must return a scalar loss: reduce it, e.g. with .mean() or .sum().");
        }
    }
}

/// <summary>The four arithmetic operators of the algebra.</summary>
internal enum ArithmeticOperator
{
    /// <summary><c>+</c></summary>
    Add,

    /// <summary><c>-</c></summary>
    Subtract,

    /// <summary><c>*</c></summary>
    Multiply,

    /// <summary><c>/</c></summary>
    Divide,
}
