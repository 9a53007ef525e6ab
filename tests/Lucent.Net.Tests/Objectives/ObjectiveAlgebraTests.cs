using Lucent.Net.Activations;
using Lucent.Net.Expressions;
using Lucent.Net.Objectives;
using static Lucent.Net.Objectives.Objective;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Objectives;

/// <summary>The algebra, names, descriptions, parsing and plug-in points of <see cref="Objective"/>.</summary>
public class ObjectiveAlgebraTests
{
    private const double Tolerance = 1e-4;

    private static readonly Tensor Acts = T.Range(2, 3, 2, 2);

    private static DictionaryLookup Lookup => new("l", Acts);

    private static double Value(Objective o) => T.Compute(o, Lookup);

    [Fact]
    public void Algebra_matches_the_formula_built_from_the_parts()
    {
        var a = Channel("l", 0);
        var b = Channel("l", 1);
        var c = DeepDream("l");
        double va = Value(a);
        double vb = Value(b);
        double vc = Value(c);

        Value(a + (2 * b) - (c / 4)).Should().BeApproximately(va + (2 * vb) - (vc / 4), Tolerance);
        Value(a * b).Should().BeApproximately(va * vb, Tolerance);
        Value(a / b).Should().BeApproximately(va / vb, Tolerance);
        Value(-a).Should().BeApproximately(-va, Tolerance);
        Value(a - b).Should().BeApproximately(va - vb, Tolerance);
        Value(3 - a).Should().BeApproximately(3 - va, Tolerance);
        Value(a - 3).Should().BeApproximately(va - 3, Tolerance);
        Value(1 + a).Should().BeApproximately(1 + va, Tolerance);
        Value(a + 1).Should().BeApproximately(va + 1, Tolerance);
        Value(a * 0.5).Should().BeApproximately(va * 0.5, Tolerance);
        Value(6 / a).Should().BeApproximately(6 / va, Tolerance);
        Value(a.Add(b).Subtract(1).Multiply(c).Divide(2).Negate()).Should().BeApproximately(-((va + vb - 1) * vc / 2), Tolerance);
        Value(Objective.Sum([a, b, c])).Should().BeApproximately(va + vb + vc, Tolerance);
    }

    [Fact]
    public void Gradients_flow_through_composed_objectives()
    {
        using var acts = T.Range(1, 2, 1, 1).requires_grad_();
        var objective = Channel("l", 0) - (3 * Channel("l", 1));
        using var loss = objective.Compute(new DictionaryLookup("l", acts));
        loss.backward();
        T.Values(acts.grad!).Should().Equal(-1f, 3f);
    }

    [Fact]
    public void Names_compose_into_the_expression()
    {
        var channel = Channel("mixed4a", 5);
        var diversity = Diversity("mixed4a");
        (channel - (100 * diversity)).Name.Should().Be("channel(mixed4a, 5) - 100 * diversity(mixed4a)");
        (2 * (channel + diversity)).Name.Should().Be("2 * (channel(mixed4a, 5) + diversity(mixed4a))");
        (channel - (channel - diversity)).Name.Should().Be("channel(mixed4a, 5) - (channel(mixed4a, 5) - diversity(mixed4a))");
        (channel - channel - diversity).Name.Should().Be("channel(mixed4a, 5) - channel(mixed4a, 5) - diversity(mixed4a)");
        (-(channel + diversity)).Name.Should().Be("-(channel(mixed4a, 5) + diversity(mixed4a))");
        (-channel).Name.Should().Be("-channel(mixed4a, 5)");
        (channel / 4).Name.Should().Be("channel(mixed4a, 5) / 4");
        (channel * -0.5).Name.Should().Be("channel(mixed4a, 5) * (-0.5)");
        (channel / (diversity * 2)).Name.Should().Be("channel(mixed4a, 5) / (diversity(mixed4a) * 2)");
        (channel * diversity).ToString().Should().Be("channel(mixed4a, 5) * diversity(mixed4a)");
        Objective.Sum([channel, diversity, L1()]).Name.Should().Be("channel(mixed4a, 5) + diversity(mixed4a) + L1(input)");
    }

    [Fact]
    public void Built_in_names_show_their_arguments()
    {
        Channel("mixed4a", 5, batch: 1).Name.Should().Be("channel(mixed4a, 5, batch=1)");
        Neuron("mixed4a", 5).Name.Should().Be("neuron(mixed4a, 5)");
        Neuron("mixed4a", 5, x: 3, y: 4).Name.Should().Be("neuron(mixed4a, 5, x=3, y=4)");
        ChannelWeight("mixed4a", [1f, 2f]).Name.Should().Be("channel_weight(mixed4a, [2 weights])");
        Direction("mixed4c", [1f, 2f, 3f]).Name.Should().Be("direction(mixed4c, [3 values])");
        ChannelInterpolate("mixed4a", 1, "mixed4b", 2).Name.Should().Be("channel_interpolate(mixed4a, 1, mixed4b, 2)");
        Alignment("mixed4a").Name.Should().Be("alignment(mixed4a)");
        BlurInputEachStep().Name.Should().Be("blur_input_each_step()");
        ClassLogit(7).Name.Should().Be("class_logit(labels, 7)");
    }

    [Fact]
    public void Descriptions_explain_each_part_of_a_composed_objective()
    {
        var objective = Channel("mixed4a", 5) - (100 * Diversity("mixed4a")) + (0.5 * Channel("mixed4a", 5));
        string description = objective.Description;
        description.Should().StartWith(objective.Name + ", where");
        description.Should().Contain("channel(mixed4a, 5): Minus the mean activation of channel 5 of layer 'mixed4a'");
        description.Should().Contain("diversity(mixed4a): Minus the summed cosine similarity");
        description.Split('\n').Should().HaveCount(3, "each distinct part is explained once");
        Channel("mixed4a", 5, batch: 2).Description.Should().EndWith("Reads only batch element 2.");
    }

