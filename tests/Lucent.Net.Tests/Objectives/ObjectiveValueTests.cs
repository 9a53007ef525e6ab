using Lucent.Net.Activations;
using Lucent.Net.Expressions;
using Lucent.Net.Objectives;
using static Lucent.Net.Objectives.Objective;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Objectives;

/// <summary>Exact values of every built-in objective on small hand-made activations.</summary>
public class ObjectiveValueTests
{
    private const double Tolerance = 1e-4;

    [Fact]
    public void Channel_is_minus_the_mean_of_the_channel_over_batch_and_positions()
    {
        using var acts = T.Range(2, 3, 2, 2); // value = ((b*3 + c)*2 + y)*2 + x
        // channel 1: batch 0 values 4..7, batch 1 values 16..19 -> mean 11.5
        T.Compute(Channel("l", 1), "l", acts).Should().BeApproximately(-11.5, Tolerance);
    }

    [Fact]
    public void Channel_works_on_two_dimensional_layers()
    {
        using var acts = T.Of([1, 2, 3, 4, 5, 6], 2, 3);
        T.Compute(Channel("fc", 2), "fc", acts).Should().BeApproximately(-4.5, Tolerance);
    }

    [Fact]
    public void Neuron_defaults_to_the_centre_of_an_odd_sized_layer()
    {
        using var acts = T.Range(1, 2, 3, 3);
        // channel 1 starts at 9; centre (x=1, y=1) is 9 + 1*3 + 1 = 13
        T.Compute(Neuron("l", 1), "l", acts).Should().BeApproximately(-13, Tolerance);
    }

    [Fact]
    public void Neuron_defaults_to_the_lower_right_of_the_central_two_by_two_for_even_sizes()
    {
        using var acts = T.Range(1, 1, 4, 4);
        // central 2x2 is (1,1),(2,1),(1,2),(2,2); lower right is x=2, y=2 -> 2*4 + 2 = 10
        T.Compute(Neuron("l", 0), "l", acts).Should().BeApproximately(-10, Tolerance);
    }

    [Fact]
    public void Neuron_x_indexes_the_width_and_y_the_height()
    {
        using var acts = T.Range(1, 1, 3, 5); // height 3, width 5
        T.Compute(Neuron("l", 0), "l", acts).Should().BeApproximately(-(1 * 5 + 2), Tolerance); // centre x=2, y=1
        T.Compute(Neuron("l", 0, x: 4, y: 0), "l", acts).Should().BeApproximately(-4, Tolerance);
        T.Compute(Neuron("l", 0, x: 0, y: 2), "l", acts).Should().BeApproximately(-10, Tolerance);
    }

    [Fact]
    public void Neuron_averages_over_the_batch()
    {
        using var acts = T.Range(2, 1, 1, 1);
        T.Compute(Neuron("l", 0), "l", acts).Should().BeApproximately(-0.5, Tolerance);
    }

    [Fact]
    public void ChannelWeight_is_minus_the_mean_of_channel_weighted_activations()
    {
        using var acts = T.Range(1, 2, 1, 2); // channel 0: 0,1; channel 1: 2,3
        double expected = -((0 * 2.0) + (1 * 2.0) + (2 * -1.0) + (3 * -1.0)) / 4;
        T.Compute(ChannelWeight("l", [2f, -1f]), "l", acts).Should().BeApproximately(expected, Tolerance);
        using var weights = T.Of([2f, -1f], 2);
        T.Compute(ChannelWeight("l", weights), "l", acts).Should().BeApproximately(expected, Tolerance);
    }

    [Fact]
    public void NeuronWeight_weights_channels_at_one_position()
    {
        using var acts = T.Range(1, 2, 3, 3); // channel c, (x, y) = 9c + 3y + x
        // centre: channel 0 -> 4, channel 1 -> 13
        T.Compute(NeuronWeight("l", [1f, 3f]), "l", acts).Should().BeApproximately(-((4 * 1) + (13 * 3)) / 2.0, Tolerance);
        T.Compute(NeuronWeight("l", (Tensor?)null, x: 0, y: 0), "l", acts).Should().BeApproximately(-(0 + 9) / 2.0, Tolerance);
    }

