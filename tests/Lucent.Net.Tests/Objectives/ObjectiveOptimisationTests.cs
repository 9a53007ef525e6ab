using Lucent.Net.Objectives;
using static Lucent.Net.Objectives.Objective;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Objectives;

/// <summary>Every objective is a loss that a few Adam steps on the input image lower, through a small conv net.</summary>
public sealed class ObjectiveOptimisationTests : IDisposable
{
    private readonly ObjectiveTestNet _net = new();

    public static TheoryData<string> AllObjectives => [.. Cases.Keys];

    private static Dictionary<string, (Func<Objective> Create, int Batch)> Cases => new()
    {
        ["channel"] = (() => Channel("conv2", 1), 1),
        ["channel batch"] = (() => Channel("conv2", 2, batch: 1), 2),
        ["neuron"] = (() => Neuron("conv2", 2), 1),
        ["neuron xy"] = (() => Neuron("conv1", 3, x: 1, y: 6), 2),
        ["channel_weight"] = (() => ChannelWeight("conv2", [1f, -0.5f, 0.2f, 0f, 2f, 0.3f, -0.2f, 0.6f]), 1),
        ["neuron_weight"] = (() => NeuronWeight("conv2", [1f, 0.5f, 0.2f, 0.1f, 0.7f, 0.3f, 0.4f, 0.2f]), 1),
        ["localgroup_weight"] = (() => LocalGroupWeight("conv2", [1f, 0.5f, 0.2f, 0.1f, 0.7f, 0.3f, 0.4f, 0.2f], x: 2, y: 3, wx: 3, wy: 2), 1),
        ["direction"] = (() => Direction("conv1", [1f, -1f, 0.5f, 0.2f]), 1),
        ["direction lucid"] = (() => Direction("conv1", [1f, -1f, 0.5f, 0.2f], cossimPow: 1), 1),
        ["direction_neuron"] = (() => DirectionNeuron("conv2", [0.2f, 1f, -1f, 0.5f, 0f, 0.3f, -0.4f, 0.1f]), 1),
        ["channel_interpolate"] = (() => ChannelInterpolate("conv1", 0, "conv2", 4), 3),
        ["alignment"] = (() => Alignment("conv2"), 3),
        ["diversity"] = (() => Diversity("conv2"), 3),
        ["blur_input_each_step"] = (() => BlurInputEachStep(), 1),
        ["penalize_boundary_complexity"] = (() => PenalizeBoundaryComplexity(2), 1),
        ["L1"] = (() => L1(), 1),
        ["L2"] = (() => L2("conv1"), 1),
        ["total_variation"] = (() => TotalVariation(), 1),
        ["deepdream"] = (() => DeepDream("conv2"), 1),
        ["class_logit"] = (() => ClassLogit(2), 2),
        ["input_diff"] = (() => InputDiff(full([3, 16, 16], 0.5)), 1),
        ["composed"] = (() => Channel("conv2", 1) - (0.1 * Diversity("conv2")) - (0.01 * TotalVariation()), 2),
        ["plugin"] = (() => Objective.FromDelegate("max(conv2)", ["conv2"], a => a["conv2"].amax([1L, 2L, 3L]).mean().neg()), 1),
    };

    [Theory]
    [MemberData(nameof(AllObjectives))]
    public void A_few_Adam_steps_lower_the_loss(string name)
    {
        var (create, batch) = Cases[name];
        float[] losses = _net.Optimise(create(), batch);
        losses.Should().OnlyContain(l => float.IsFinite(l));
        losses[^1].Should().BeLessThan(losses[0], $"minimising {name} should lower it (losses: {string.Join(", ", losses)})");
    }

    public void Dispose() => _net.Dispose();
}
