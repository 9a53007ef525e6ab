using Lucent.Net.Activations;
using Lucent.Net.Expressions;
using Lucent.Net.Objectives;
using static Lucent.Net.Objectives.Objective;

namespace Lucent.Net.Tests.Objectives;

/// <summary>
/// The channel-reading objectives on token layers (batch, tokens, features) and channels-last grids,
/// pinned by hand-computed values on small tensors. <c>T.Range(1, 5, 2)</c> is 5 tokens (5 = 2² + 1,
/// so token 0 is the class token) whose token k holds features (2k, 2k + 1).
/// </summary>
public sealed class TokenObjectiveTests
{
    private const double Tolerance = 1e-4;

    [Fact]
    public void Channel_on_a_token_layer_is_a_feature_averaged_over_the_patch_tokens()
    {
        using var acts = T.Range(1, 5, 2);
        T.Compute(Channel("l", 1), "l", acts).Should().BeApproximately(-6, Tolerance, "feature 1 of tokens 1..4 is 3, 5, 7, 9");
        T.Compute(Channel("l", 1, tokens: TokenSelection.Patch), "l", acts).Should().BeApproximately(-6, Tolerance);
        T.Compute(Channel("l", 1, tokens: TokenSelection.All), "l", acts).Should().BeApproximately(-5, Tolerance, "1, 3, 5, 7, 9");
        T.Compute(Channel("l", 1, tokens: TokenSelection.Cls), "l", acts).Should().BeApproximately(-1, Tolerance, "the class token's feature 1");
    }

    [Fact]
    public void Channel_on_a_square_number_of_tokens_reads_every_token_unless_told_otherwise()
    {
        using var acts = T.Range(1, 4, 2); // 4 = 2²: no class token by shape
        T.Compute(Channel("l", 0), "l", acts).Should().BeApproximately(-3, Tolerance, "0, 2, 4, 6");
        T.Compute(Channel("l", 0, tokens: TokenSelection.Patch), "l", acts).Should().BeApproximately(-4, Tolerance, "2, 4, 6");
    }

    [Fact]
    public void Channel_on_a_token_layer_averages_over_the_batch_and_reads_one_element_with_batch()
    {
        using var acts = T.Range(2, 5, 2); // batch 1 starts at 10
        T.Compute(Channel("l", 0), "l", acts).Should().BeApproximately(-10, Tolerance, "2, 4, 6, 8 and 12, 14, 16, 18");
        T.Compute(Channel("l", 0, batch: 1), "l", acts).Should().BeApproximately(-15, Tolerance);
    }

    [Fact]
    public void Layout_nchw_keeps_the_channels_first_reading_of_a_rank_three_layer()
    {
        using var acts = T.Range(1, 3, 2); // read as (batch, channels, length): channel 1 is 2, 3
        T.Compute(Channel("l", 1, layout: ActivationLayout.Nchw), "l", acts).Should().BeApproximately(-2.5, Tolerance);
    }

    [Fact]
    public void Neuron_on_a_token_layer_reads_one_token_by_default_the_centre_patch_token()
    {
        using var acts = T.Range(1, 5, 2); // a 2 x 2 grid after the class token: centre row 1, column 1 = token 1 + 3 = 4
        T.Compute(Neuron("l", 0), "l", acts).Should().BeApproximately(-8, Tolerance);
        T.Compute(Neuron("l", 1, x: 0), "l", acts).Should().BeApproximately(-1, Tolerance, "x = 0 is the class token");
        T.Compute(Neuron("l", 1, x: 2), "l", acts).Should().BeApproximately(-5, Tolerance);

        using var nine = T.Range(1, 10, 3); // class token + 3 x 3 grid: centre = 1 + 1*3 + 1 = token 5
        T.Compute(Neuron("l", 2), "l", nine).Should().BeApproximately(-17, Tolerance);

        using var six = T.Range(1, 6, 1); // neither s² nor s² + 1: the middle token, 3
        T.Compute(Neuron("l", 0), "l", six).Should().BeApproximately(-3, Tolerance);
    }

    [Fact]
    public void Direction_on_a_token_layer_is_the_cosine_over_features_per_token()
    {
        // tokens (3, 4), (1, 0), (0, 2); 3 tokens: no class token by shape; cosines with (1, 0): 0.6, 1, 0
        using var acts = T.Of([3, 4, 1, 0, 0, 2], 1, 3, 2);
        T.Compute(Direction("l", [1f, 0f]), "l", acts).Should().BeApproximately(-1.6 / 3, Tolerance);
        T.Compute(Direction("l", [1f, 0f], tokens: TokenSelection.Cls), "l", acts).Should().BeApproximately(-0.6, Tolerance);
        T.Compute(Direction("l", [1f, 0f], tokens: TokenSelection.Patch), "l", acts).Should().BeApproximately(-0.5, Tolerance);
        T.Compute(Direction("l", [2f, 0f], cossimPow: 0), "l", acts).Should().BeApproximately(-8.0 / 3, Tolerance, "dot products 6, 2, 0");
    }

