using static TorchSharp.torch;

namespace Lucent.Net.Objectives;

/// <summary><c>left op right</c> for two objectives.</summary>
internal sealed class BinaryObjective : Objective
{
    private readonly Objective _left;
    private readonly Objective _right;
    private readonly ArithmeticOperator _op;

    public BinaryObjective(Objective left, ArithmeticOperator op, Objective right)
    {
        _left = left;
        _right = right;
        _op = op;
        var (symbol, precedence, commutative) = Describe(op);
        Name = $"{left.NameAt(precedence)} {symbol} {right.NameAt(commutative ? precedence : precedence + 1)}";
        Layers = UnionLayers([left, right]);
        Precedence = precedence;
    }

    public override string Name { get; }

    public override string Description => ComposedDescription();

    public override IReadOnlyCollection<string> Layers { get; }

    internal override int Precedence { get; }

    public override Tensor Compute(IActivationLookup activations)
    {
        using var scope = NewDisposeScope();
        Tensor left = _left.Compute(activations);
        Tensor right = _right.Compute(activations);
        return Apply(left, _op, right).MoveToOuterDisposeScope();
    }

    internal override void CollectLeaves(List<Objective> leaves)
    {
        _left.CollectLeaves(leaves);
        _right.CollectLeaves(leaves);
    }
}

/// <summary><c>objective op number</c> or <c>number op objective</c>.</summary>
internal sealed class ScalarObjective : Objective
{
    private readonly Objective _operand;
    private readonly ArithmeticOperator _op;
    private readonly double _scalar;
    private readonly bool _scalarFirst;

    public ScalarObjective(Objective operand, ArithmeticOperator op, double scalar, bool scalarFirst)
    {
        _operand = operand;
        _op = op;
        _scalar = scalar;
        _scalarFirst = scalarFirst;
        var (symbol, precedence, commutative) = Describe(op);
        string number = ActivationChecks.FormatNumber(scalar);
        if (number.StartsWith('-'))
        {
            number = "(" + number + ")";
        }

        Name = scalarFirst
            ? $"{number} {symbol} {operand.NameAt(commutative ? precedence : precedence + 1)}"
            : $"{operand.NameAt(precedence)} {symbol} {number}";

        Layers = operand.Layers;
        Precedence = precedence;
    }

    public override string Name { get; }

    public override string Description => ComposedDescription();

    public override IReadOnlyCollection<string> Layers { get; }

    internal override int Precedence { get; }

    public override Tensor Compute(IActivationLookup activations)
    {
        using var scope = NewDisposeScope();
        Tensor value = _operand.Compute(activations);
        Tensor result = (_op, _scalarFirst) switch
        {
            (ArithmeticOperator.Add, _) => value.add(_scalar),
            (ArithmeticOperator.Subtract, false) => value.sub(_scalar),
            (ArithmeticOperator.Subtract, true) => value.neg().add_(_scalar),
            (ArithmeticOperator.Multiply, _) => value.mul(_scalar),
            (ArithmeticOperator.Divide, false) => value.div(_scalar),
            _ => value.reciprocal().mul_(_scalar),
        };
        return result.MoveToOuterDisposeScope();
    }

    internal override void CollectLeaves(List<Objective> leaves) => _operand.CollectLeaves(leaves);
}

/// <summary><c>-objective</c>.</summary>
internal sealed class NegatedObjective : Objective
{
    private readonly Objective _operand;

    public NegatedObjective(Objective operand)
    {
        _operand = operand;
        Name = "-" + operand.NameAt(UnaryPrecedence + 1);
        Layers = operand.Layers;
    }

    public override string Name { get; }

    public override string Description => ComposedDescription();

    public override IReadOnlyCollection<string> Layers { get; }

    internal override int Precedence => UnaryPrecedence;

    public override Tensor Compute(IActivationLookup activations)
    {
        using var scope = NewDisposeScope();
        return _operand.Compute(activations).neg().MoveToOuterDisposeScope();
    }

    internal override void CollectLeaves(List<Objective> leaves) => _operand.CollectLeaves(leaves);
}

/// <summary>The sum of several objectives.</summary>
internal sealed class SumObjective : Objective
{
    private readonly IReadOnlyList<Objective> _items;

    public SumObjective(IReadOnlyList<Objective> items)
    {
        _items = items;
        Name = string.Join(" + ", items.Select(i => i.NameAt(AdditivePrecedence)));
        Layers = UnionLayers(items);
    }

    public override string Name { get; }

    public override string Description => ComposedDescription();

    public override IReadOnlyCollection<string> Layers { get; }

    internal override int Precedence => AdditivePrecedence;

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

    internal override void CollectLeaves(List<Objective> leaves)
    {
        foreach (var item in _items)
        {
            item.CollectLeaves(leaves);
        }
    }
}

/// <summary>A user's loss function.</summary>
internal sealed class DelegateObjective : Objective
{
    private readonly Func<IActivationLookup, Tensor> _compute;

    public DelegateObjective(string name, string description, IEnumerable<string> layers, Func<IActivationLookup, Tensor> compute)
    {
        Name = name;
        Description = description;
        Layers = layers.Distinct(StringComparer.Ordinal).ToList().AsReadOnly();
        _compute = compute;
    }

    public override string Name { get; }

    public override string Description { get; }

    public override IReadOnlyCollection<string> Layers { get; }

    public override Tensor Compute(IActivationLookup activations)
    {
        ArgumentNullException.ThrowIfNull(activations);
        using var scope = NewDisposeScope();
        Tensor loss = _compute(activations) ?? throw new InvalidOperationException($"The objective '{Name}' returned null instead of a scalar loss tensor.");
        RequireScalar(loss, Name);
        return loss.MoveToOuterDisposeScope();
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
/// A built-in objective: a loss function of the lookup, optionally restricted to one batch element.
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

    public override Tensor Compute(IActivationLookup activations)
    {
        ArgumentNullException.ThrowIfNull(activations);
        using var scope = NewDisposeScope();
        IActivationLookup lookup = _batch is int batch ? activations.ForBatch(batch) : activations;
        return _compute(lookup).MoveToOuterDisposeScope();
    }
}
