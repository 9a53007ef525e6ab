using Lucent.Net.Activations;
using System.Text;
using static TorchSharp.torch;

namespace Lucent.Net.Objectives;

/// <summary>An operand of a <see cref="ChainObjective"/>: an objective, or a finite number when <see cref="Objective"/> is null.</summary>
internal readonly record struct ChainOperand(Objective? Objective, double Constant)
{
    /// <summary>A bound on the size of the numbers this operand multiplies or shifts a loss by (1 for a plain objective).</summary>
    public double Magnitude => Objective?.ConstantMagnitude ?? Math.Abs(Constant);
}

/// <summary>
/// A left-associative chain of one precedence level: <c>a + b - 2 + c</c> or <c>a * 3 / b</c>, where each
/// operand is an objective or a number (at least one is an objective).
/// </summary>
/// <remarks>
/// Each node adds one operator and operand to the chain it extends (which it shares, unchanged), so building
/// <c>a + b + c + ...</c> costs constant time and memory per operator. The name, the layers and the leaves are
/// computed on first use by walking the chain (no recursion per term), and <see cref="Compute"/> walks it in a
/// loop, so a chain of thousands of terms costs time and memory linear in its length.
/// </remarks>
internal sealed class ChainObjective : Objective
{
    private readonly ChainObjective? _prefix;
    private readonly ChainOperand _head;
    private readonly ArithmeticOperator _op;
    private readonly ChainOperand _operand;
    private readonly int _length;
    private string? _name;
    private IReadOnlyCollection<string>? _layers;

    private ChainObjective(ChainObjective? prefix, ChainOperand head, ArithmeticOperator op, ChainOperand operand, double magnitude)
    {
        _prefix = prefix;
        _head = head;
        _op = op;
        _operand = operand;
        _length = (prefix?._length ?? 0) + 1;
        Precedence = Describe(op).Precedence;
        ConstantMagnitude = magnitude;
    }

    public override string Name => _name ??= BuildName();

    public override string Description => ComposedDescription();

    public override IReadOnlyCollection<string> Layers => _layers ??= UnionLayers(Operands().Where(o => o.Objective is not null).Select(o => o.Objective!));

    internal override int Precedence { get; }

    internal override double ConstantMagnitude { get; }

    /// <summary><c>left op right</c>, extending <paramref name="left"/> when it is a chain of the same precedence.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The numbers in the result multiply or add up beyond the range of a double.</exception>
    public static ChainObjective Create(ChainOperand left, ArithmeticOperator op, ChainOperand right)
    {
        int precedence = Describe(op).Precedence;
        ChainObjective? prefix = left.Objective is ChainObjective chain && chain.Precedence == precedence ? chain : null;
        double leftMagnitude = left.Magnitude;
        double magnitude = op switch
        {
            ArithmeticOperator.Add or ArithmeticOperator.Subtract => leftMagnitude + right.Magnitude,
            ArithmeticOperator.Divide when right.Objective is null => leftMagnitude / right.Magnitude,
            _ => leftMagnitude * right.Magnitude,
        };
        if (!double.IsFinite(magnitude))
        {
            string side = right.Objective is null ? ActivationChecks.FormatNumber(right.Constant) : right.Objective.Name;
            throw new ArgumentOutOfRangeException(
                nameof(right),
                $"Combining with {side} by '{Describe(op).Symbol}' makes the numbers in the objective multiply or add up beyond the range of a double " +
                "(the result would not be a finite number); use smaller factors.");
        }

        return new ChainObjective(prefix, prefix is null ? left : default, op, right, magnitude);
    }

    public override Tensor Compute(IActivationLookup activations)
    {
        using var scope = NewDisposeScope();
        (ChainOperand head, (ArithmeticOperator Op, ChainOperand Operand)[] steps) = Unroll();
        Tensor total;
        int first;
        if (head.Objective is { } start)
        {
            total = start.Compute(activations);
            first = 0;
        }
        else
        {
            // number op objective: the first operand after a leading number is always an objective.
            (ArithmeticOperator op, ChainOperand operand) = steps[0];
            Tensor value = operand.Objective!.Compute(activations);
            double c = head.Constant;
            total = op switch
            {
                ArithmeticOperator.Add => value.add(c),
                ArithmeticOperator.Subtract => value.neg().add_(c),
                ArithmeticOperator.Multiply => value.mul(c),
                _ => value.reciprocal().mul_(c),
            };
            first = 1;
        }

        for (int i = first; i < steps.Length; i++)
        {
            (ArithmeticOperator op, ChainOperand operand) = steps[i];
            if (operand.Objective is { } objective)
            {
                total = Apply(total, op, objective.Compute(activations));
            }
            else
            {
                double c = operand.Constant;
                total = op switch
                {
                    ArithmeticOperator.Add => total.add(c),
                    ArithmeticOperator.Subtract => total.sub(c),
                    ArithmeticOperator.Multiply => total.mul(c),
                    _ => total.div(c),
                };
            }
        }

        return total.MoveToOuterDisposeScope();
    }

