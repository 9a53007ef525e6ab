using Lucent.Net.Activations;
using Lucent.Net.Expressions;
using Lucent.Net.Objectives;
using Lucent.Net.Transforms;
using TorchSharp;
using static TorchSharp.torch;

using Lucent.Net.Tests.TestSupport;

namespace Lucent.Net.Tests.Expressions;

public sealed class ObjectiveExpressionTests : IDisposable
{
    private readonly FixedActivations activations = new();

    public void Dispose() => activations.Dispose();

    private double Value(string expression, ObjectiveFunctionRegistry? registry = null) =>
        activations.Loss(ObjectiveExpression.Parse(expression, registry));

    private double Value(Objective objective) => activations.Loss(objective);

    [Fact]
    public void Channel_call_equals_factory()
    {
        Value("channel(conv1, 3)").Should().BeApproximately(Value(Objective.Channel("conv1", 3)), 1e-6);
        ObjectiveExpression.Parse("channel(conv1, 3)").Name.Should().Be("channel(conv1, 3)");
    }

    [Fact]
    public void Shorthand_layer_colon_channel_is_channel()
    {
        var objective = ObjectiveExpression.Parse("conv2:7");
        objective.Name.Should().Be("channel(conv2, 7)");
        Value(objective).Should().BeApproximately(Value(Objective.Channel("conv2", 7)), 1e-6);
    }

    [Theory]
    [InlineData("conv1:1 + 2 * conv1:2", 1, 2)]
    [InlineData("(conv1:1 + 2) * conv1:2", 1, 2)]
    public void Precedence_multiplication_binds_tighter(string expression, int a, int b)
    {
        double ca = Value(Objective.Channel("conv1", a));
        double cb = Value(Objective.Channel("conv1", b));
        double expected = expression.StartsWith('(') ? (ca + 2) * cb : ca + (2 * cb);
        Value(expression).Should().BeApproximately(expected, 1e-5);
    }

    [Fact]
    public void Subtraction_and_division_are_left_associative()
    {
        double c1 = Value(Objective.Channel("conv1", 1));
        Value("conv1:1 - 1 - 2").Should().BeApproximately(c1 - 3, 1e-5);
        Value("conv1:1 / 2 / 4").Should().BeApproximately(c1 / 8, 1e-6);
        Value("8 / 2 / 2 * conv1:1").Should().BeApproximately(2 * c1, 1e-5);
    }

    [Fact]
    public void Unary_minus_and_number_folding()
    {
        double c1 = Value(Objective.Channel("conv1", 1));
        Value("-conv1:1").Should().BeApproximately(-c1, 1e-6);
        Value("--conv1:1").Should().BeApproximately(c1, 1e-6);
        Value("-(2 + 3) * conv1:1").Should().BeApproximately(-5 * c1, 1e-5);
        Value("conv1:1 * -2").Should().BeApproximately(-2 * c1, 1e-5);
        Value("1.5e1 * conv1:1").Should().BeApproximately(15 * c1, 1e-4);
        Value(".5 * conv1:1").Should().BeApproximately(0.5 * c1, 1e-6);
    }

    [Fact]
    public void Lucent_example_channel_minus_diversity()
    {
        var objective = ObjectiveExpression.Parse("channel(conv2, 5) - 100 * diversity(conv2)");
        Value(objective).Should().BeApproximately(Value(Objective.Channel("conv2", 5) - 100 * Objective.Diversity("conv2")), 1e-4);
        objective.Layers.Should().BeEquivalentTo(["conv2"]);
    }

    [Fact]
    public void Named_arguments_with_colon_and_equals()
    {
        double expected = Value(Objective.Neuron("conv1", 5, x: 3, y: 2));
        Value("neuron(conv1, 5, x: 3, y: 2)").Should().BeApproximately(expected, 1e-6);
        Value("neuron(conv1, 5, y=2, x=3)").Should().BeApproximately(expected, 1e-6);
        Value("neuron(layer: conv1, n_channel: 5, x: 3, y: 2)").Should().BeApproximately(expected, 1e-6);
        Value("neuron(conv1, channel=5, x=3, y=2)").Should().BeApproximately(expected, 1e-6);
    }