    [Fact]
    public void DirectionNeuron_on_a_token_layer_reads_one_token()
    {
        using var acts = T.Of([3, 4, 1, 0, 0, 2], 1, 3, 2);
        T.Compute(DirectionNeuron("l", [1f, 0f]), "l", acts).Should().BeApproximately(-1, Tolerance, "the middle token (1, 0)");
        T.Compute(DirectionNeuron("l", [1f, 0f], x: 0), "l", acts).Should().BeApproximately(-0.6, Tolerance);
        T.Compute(DirectionNeuron("l", [0f, 1f], x: 0), "l", acts).Should().BeApproximately(-0.8, Tolerance);
        T.Compute(DirectionNeuron("l", [1f, 0f], x: 2), "l", acts).Should().BeApproximately(0, Tolerance);
    }

    [Fact]
    public void ChannelInterpolate_on_token_layers_weights_features_over_the_patch_tokens()
    {
        using var a = T.Range(2, 5, 1); // patch means: 2.5 (batch 0), 7.5 (batch 1)
        using var b0 = T.Range(2, 5, 1);
        using var b = b0.add(100); // patch means: 102.5, 107.5
        var lookup = new DictionaryLookup(new Dictionary<string, TorchSharp.torch.Tensor> { ["a"] = a, ["b"] = b });
        T.Compute(ChannelInterpolate("a", 0, "b", 0), lookup).Should().BeApproximately(-(2.5 + 107.5), Tolerance);
        T.Compute(ChannelInterpolate("a", 0, "b", 0, tokens: TokenSelection.All), lookup).Should().BeApproximately(-(2 + 107), Tolerance);
    }

    [Fact]
    public void Alignment_on_a_token_layer_compares_the_selected_tokens()
    {
        using var acts = T.Of([0, 0, 0, 0, 0, 4, 1, 1, 1, 1], 2, 5, 1);
        T.Compute(Alignment("l"), "l", acts).Should().BeApproximately(0.5, Tolerance, "patch differences 1, mean 1, over 2");
        T.Compute(Alignment("l", tokens: TokenSelection.All), "l", acts).Should().BeApproximately(2, Tolerance, "(16 + 4) / 5 / 2");
        T.Compute(Alignment("l", tokens: TokenSelection.Cls), "l", acts).Should().BeApproximately(8, Tolerance);
    }

    [Fact]
    public void Diversity_on_a_token_layer_compares_feature_by_feature_gram_matrices()
    {
        // batch 0 tokens (1, 0), (0, 2), (0, 0): Gram diag(1, 4); batch 1 tokens (1, 1), 0, 0: Gram all ones.
        // cosine = (1 + 4) * 0.5 / sqrt(17); two ordered pairs over a batch of 2.
        using var acts = T.Of([1, 0, 0, 2, 0, 0, 1, 1, 0, 0, 0, 0], 2, 3, 2);
        T.Compute(Diversity("l"), "l", acts).Should().BeApproximately(-2.5 / Math.Sqrt(17), Tolerance);
        T.Compute(Diversity("l", layout: ActivationLayout.Nchw), "l", acts).Should().BeApproximately(-1 / Math.Sqrt(17), Tolerance, "token by token Gram matrices when read channels first");
    }

    [Fact]
    public void Layout_nhwc_reads_channels_on_the_last_axis_of_a_grid()
    {
        using var acts = T.Range(1, 2, 2, 3); // (batch, height, width, channels): (h*2 + w)*3 + c
        T.Compute(Channel("l", 1, layout: ActivationLayout.Nhwc), "l", acts).Should().BeApproximately(-5.5, Tolerance, "1, 4, 7, 10");
        T.Compute(Channel("l", 1), "l", acts).Should().BeApproximately(-8.5, Tolerance, "read as NCHW by default: 6..11");
        T.Compute(Neuron("l", 2, layout: ActivationLayout.Nhwc), "l", acts).Should().BeApproximately(-11, Tolerance, "centre y = 1, x = 1");
        T.Compute(Neuron("l", 0, x: 0, y: 1, layout: ActivationLayout.Nhwc), "l", acts).Should().BeApproximately(-6, Tolerance);
        T.Compute(Direction("l", [0f, 0f, 1f], layout: ActivationLayout.Nhwc, cossimPow: 0), "l", acts).Should().BeApproximately(-(2 + 5 + 8 + 11) / 4.0, Tolerance);
        T.Compute(DirectionNeuron("l", [1f, 0f, 0f], x: 1, y: 0, layout: ActivationLayout.Nhwc, cossimPow: 0), "l", acts).Should().BeApproximately(-3, Tolerance);
    }