    [Fact]
    public void LocalGroupWeight_averages_a_window_and_cuts_it_at_the_edge()
    {
        using var acts = T.Range(1, 1, 3, 3); // value 3y + x
        // window x 1..2, y 0..1 -> 1, 2, 4, 5
        T.Compute(LocalGroupWeight("l", (Tensor?)null, x: 1, y: 0, wx: 2, wy: 2), "l", acts).Should().BeApproximately(-3, Tolerance);
        // window x 2..4 (cut to 2), y 2..3 (cut to 2) -> 8
        T.Compute(LocalGroupWeight("l", (Tensor?)null, x: 2, y: 2, wx: 3, wy: 2), "l", acts).Should().BeApproximately(-8, Tolerance);
        T.Compute(LocalGroupWeight("l", [0.5f], x: 1, y: 0, wx: 2, wy: 2), "l", acts).Should().BeApproximately(-1.5, Tolerance);
    }

    [Fact]
    public void Direction_is_minus_the_mean_cosine_similarity_along_channels()
    {
        // two positions: (1, 0) and (1, 1); direction (1, 0): cosines 1 and 1/sqrt2
        using var acts = T.Of([1, 1, 0, 1], 1, 2, 1, 2);
        double expected = -(1 + (1 / Math.Sqrt(2))) / 2;
        T.Compute(Direction("l", [1f, 0f]), "l", acts).Should().BeApproximately(expected, Tolerance);
        // scaling the direction changes nothing
        T.Compute(Direction("l", [5f, 0f]), "l", acts).Should().BeApproximately(expected, Tolerance);
    }

    [Fact]
    public void Direction_with_cossim_pow_uses_lucids_weighted_dot_product()
    {
        using var acts = T.Of([3, 1, 0, 1], 1, 2, 1, 2); // vectors (3, 0) and (1, 1)
        // pow 0: minus the mean dot product with (2, 0): (6 + 2) / 2
        T.Compute(Direction("l", [2f, 0f], cossimPow: 0), "l", acts).Should().BeApproximately(-4, Tolerance);
        // pow 2: dot * max(0.1, cos)^2 with Lucid's 1e-4 in the norms
        double cos1 = 6 / (3 + 1e-4) / (2 + 1e-4);
        double cos2 = 2 / (Math.Sqrt(2) + 1e-4) / (2 + 1e-4);
        double expected = -((6 * cos1 * cos1) + (2 * cos2 * cos2)) / 2;
        T.Compute(Direction("l", [2f, 0f], cossimPow: 2), "l", acts).Should().BeApproximately(expected, Tolerance);
    }

    [Fact]
    public void DirectionNeuron_reads_only_the_centre()
    {
        using var acts = T.Of([9, 1, 9, 1, 0, 9, 0, 1], 1, 2, 2, 2);
        // centre of 2x2 is x=1, y=1: vector (1, 1); direction (0, 1) -> cosine 1/sqrt2
        T.Compute(DirectionNeuron("l", [0f, 1f]), "l", acts).Should().BeApproximately(-1 / Math.Sqrt(2), Tolerance);
        // x=0, y=0: vector (9, 0) -> cosine 0
        T.Compute(DirectionNeuron("l", [0f, 1f], x: 0, y: 0), "l", acts).Should().BeApproximately(0, Tolerance);
    }

    [Fact]
    public void ChannelInterpolate_moves_weight_from_the_first_channel_to_the_second_across_the_batch()
    {
        using var a = T.Range(3, 2, 1, 2); // channel 0 mean of batch b: 4b + 0.5
        using var b = T.Range(3, 1, 1, 1).mul(10); // 0, 10, 20
        var lookup = new DictionaryLookup(new Dictionary<string, Tensor> { ["a"] = a, ["b"] = b });
        // weights 0, 0.5, 1
        double expected = -((1 * 0.5) + ((0.5 * 4.5) + (0.5 * 10)) + (1 * 20));
        T.Compute(ChannelInterpolate("a", 0, "b", 0), lookup).Should().BeApproximately(expected, Tolerance);
    }

    [Fact]
    public void Alignment_sums_decayed_mean_squared_differences_of_batch_neighbours()
    {
        using var acts = T.Of([0, 0, 1, 1, 3, 3], 3, 2);
        // d=1: pairs (0,1) -> 1, (1,2) -> 4; d=2: (0,2) -> 9
        double expected = ((1 + 4) / 2.0) + (9 / 4.0);
        T.Compute(Alignment("l"), "l", acts).Should().BeApproximately(expected, Tolerance);
        T.Compute(Alignment("l", decayRatio: 3), "l", acts).Should().BeApproximately((5 / 3.0) + (9 / 9.0), Tolerance);
    }