    [Fact]
    public void Batch_argument_selects_one_element()
    {
        Value("channel(conv1, 2, batch=1)").Should().BeApproximately(Value(Objective.Channel("conv1", 2, batch: 1)), 1e-6);
    }

    [Fact]
    public void List_literals_for_direction_and_weights()
    {
        float[] direction = [.. Enumerable.Range(0, 8).Select(i => (float)(i - 3.5) / 4)];
        string list = "[" + string.Join(", ", direction.Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "]";
        Value($"direction(conv1, {list})").Should().BeApproximately(Value(Objective.Direction("conv1", direction)), 1e-6);
        Value($"channel_weight(conv1, {list})").Should().BeApproximately(Value(Objective.ChannelWeight("conv1", direction)), 1e-6);
        Value($"direction(conv1, {list}, cossim_pow: 1)").Should().BeApproximately(Value(Objective.Direction("conv1", direction, cossimPow: 1)), 1e-5);
        Value("neuron_weight(conv1, None, x: 1, y: 1)").Should().BeApproximately(Value(Objective.NeuronWeight("conv1", (Tensor?)null, 1, 1)), 1e-6);
        Value("localgroup_weight(conv1, x: 1, y: 2, wx: 2, wy: 2)").Should().BeApproximately(Value(Objective.LocalGroupWeight("conv1", (Tensor?)null, 1, 2, 2, 2)), 1e-6);
    }

    [Fact]
    public void Sum_of_objectives()
    {
        double expected = Value(Objective.Channel("conv1", 0)) + Value(Objective.Channel("conv1", 1)) + Value(Objective.DeepDream("conv2"));
        Value("sum(conv1:0, conv1:1, deepdream(conv2))").Should().BeApproximately(expected, 1e-5);
    }

    [Fact]
    public void Every_builtin_parses_and_computes()
    {
        string[] expressions =
        [
            "channel(conv1, 0)", "neuron(conv2, 1)", "channel_weight(conv1, [1,0,0,0,0,0,0,1])", "neuron_weight(conv1, [1,1,1,1,1,1,1,1])",
            "localgroup_weight(conv1, None, 0, 0)", "direction(conv1, [1,2,3,4,5,6,7,8])", "direction_neuron(conv1, [1,2,3,4,5,6,7,8], x: 2)",
            "channel_interpolate(conv1, 0, conv2, 3)", "alignment(conv1)", "diversity(conv2)", "blur_input_each_step()",
            "penalize_boundary_complexity(w: 2, C: 0.3)", "l1()", "L1(input, 0.5)", "l2(conv1)", "total_variation()", "deepdream(conv1)", "class_logit(labels, 3)", "sum(conv1:0)",
        ];
        foreach (string expression in expressions)
        {
            double value = Value(expression);
            double.IsFinite(value).Should().BeTrue(expression);
        }

        ObjectiveFunctionRegistry.Default.Names.Should().Contain(
            ["channel", "neuron", "channel_weight", "neuron_weight", "localgroup_weight", "direction", "direction_neuron", "channel_interpolate",
             "alignment", "diversity", "blur_input_each_step", "blur_alpha_each_step", "penalize_boundary_complexity", "l1", "l2", "total_variation", "deepdream", "class_logit", "sum"]);
    }

    [Theory]
    [InlineData("channel(conv1, 3)")]
    [InlineData("neuron(conv1, 5, x=3, y=2)")]
    [InlineData("channel(conv2, 5) - 100 * diversity(conv2)")]
    [InlineData("-channel(conv1, 1) + 0.25 * deepdream(conv2) / 3")]
    [InlineData("2 - (conv1:1 - conv1:2)")]
    [InlineData("channel(conv1, 2, batch=1) * channel(conv2, 3)")]
    [InlineData("alignment(conv1, 3) + total_variation() + L2(input, 0.5) + L1()")]
    [InlineData("class_logit(labels, 4) - 1E-06 * l1()")]
    [InlineData("sum(conv1:0, conv1:1, conv1:2)")]
    [InlineData("channel_interpolate(conv1, 0, conv2, 3) + blur_input_each_step()")]
    [InlineData("localgroup_weight(conv1, None, x=1, y=2, wx=2, wy=2)")]
    public void Round_trip_name_parses_to_equal_valued_objective(string expression)
    {
        var first = ObjectiveExpression.Parse(expression);
        var second = ObjectiveExpression.Parse(first.Name);
        second.Name.Should().Be(first.Name);
        Value(second).Should().BeApproximately(Value(first), 1e-6);
    }

    [Fact]
    public void Round_trip_of_objectives_built_in_code()
    {
        Objective[] objectives =
        [
            Objective.Channel("conv1", 3) - 100 * Objective.Diversity("conv2"),
            -(Objective.Neuron("conv2", 2, 1, 1) * 0.5) + Objective.DeepDream("conv1"),
            Objective.L2(constant: 0.5) - Objective.TotalVariation() * 1e-3,
            Objective.Sum([Objective.Channel("conv1", 0), Objective.Channel("conv1", 1)]) / 4,
            2 / Objective.Channel("conv2", 0),
        ];
        foreach (var objective in objectives)
        {
            Value(ObjectiveExpression.Parse(objective.Name)).Should().BeApproximately(Value(objective), 1e-6, objective.Name);
        }
    }

    [Fact]
    public void Quoted_layer_names()
    {
        ObjectiveExpression.Parse("channel('features.0', 1)").Layers.Should().BeEquivalentTo(["features.0"]);
        ObjectiveExpression.Parse("channel(\"0\", 1)").Layers.Should().BeEquivalentTo(["0"]);
    }

    [Fact]
    public void Function_names_are_case_insensitive_layers_are_not()
    {
        ObjectiveExpression.Parse("CHANNEL(Conv1, 2)").Layers.Should().BeEquivalentTo(["Conv1"]);
    }

    [Fact]
    public void Missing_close_paren_reports_column_and_caret()
    {
        var act = () => ObjectiveExpression.Parse("channel(mixed4a, 5");
        var ex = act.Should().Throw<ObjectiveExpressionException>().Which;
        ex.Column.Should().Be(19);
        ex.Message.Should().StartWith("Expected ',' or ')' at column 19 in 'channel(mixed4a, 5'");
        ex.Message.Should().EndWith("\n  channel(mixed4a, 5\n                    ^");
        ex.Expected.Should().Be("',' or ')'");
    }

    [Theory]
    [InlineData("", 1, "The expression is empty")]
    [InlineData("channel(conv1, 3) +", 20, "Expected a number, a layer name")]
    [InlineData("channel(conv1 3)", 15, "Expected ',' or ')'")]
    [InlineData("channel(conv1, 3))", 18, "Expected an operator")]
    [InlineData("conv1:(2)", 7, "Expected a channel number or a class name")]
    [InlineData("conv1:1:2", 8, "Expected an operator")]
    [InlineData("channel(conv1, 3) # 2", 19, "Unexpected character '#'")]
    [InlineData("direction(conv1, [1, 2)", 23, "Expected ',' or ']'")]
    [InlineData("channel('conv1, 3)", 9, "Unterminated string")]
    [InlineData("3 * 4", 1, "The expression is a number (12)")]
    [InlineData("conv1 + 1", 1, "'conv1' is a name, not an objective")]
    [InlineData("channel(conv1, 1) / 0", 19, "Cannot apply '/'")]
    public void Syntax_errors_name_the_column(string expression, int column, string start)
    {
        var ex = FluentActions.Invoking(() => ObjectiveExpression.Parse(expression)).Should().Throw<ObjectiveExpressionException>().Which;
        ex.Column.Should().Be(column, ex.Message);
        ex.Message.Should().StartWith(start);
        ex.Message.Should().Contain(FormattableString.Invariant($"at column {column} in '{expression}'"));
        ex.Message.Split('\n')[^1].Should().Be(new string(' ', column + 1) + "^");
    }

    [Fact]
    public void Unknown_function_lists_known_ones_closest_first()
    {
        var ex = FluentActions.Invoking(() => ObjectiveExpression.Parse("1 + chanel(conv1, 3)")).Should().Throw<ObjectiveExpressionException>().Which;
        ex.Column.Should().Be(5);
        ex.Message.Should().StartWith("Unknown objective function 'chanel' at column 5");
        ex.Message.Should().Contain("Known functions (closest first): channel, ");
        ex.Message.Should().Contain("total_variation");
    }

    [Theory]
    [InlineData("channel(conv1)", 1, "Missing argument 'n_channel' of channel")]
    [InlineData("channel(conv1, 1, 0, patch, nhwc, 4)", 35, "Too many arguments: channel takes at most 5")]
    [InlineData("neuron(conv1, 1, z=3)", 18, "neuron has no parameter 'z'")]
    [InlineData("neuron(conv1, 1, x=3, x=4)", 23, "The argument 'x' of neuron is given twice")]
    [InlineData("channel(conv1, n_channel=1, 2)", 29, "A positional argument cannot follow a named one")]
    [InlineData("channel(conv1, 1.5)", 16, "Argument 'n_channel' of channel must be a whole number")]
    [InlineData("channel(3, 1)", 9, "Argument 'layer' of channel must be a layer name")]
    [InlineData("direction(conv1, 3)", 18, "Argument 'direction' of direction must be a list of numbers")]
    [InlineData("sum(conv1, conv1:1)", 5, "Argument '#1' of sum must be an objective")]
    [InlineData("channel(conv1, -1)", 1, "channel rejected its arguments")]
    [InlineData("sum(conv1:1, weight=2)", 14, "sum has no argument 'weight'")]
    [InlineData("sum()", 1, "sum rejected its arguments (sum needs at least one objective, e.g. sum(mixed4a:0, mixed4a:1).)")]
    [InlineData("class_logit(labels, -1)", 1, "class_logit rejected its arguments")]
    [InlineData("direction(conv1, [8 values])", 21, "Expected ',' or ']'")]
    public void Argument_errors_name_the_column(string expression, int column, string start)
    {
        var ex = FluentActions.Invoking(() => ObjectiveExpression.Parse(expression)).Should().Throw<ObjectiveExpressionException>().Which;
        ex.Message.Should().StartWith(start);
        ex.Column.Should().Be(column, ex.Message);
    }

    [Fact]
    public void Plugin_with_declared_parameters_is_usable_by_name()
    {
        var registry = new ObjectiveFunctionRegistry();
        registry.Register("center_channel", ["layer", "n_channel", "scale?"], a =>
        {
            string layer = a.GetLayer("layer");
            int channel = a.GetInt32("n_channel");
            double scale = a.GetOptionalDouble("scale") ?? 1;
            return Objective.FromDelegate(
                FormattableString.Invariant($"center_channel({layer}, {channel}, scale={scale})"),
                [layer],
                acts => acts[layer].select(1, channel).mean().neg().mul(scale));
        });

        double channel = Value(Objective.Channel("conv1", 2));
        Value("center_channel(conv1, 2)", registry).Should().BeApproximately(channel, 1e-6);
        Value("center_channel(conv1, 2, scale: 3) - conv1:2", registry).Should().BeApproximately(2 * channel, 1e-5);
        var roundTrip = ObjectiveExpression.Parse(ObjectiveExpression.Parse("center_channel(conv1, 2, scale: 3)", registry).Name, registry);
        Value(roundTrip).Should().BeApproximately(3 * channel, 1e-5);
        FluentActions.Invoking(() => ObjectiveExpression.Parse("center_channel(conv1, 2)"))
            .Should().Throw<ObjectiveExpressionException>().WithMessage("Unknown objective function 'center_channel'*");
    }

    [Fact]
    public void Plugin_from_IObjective_class_with_any_arguments()
    {
        var registry = new ObjectiveFunctionRegistry();
        registry.Register("mean_of", a => Objective.From(new MeanOf(a.GetLayer(0))));
        Value("mean_of(conv2) * 2", registry).Should().BeApproximately(2 * -activations["conv2"].mean().ToDouble(), 1e-5);
    }

    [Fact]
    public void Objective_plugins_have_the_shared_getters_of_the_call_syntax()
    {
        var registry = new ObjectiveFunctionRegistry()
            .Register("scaled", ["layer", "mode", "flip?", "weights?"], a =>
            {
                double sign = a.GetOptionalBoolean("flip") == true ? -1 : 1;
                double scale = a.GetEnum<PadMode>("mode") == PadMode.Constant ? 2 : 1;
                double sum = a.GetOptionalDoubles("weights")?.Sum() ?? 1;
                return Objective.Channel(a.GetLayer("layer"), 0) * (sign * scale * sum);
            });
        double c0 = Value(Objective.Channel("conv1", 0));
        Value("scaled(conv1, constant, flip=true, weights=[1, 2])", registry).Should().BeApproximately(-6 * c0, 1e-5);
        Value("scaled(conv1, mode: reflect)", registry).Should().BeApproximately(c0, 1e-6);
        FluentActions.Invoking(() => ObjectiveExpression.Parse("scaled(conv1, 3)", registry)).Should().Throw<ObjectiveExpressionException>()
            .WithMessage("Argument 'mode' of scaled must be one of reflect, constant, replicate, circular, but got the number 3 at column 15*");
        ObjectiveExpression.Parse("class_logit(labels, 'tabby cat')").Name.Should().Be(Objective.ClassLogit("tabby cat").Name);
    }

    [Fact]
    public void Registry_rules_duplicates_and_read_only_default()
    {
        var registry = new ObjectiveFunctionRegistry();
        FluentActions.Invoking(() => registry.Register("channel", a => Objective.DeepDream(a.GetLayer(0))))
            .Should().Throw<ArgumentException>().WithMessage("*'channel' is already registered*replace: true*");
        registry.Register(ObjectiveFunction.WithAnyArguments("channel", a => Objective.DeepDream(a.GetLayer(0))), replace: true);
        Value("channel(conv1)", registry).Should().BeApproximately(Value(Objective.DeepDream("conv1")), 1e-6);
        FluentActions.Invoking(() => ObjectiveFunctionRegistry.Default.Register("x", a => Objective.DeepDream("y")))
            .Should().Throw<InvalidOperationException>().WithMessage("*read-only*");
        FluentActions.Invoking(() => registry.Register("bad name", a => Objective.DeepDream("y")))
            .Should().Throw<ArgumentException>().WithMessage("*not a valid function or parameter name*");
        new ObjectiveFunctionRegistry(includeBuiltIns: false).Names.Should().BeEmpty();
        ObjectiveFunctionRegistry.Default.Clone().IsReadOnly.Should().BeFalse();
    }

    [Fact]
    public void TryParse_reports_error_without_throwing()
    {
        ObjectiveExpression.TryParse("conv1:3", out var objective, out var error).Should().BeTrue();
        objective!.Name.Should().Be("channel(conv1, 3)");
        error.Should().BeNull();
        ObjectiveExpression.TryParse("conv1:", out objective, out error).Should().BeFalse();
        objective.Should().BeNull();
        error!.Column.Should().Be(7);
    }

    [Fact]
    public void Deep_nesting_is_refused_not_overflowing()
    {
        string deep = new string('(', 500) + "conv1:1" + new string(')', 500);
        FluentActions.Invoking(() => ObjectiveExpression.Parse(deep))
            .Should().Throw<ObjectiveExpressionException>().WithMessage("The expression is nested more than 100 levels deep*");
    }

    private sealed class MeanOf(string layer) : IObjective
    {
        public string Name => $"mean_of({layer})";

        public string Description => "Minus the mean of a layer.";

        public IReadOnlyCollection<string> Layers => [layer];

        public Tensor Compute(IActivationLookup activations) => activations[layer].mean().neg();
    }
}