    [Fact]
    public void Layers_are_the_union_of_the_operands_layers()
    {
        var objective = Channel("a", 0) + (2 * Channel("b", 1)) - Diversity("a") + ChannelInterpolate("c", 0, "a", 1) + BlurInputEachStep();
        objective.Layers.Should().Equal("a", "b", "c", IActivationLookup.Input);
    }

    [Fact]
    public void Sum_of_one_objective_is_that_objective_and_of_none_is_an_error()
    {
        var a = Channel("l", 0);
        Objective.Sum([a]).Should().BeSameAs(a);
        FluentActions.Invoking(() => Objective.Sum([])).Should().Throw<ArgumentException>().WithMessage("*at least one*");
    }

    [Fact]
    public void Dividing_by_zero_or_combining_with_non_finite_numbers_is_refused()
    {
        var a = Channel("l", 0);
        FluentActions.Invoking(() => a / 0).Should().Throw<DivideByZeroException>().WithMessage("*channel(l, 0)*zero*");
        FluentActions.Invoking(() => a * double.NaN).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*finite*");
    }

#pragma warning disable CS0618 // Objective.Parse is obsolete (ObjectiveExpression.Parse is the one text reader); it keeps working until removed.
    [Fact]
    public void Parse_turns_layer_colon_channel_into_a_channel_objective()
    {
        var parsed = Objective.Parse("mixed4a:5");
        parsed.Name.Should().Be("channel(mixed4a, 5)");
        Objective.Parse(" conv2 : 3 ").Name.Should().Be("channel(conv2, 3)");
        T.Compute(Objective.Parse("l:1"), Lookup).Should().BeApproximately(Value(Channel("l", 1)), Tolerance);
        Objective.TryParse("l:2", out var ok).Should().BeTrue();
        ok!.Name.Should().Be("channel(l, 2)");
    }

    [Theory]
    [InlineData("mixed4a")]
    [InlineData("mixed4a:")]
    [InlineData(":5")]
    [InlineData("mixed4a:5five")]
    [InlineData("mixed4a:-1")]
    [InlineData("")]
    public void Parse_rejects_other_text_with_the_expected_form(string text)
    {
        FluentActions.Invoking(() => Objective.Parse(text)).Should().Throw<FormatException>()
            .WithMessage($"*'{text}'*expected the form 'layer:channel'*");
        Objective.TryParse(text, out var result).Should().BeFalse();
        result.Should().BeNull();
    }

    [Theory]
    [InlineData("mixed4a:5")]
    [InlineData(" conv2 : 3 ")]
    [InlineData("labels:tabby")]
    public void The_obsolete_Parse_and_the_expression_reader_agree_on_the_short_form(string text) =>
        ObjectiveExpression.Parse(text).Name.Should().Be(Objective.Parse(text).Name);
#pragma warning restore CS0618

    [Fact]
    public void From_passes_an_objective_through_and_wraps_any_other_IObjective()
    {
        var channel = Channel("l", 0);
        Objective.From(channel).Should().BeSameAs(channel);

        var custom = new MeanSquareObjective("l");
        var wrapped = Objective.From(custom);
        wrapped.Name.Should().Be("mean_square(l)");
        wrapped.Description.Should().Be("Mean square of l.");
        wrapped.Layers.Should().Equal("l");
        double square = T.Values(Acts).Select(v => (double)v * v).Average();
        Value(wrapped - channel).Should().BeApproximately(square - Value(channel), 1e-2);
    }

    [Fact]
    public void FromDelegate_plugs_in_a_lambda()
    {
        var objective = Objective.FromDelegate("max(l)", ["l"], a => a["l"].max().neg(), "Minus the largest activation of l.");
        objective.Layers.Should().Equal("l");
        objective.Description.Should().Be("Minus the largest activation of l.");
        Value(objective).Should().BeApproximately(-23, Tolerance);
        (objective + Channel("l", 0)).Name.Should().Be("max(l) + channel(l, 0)");
    }

    [Fact]
    public void A_plugin_that_returns_a_non_scalar_is_reported()
    {
        var objective = Objective.FromDelegate("raw(l)", ["l"], a => a["l"].mul(1));
        FluentActions.Invoking(() => Value(objective)).Should().Throw<InvalidOperationException>()
            .WithMessage("*'raw(l)'*shape [2, 3, 2, 2]*scalar*");
    }

    [Fact]
    public void A_class_derived_from_Objective_joins_the_algebra()
    {
        var derived = new SumOfLayer("l");
        var objective = Channel("l", 0) + (derived / 2);
        objective.Name.Should().Be("channel(l, 0) + sum(l) / 2");
        objective.Layers.Should().Equal("l");
        Value(objective).Should().BeApproximately(Value(Channel("l", 0)) + (T.Values(Acts).Sum() / 2), 1e-2);
    }

    private sealed class SumOfLayer(string layer) : Objective
    {
        public override string Name => $"sum({layer})";

        public override IReadOnlyCollection<string> Layers => [layer];

        public override Tensor Compute(IActivationLookup activations) => activations[layer].sum();
    }

    private sealed class MeanSquareObjective(string layer) : IObjective
    {
        public string Name => $"mean_square({layer})";

        public string Description => $"Mean square of {layer}.";

        public IReadOnlyCollection<string> Layers => [layer];

        public Tensor Compute(IActivationLookup activations) => activations[layer].square().mean();
    }
}