    [Fact]
    public void Alignment_only_looks_four_images_apart()
    {
        using var acts = T.Of([0, 0, 0, 0, 0, 1], 6, 1);
        // image 5 differs from images 4, 3, 2, 1 (distances 1..4) and 0 (distance 5, ignored)
        T.Compute(Alignment("l"), "l", acts).Should().BeApproximately((1 / 2.0) + (1 / 4.0) + (1 / 8.0) + (1 / 16.0), Tolerance);
    }

    [Fact]
    public void Diversity_is_minus_the_mean_pairwise_similarity_of_normalised_gram_matrices()
    {
        float[] values = [1, 0, 2, 1, 0, 1, 1, 1, 2, 2, 0, 1, 1, 3, 0, 1, 1, 0, 2, 2, 1, 0, 1, 1];
        using var acts = T.Of(values, 3, 2, 2, 2);
        int n = 3;
        var grams = new double[n][];
        for (int b = 0; b < n; b++)
        {
            grams[b] = new double[4];
            for (int i = 0; i < 2; i++)
            {
                for (int j = 0; j < 2; j++)
                {
                    double dot = 0;
                    for (int p = 0; p < 4; p++)
                    {
                        dot += values[(b * 8) + (i * 4) + p] * values[(b * 8) + (j * 4) + p];
                    }

                    grams[b][(i * 2) + j] = dot;
                }
            }

            double norm = Math.Sqrt(grams[b].Sum(g => g * g));
            grams[b] = grams[b].Select(g => g / norm).ToArray();
        }

        double total = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                if (i != j)
                {
                    total += grams[i].Zip(grams[j], (x, y) => x * y).Sum();
                }
            }
        }

        T.Compute(Diversity("l"), "l", acts).Should().BeApproximately(-total / n, Tolerance);
    }

    [Fact]
    public void BlurInputEachStep_is_minus_half_the_squared_distance_to_a_normalised_three_by_three_blur()
    {
        float[] image = [1, 0, 2, 0, 4, 0, 3, 0, 5];
        using var input = T.Of(image, 1, 1, 3, 3).requires_grad_();
        double[] blurred = Blur3x3(image, 3, 3);
        double expected = -0.5 * image.Select((v, i) => (v - blurred[i]) * (v - blurred[i])).Sum();

        using var loss = BlurInputEachStep().Compute(new DictionaryLookup(IActivationLookup.Input, input));
        loss.item<float>().Should().BeApproximately((float)expected, 1e-4f);

        // the blurred copy is a constant, so the gradient is -(x - blur(x))
        loss.backward();
        float[] grad = T.Values(input.grad!);
        for (int i = 0; i < image.Length; i++)
        {
            grad[i].Should().BeApproximately((float)-(image[i] - blurred[i]), 1e-4f);
        }
    }

    [Fact]
    public void BlurInputEachStep_blurs_each_channel_on_its_own()
    {
        using var input = T.Of([1, 1, 1, 1, 5, 5, 5, 5], 1, 2, 2, 2);
        // constant channels equal their blur
        T.Compute(BlurInputEachStep(), IActivationLookup.Input, input).Should().BeApproximately(0, Tolerance);
    }

    [Fact]
    public void TotalVariation_is_minus_the_sum_of_absolute_neighbour_differences()
    {
        using var acts = T.Of([1, 4, 0, 2, 2, 2], 1, 1, 2, 3);
        // horizontal: |4-1| + |0-4| + |2-2| + |2-2| = 7; vertical: |2-1| + |2-4| + |2-0| = 5
        T.Compute(TotalVariation("l"), "l", acts).Should().BeApproximately(-12, Tolerance);
        T.Compute(TotalVariation(), IActivationLookup.Input, acts).Should().BeApproximately(-12, Tolerance);
    }

    [Fact]
    public void L1_and_L2_are_minus_the_norms_of_the_distance_from_a_constant()
    {
        using var acts = T.Of([1, -2, 3, 0], 1, 1, 2, 2);
        T.Compute(L1("l"), "l", acts).Should().BeApproximately(-6, Tolerance);
        T.Compute(L1("l", constant: 1), "l", acts).Should().BeApproximately(-(0 + 3 + 2 + 1), Tolerance);
        T.Compute(L2("l"), "l", acts).Should().BeApproximately(-Math.Sqrt(14 + 1e-6), Tolerance);
        T.Compute(L2("l", constant: 1, epsilon: 0), "l", acts).Should().BeApproximately(-Math.Sqrt(0 + 9 + 4 + 1), Tolerance);
        T.Compute(L1(), IActivationLookup.Input, acts).Should().BeApproximately(-6, Tolerance);
    }

    [Fact]
    public void DeepDream_is_minus_the_mean_square()
    {
        using var acts = T.Of([1, -2, 3, 0], 1, 4);
        T.Compute(DeepDream("l"), "l", acts).Should().BeApproximately(-14 / 4.0, Tolerance);
    }

    [Fact]
    public void LayerActivation_is_minus_the_mean_and_reads_back_from_its_name()
    {
        using var acts = T.Of([1, -2, 3, 0, 4, 6], 2, 3);
        T.Compute(LayerActivation("l"), "l", acts).Should().BeApproximately(-12 / 6.0, Tolerance);
        var second = LayerActivation("l", batch: 1);
        T.Compute(second, "l", acts).Should().BeApproximately(-10 / 3.0, Tolerance);
        second.Name.Should().Be("layer_activation(l, batch=1)");
        ObjectiveExpression.Parse(second.Name).Name.Should().Be(second.Name);
        FluentActions.Invoking(() => LayerActivation(" ")).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void ClassLogit_is_minus_the_class_summed_over_the_batch()
    {
        using var logits = T.Of([1, 2, 3, 4, 5, 6], 2, 3);
        T.Compute(ClassLogit(1), IActivationLookup.Labels, logits).Should().BeApproximately(-(2 + 5), Tolerance);
        T.Compute(ClassLogit(2, "logits"), "logits", logits).Should().BeApproximately(-(3 + 6), Tolerance);
    }

    [Fact]
    public void InputDiff_is_minus_the_root_mean_square_difference()
    {
        using var input = T.Of([1, 2, 3, 4], 1, 1, 2, 2);
        using var original = T.Of([1, 0, 3, 0], 1, 2, 2);
        T.Compute(InputDiff(original), IActivationLookup.Input, input).Should().BeApproximately(-Math.Sqrt((4 + 16) / 4.0), Tolerance);
    }

    [Fact]
    public void Batch_selects_one_element_and_keeps_the_batch_axis()
    {
        using var acts = T.Range(2, 2, 1, 2); // batch 1 channel 0: 4, 5
        T.Compute(Channel("l", 0, batch: 1), "l", acts).Should().BeApproximately(-4.5, Tolerance);
        T.Compute(Channel("l", 0, batch: 0), "l", acts).Should().BeApproximately(-0.5, Tolerance);
        T.Compute(Neuron("l", 1, x: 0, y: 0, batch: 1), "l", acts).Should().BeApproximately(-6, Tolerance);
        T.Compute(DeepDream("l", batch: 1), "l", acts).Should().BeApproximately(-(16 + 25 + 36 + 49) / 4.0, Tolerance);
        T.Compute(L1("l", batch: 0), "l", acts).Should().BeApproximately(-6, Tolerance);

        var lookup = new DictionaryLookup("l", acts).ForBatch(1);
        using var selected = lookup["l"];
        selected.shape.Should().Equal(1, 2, 1, 2);
    }

    [Fact]
    public void Compute_leaves_only_its_result_in_the_callers_dispose_scope()
    {
        using var acts = T.Range(3, 2, 2, 2);
        var lookup = new DictionaryLookup("l", acts);
        var objective = Channel("l", 1, batch: 2) - (100 * Diversity("l")) + Alignment("l") + (Direction("l", [1f, 2f]) / 4);
        using var scope = NewDisposeScope();
        using var loss = objective.Compute(lookup);
        scope.DisposablesCount.Should().Be(1);
    }

    private static double[] Blur3x3(float[] image, int h, int w)
    {
        var result = new double[image.Length];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                double sum = 0;
                double weight = 0;
                for (int dy = -1; dy <= 1; dy++)
                {
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int yy = y + dy;
                        int xx = x + dx;
                        double k = dx == 0 && dy == 0 ? 1 : 0.5;
                        if (yy >= 0 && yy < h && xx >= 0 && xx < w)
                        {
                            sum += k * image[(yy * w) + xx];
                            weight += k;
                        }
                    }
                }

                result[(y * w) + x] = sum / weight;
            }
        }

        return result;
    }
}