    [Fact]
    public void Y_on_a_token_layer_is_a_typed_error()
    {
        using var acts = T.Range(1, 5, 2);
        var ex = FluentActions.Invoking(() => T.Compute(Neuron("l", 0, x: 1, y: 1), "l", acts)).Should().Throw<ObjectiveArgumentException>().Which;
        ex.ParamName.Should().Be("y");
        ex.Layer.Should().Be("l");
        ex.Message.Should().Contain("token layer").And.Contain("[1, 5, 2]");
        FluentActions.Invoking(() => T.Compute(DirectionNeuron("l", [1f, 0f], y: 0), "l", acts)).Should().Throw<ObjectiveArgumentException>().Which.ParamName.Should().Be("y");
    }

    [Fact]
    public void Out_of_range_tokens_and_features_are_typed_errors()
    {
        using var acts = T.Range(1, 5, 2);
        FluentActions.Invoking(() => T.Compute(Neuron("l", 0, x: 5), "l", acts)).Should().Throw<ObjectiveArgumentException>()
            .Which.Message.Should().Contain("0..4").And.Contain("token");
        var feature = FluentActions.Invoking(() => T.Compute(Channel("l", 2), "l", acts)).Should().Throw<ObjectiveArgumentException>().Which;
        feature.Message.Should().Contain("valid features are 0..1").And.Contain("[1, 5, 2]", "the message shows the layer's own shape");
        feature.Shape.Should().Equal(1, 5, 2);
        FluentActions.Invoking(() => T.Compute(Neuron("l", 2, x: 1), "l", acts)).Should().Throw<ObjectiveArgumentException>()
            .Which.Shape.Should().Equal(1, 5, 2);
        var direction = FluentActions.Invoking(() => T.Compute(Direction("l", [1f, 0f, 0f]), "l", acts)).Should().Throw<ObjectiveArgumentException>().Which;
        direction.ParamName.Should().Be("direction");
        direction.Shape.Should().Equal(1, 5, 2);
        using var one = T.Range(1, 1, 2);
        FluentActions.Invoking(() => T.Compute(Channel("l", 0, tokens: TokenSelection.Patch), "l", one)).Should().Throw<ObjectiveArgumentException>()
            .Which.ParamName.Should().Be("tokens");
    }

    [Fact]
    public void Token_choices_and_layouts_that_do_not_fit_the_layer_are_typed_errors()
    {
        using var grid = T.Range(1, 2, 3, 3);
        var ex = FluentActions.Invoking(() => T.Compute(Channel("l", 0, tokens: TokenSelection.Cls), "l", grid)).Should().Throw<ObjectiveArgumentException>().Which;
        ex.ParamName.Should().Be("tokens");
        ex.Message.Should().Contain("no tokens axis");
        FluentActions.Invoking(() => T.Compute(Diversity("l", tokens: TokenSelection.Patch, layout: ActivationLayout.Nhwc), "l", grid)).Should().Throw<ObjectiveArgumentException>()
            .Which.ParamName.Should().Be("tokens");
        FluentActions.Invoking(() => T.Compute(Alignment("l", tokens: TokenSelection.Cls), "l", grid)).Should().Throw<ObjectiveArgumentException>()
            .Which.ParamName.Should().Be("tokens");

        using var flat = T.Range(2, 3);
        FluentActions.Invoking(() => T.Compute(Channel("l", 0, layout: ActivationLayout.Nhwc), "l", flat)).Should().Throw<ObjectiveArgumentException>()
            .Which.ParamName.Should().Be("layout");

        using var tokens = T.Range(1, 5, 2);
        FluentActions.Invoking(() => T.Compute(Neuron("l", 0, layout: ActivationLayout.Nchw), "l", tokens)).Should().Throw<ObjectiveArgumentException>()
            .Which.ParamName.Should().Be("layer");
    }