    internal override void AppendName(StringBuilder text)
    {
        (ChainOperand head, (ArithmeticOperator Op, ChainOperand Operand)[] steps) = Unroll();
        AppendOperand(text, head, Precedence);
        foreach ((ArithmeticOperator op, ChainOperand operand) in steps)
        {
            var (symbol, precedence, commutative) = Describe(op);
            text.Append(' ').Append(symbol).Append(' ');
            AppendOperand(text, operand, commutative ? precedence : precedence + 1);
        }
    }

    internal override void CollectLeaves(List<Objective> leaves)
    {
        foreach (ChainOperand operand in Operands())
        {
            operand.Objective?.CollectLeaves(leaves);
        }
    }

    private static void AppendOperand(StringBuilder text, ChainOperand operand, int precedence)
    {
        if (operand.Objective is { } objective)
        {
            objective.AppendNameAt(text, precedence);
            return;
        }

        string number = ActivationChecks.FormatNumber(operand.Constant);
        text.Append(number.StartsWith('-') ? "(" + number + ")" : number);
    }

    private string BuildName()
    {
        var text = new StringBuilder();
        AppendName(text);
        return text.ToString();
    }

    private IEnumerable<ChainOperand> Operands()
    {
        (ChainOperand head, (ArithmeticOperator Op, ChainOperand Operand)[] steps) = Unroll();
        yield return head;
        foreach (var step in steps)
        {
            yield return step.Operand;
        }
    }

    /// <summary>The first operand and the operators and operands after it, in order, found by walking the chain back.</summary>
    private (ChainOperand Head, (ArithmeticOperator Op, ChainOperand Operand)[] Steps) Unroll()
    {
        var steps = new (ArithmeticOperator, ChainOperand)[_length];
        ChainObjective node = this;
        for (int i = _length - 1; ; i--)
        {
            steps[i] = (node._op, node._operand);
            if (node._prefix is null)
            {
                return (node._head, steps);
            }

            node = node._prefix;
        }
    }
}

/// <summary><c>-objective</c>.</summary>
internal sealed class NegatedObjective : Objective
{
    private readonly Objective _operand;
    private string? _name;

    public NegatedObjective(Objective operand)
    {
        _operand = operand;
    }

    public override string Name => _name ??= BuildName();

    public override string Description => ComposedDescription();

    public override IReadOnlyCollection<string> Layers => _operand.Layers;

    internal override int Precedence => UnaryPrecedence;

    internal override double ConstantMagnitude => _operand.ConstantMagnitude;

    public override Tensor Compute(IActivationLookup activations)
    {
        using var scope = NewDisposeScope();
        return _operand.Compute(activations).neg().MoveToOuterDisposeScope();
    }

    internal override void AppendName(StringBuilder text)
    {
        text.Append('-');
        _operand.AppendNameAt(text, UnaryPrecedence + 1);
    }

    internal override void CollectLeaves(List<Objective> leaves) => _operand.CollectLeaves(leaves);

    private string BuildName()
    {
        var text = new StringBuilder();
        AppendName(text);
        return text.ToString();
    }
}

/// <summary>The sum of several objectives.</summary>
internal sealed class SumObjective : Objective
{
    private readonly IReadOnlyList<Objective> _items;
    private string? _name;
    private IReadOnlyCollection<string>? _layers;

    public SumObjective(IReadOnlyList<Objective> items)
    {
        _items = items;
        double magnitude = 0;
        foreach (var item in items)
        {
            magnitude += item.ConstantMagnitude;
        }

        if (!double.IsFinite(magnitude))
        {
            throw new ArgumentOutOfRangeException(
                nameof(items), "The numbers in these objectives add up beyond the range of a double (the sum would not be a finite number); use smaller factors.");
        }

        ConstantMagnitude = magnitude;
    }

    public override string Name => _name ??= BuildName();

    public override string Description => ComposedDescription();

    public override IReadOnlyCollection<string> Layers => _layers ??= UnionLayers(_items);

