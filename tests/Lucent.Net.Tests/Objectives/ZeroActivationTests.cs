using Lucent.Net.Objectives;
using static Lucent.Net.Objectives.Objective;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Objectives;

/// <summary>
/// Objectives that normalise (cosine similarities, Gram-matrix normalisation, norms) stay finite, with
/// finite gradients, when the activations they read are all zero, as behind a dead ReLU; Lucent's
/// <c>F.normalize</c> and <c>cosine_similarity</c> guard zero norms with an epsilon the same way.
/// </summary>
public sealed class ZeroActivationTests
{
    public static TheoryData<string> Normalising => ["diversity", "direction", "direction lucid", "direction_neuron lucid", "alignment", "L2", "channel_interpolate"];

    [Theory]
    [MemberData(nameof(Normalising))]
    public void Zero_activations_give_a_finite_loss_and_finite_gradients(string name)
    {
        Objective objective = name switch
        {
            "diversity" => Diversity("layer"),
            "direction" => Direction("layer", [1f, -1f, 0.5f]),
            "direction lucid" => Direction("layer", [1f, -1f, 0.5f], cossimPow: 2),
            "direction_neuron lucid" => DirectionNeuron("layer", [1f, -1f, 0.5f], cossimPow: 1),
            "alignment" => Alignment("layer"),
            "L2" => L2("layer"),
            _ => ChannelInterpolate("layer", 0, "layer", 2),
        };

        using var scope = NewDisposeScope();
        // Half the batch is zero everywhere, the other half has a zero position.
        var values = ones(3, 3, 4, 4);
        values[0].zero_();
        values[1, .., 1, 1] = zeros(3);
        var activations = values.requires_grad_(true);
        var loss = objective.Compute(new DictionaryLookup("layer", activations));
        loss.backward();

        double value = loss.item<float>();
        double.IsFinite(value).Should().BeTrue($"{name} gave {value}");
        activations.grad!.isfinite().all().item<bool>().Should().BeTrue($"{name}'s gradient must stay finite");
    }
}