    [Fact]
    public void Undefined_enum_values_are_refused_when_the_objective_is_made()
    {
        FluentActions.Invoking(() => Channel("l", 0, tokens: (TokenSelection)9)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("tokens");
        FluentActions.Invoking(() => Neuron("l", 0, layout: (ActivationLayout)9)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("layout");
    }

    [Fact]
    public void Gradients_reach_only_the_tokens_read()
    {
        using var acts = T.Range(1, 5, 2).requires_grad_(true);
        using (var loss = Channel("l", 0).Evaluate(new Dictionary<string, TorchSharp.torch.Tensor> { ["l"] = acts }))
        {
            loss.backward();
        }

        T.Values(acts.grad!).Should().Equal(0f, 0f, -0.25f, 0f, -0.25f, 0f, -0.25f, 0f, -0.25f, 0f);
    }

    [Theory]
    [InlineData("channel(l, 1, tokens=cls)", -1)]
    [InlineData("channel(l, 1, tokens=all)", -5)]
    [InlineData("channel(l, 1, tokens='patch')", -6)]
    [InlineData("l:1", -6)]
    [InlineData("neuron(l, 1, x=0)", -1)]
    [InlineData("neuron(l, 0, layout=nhwc)", -8)]
    [InlineData("direction(l, [1, 0], tokens=cls, cossim_pow=0)", 0)]
    [InlineData("direction_neuron(l, [0, 1], x=2, cossim_pow=0)", -5)]
    [InlineData("alignment(l, tokens=all)", 0)]
    [InlineData("channel_interpolate(l, 0, l, 1, tokens=cls, layout=auto)", 0)]
    public void Expressions_take_tokens_and_layout(string expression, double expected)
    {
        using var acts = T.Range(1, 5, 2);
        var objective = ObjectiveExpression.Parse(expression);
        if (expression.StartsWith("channel_interpolate", StringComparison.Ordinal))
        {
            using var two = T.Range(2, 5, 2); // cls: batch 0 feature 0 = 0, batch 1 feature 1 = 11
            T.Compute(objective, "l", two).Should().BeApproximately(-11, Tolerance);
            return;
        }

        T.Compute(objective, "l", acts).Should().BeApproximately(expected, Tolerance);
    }

    [Theory]
    [InlineData("channel(l, 1, tokens=cls)")]
    [InlineData("channel(l, 1, tokens=patch, layout=nhwc)")]
    [InlineData("neuron(l, 1, x=0, layout=nchw)")]
    [InlineData("diversity(l, tokens=all)")]
    [InlineData("alignment(l, 3, tokens=cls)")]
    [InlineData("direction(l, [2 values], tokens=all)")]
    public void Objective_names_show_the_token_choice_and_parse_back(string expected)
    {
        string expression = expected.Replace("[2 values]", "[1, 0]", StringComparison.Ordinal);
        var objective = ObjectiveExpression.Parse(expression);
        objective.Name.Should().Be(expected);
        if (!expected.StartsWith("direction", StringComparison.Ordinal))
        {
            ObjectiveExpression.Parse(objective.Name).Name.Should().Be(expected);
        }
    }

    [Fact]
    public void Unknown_token_choices_are_expression_errors()
    {
        var ex = FluentActions.Invoking(() => ObjectiveExpression.Parse("channel(l, 1, tokens=middle)")).Should().Throw<ObjectiveExpressionException>().Which;
        ex.Message.Should().Contain("tokens");
        FluentActions.Invoking(() => ObjectiveExpression.Parse("neuron(l, 1, layout=hwc)")).Should().Throw<ObjectiveExpressionException>()
            .Which.Message.Should().Contain("layout");
        FluentActions.Invoking(() => ObjectiveExpression.Parse("neuron(l, 1, tokens=all)")).Should().Throw<ObjectiveExpressionException>();
    }

    [Theory]
    [InlineData(197, true, 106)]
    [InlineData(196, false, 105)]
    [InlineData(17, true, 11)]
    [InlineData(50, true, 25)]
    [InlineData(2, true, 1)]
    [InlineData(1, false, 0)]
    [InlineData(6, false, 3)]
    public void The_class_token_and_centre_token_follow_from_the_token_count(long count, bool hasClass, long centre)
    {
        TokenLayers.HasClassToken(count).Should().Be(hasClass);
        TokenLayers.CentreToken(count).Should().Be(centre);
    }

    [Fact]
    public void Layer_listings_show_token_layers_as_tokens_by_features()
    {
        new LayerInfo("blocks_0", [1, 197, 768], "X").FormatUnits().Should().Be("197 tokens x 768 features (token 0: class token)");
        new LayerInfo("stage", [1, 49, 96], "X").FormatUnits().Should().Be("49 tokens x 96 features");
        new LayerInfo("conv", [1, 64, 56, 56], "X").FormatUnits().Should().Be("64");
        new LayerInfo("none", [], "X").FormatUnits().Should().Be("-");
    }
}