    internal override int Precedence => AdditivePrecedence;

    internal override double ConstantMagnitude { get; }

    public override Tensor Compute(IActivationLookup activations)
    {
        using var scope = NewDisposeScope();
        Tensor total = _items[0].Compute(activations);
        for (int i = 1; i < _items.Count; i++)
        {
            total = total.add(_items[i].Compute(activations));
        }

        return total.MoveToOuterDisposeScope();
    }

    internal override void AppendName(StringBuilder text)
    {
        for (int i = 0; i < _items.Count; i++)
        {
            if (i > 0)
            {
                text.Append(" + ");
            }

            _items[i].AppendNameAt(text, AdditivePrecedence);
        }
    }

    internal override void CollectLeaves(List<Objective> leaves)
    {
        foreach (var item in _items)
        {
            item.CollectLeaves(leaves);
        }
    }

    private string BuildName()
    {
        var text = new StringBuilder();
        AppendName(text);
        return text.ToString();
    }
}

/// <summary>A user's <see cref="IObjective"/>, made usable in the algebra.</summary>
internal sealed class WrappedObjective(IObjective inner) : Objective
{
    public override string Name => inner.Name;

    public override string Description => inner.Description;

    public override IReadOnlyCollection<string> Layers => inner.Layers;

    public override Tensor Compute(IActivationLookup activations)
    {
        ArgumentNullException.ThrowIfNull(activations);
        using var scope = NewDisposeScope();
        Tensor loss = inner.Compute(activations) ?? throw new InvalidOperationException($"The objective '{Name}' returned null instead of a scalar loss tensor.");
        RequireScalar(loss, Name);
        return loss.MoveToOuterDisposeScope();
    }
}

/// <summary>
/// A leaf objective: a loss function of the lookup (a built-in's, or a user's from <see cref="Objective.FromDelegate(string, IEnumerable{string}, Func{IActivationLookup, Tensor}, string?)"/>),
/// optionally restricted to one batch element. The loss must be a scalar tensor.
/// </summary>
internal sealed class LayerObjective : Objective
{
    private readonly Func<IActivationLookup, Tensor> _compute;
    private readonly int? _batch;

    public LayerObjective(string name, string description, IReadOnlyCollection<string> layers, int? batch, Func<IActivationLookup, Tensor> compute)
    {
        Name = name;
        Description = description;
        Layers = layers;
        _batch = batch;
        _compute = compute;
    }

    public override string Name { get; }

    public override string Description { get; }

    public override IReadOnlyCollection<string> Layers { get; }

    /// <summary>
    /// The one channel this objective reads, on axis 1 of its one layer (channel and neuron objectives
    /// with the default view); null when it may read any.
    /// </summary>
    public int? AxisOneChannel { get; init; }

    public override Tensor Compute(IActivationLookup activations)
    {
        ArgumentNullException.ThrowIfNull(activations);
        using var scope = NewDisposeScope();
        IActivationLookup lookup = _batch is int batch ? activations.ForBatch(batch) : activations;
        Tensor loss = _compute(lookup) ?? throw new InvalidOperationException($"The objective '{Name}' returned null instead of a scalar loss tensor.");
        RequireScalar(loss, Name);
        return loss.MoveToOuterDisposeScope();
    }
}

/// <summary>
/// An objective on a class named rather than numbered: the name is looked up in the model's labels (the
/// lookup's <see cref="IClassLabels"/>) on the first step, and the objective for that index is built and reused.
/// </summary>
internal sealed class ClassNameObjective(string name, string description, string layer, string className, Func<int, Objective> build) : Objective
{
    private ClassLabels? _resolvedFrom;
    private Objective? _resolved;

    public override string Name => name;

    public override string Description => description;

    public override IReadOnlyCollection<string> Layers { get; } = [layer];

    public override Tensor Compute(IActivationLookup activations)
    {
        ArgumentNullException.ThrowIfNull(activations);
        var labels = (activations as IClassLabels)?.ClassLabels
            ?? throw new UnknownClassLabelException(
                className,
                $"The objective '{name}' names the class '{className}', but the model has no class names (it does not implement IClassLabels). Use the class index instead, or pass the labels: Objective.ClassLogit(\"{className}\", labels).");
        if (!ReferenceEquals(labels, _resolvedFrom) || _resolved is null)
        {
            _resolved = build(labels.IndexOf(className));
            _resolvedFrom = labels;
        }

        return _resolved.Compute(activations);
    }
}
