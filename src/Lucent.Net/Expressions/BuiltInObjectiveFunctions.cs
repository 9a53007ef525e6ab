using Lucent.Net.Activations;
using Lucent.Net.Objectives;
using O = Lucent.Net.Objectives.Objectives;

namespace Lucent.Net.Expressions;

/// <summary>Lucent's objectives as expression functions, with Lucent's parameter names.</summary>
internal static class BuiltInObjectiveFunctions
{
    private static readonly ObjectiveParameter Layer = new("layer");
    private static readonly ObjectiveParameter OptionalLayer = new("layer", IsOptional: true);
    private static readonly ObjectiveParameter Channel = new("n_channel") { Aliases = ["channel", "n"] };
    private static readonly ObjectiveParameter X = new("x", IsOptional: true);
    private static readonly ObjectiveParameter Y = new("y", IsOptional: true);
    private static readonly ObjectiveParameter Batch = new("batch", IsOptional: true);
    private static readonly ObjectiveParameter CossimPow = new("cossim_pow", IsOptional: true);

    /// <summary>Every built-in function.</summary>
    public static IReadOnlyList<ObjectiveFunction> All { get; } =
    [
        Function("channel", [Layer, Channel, Batch], a => O.Channel(a.GetLayer("layer"), a.GetInt32("n_channel"), a.GetOptionalInt32("batch")),
            "Maximise a channel: minus its mean."),
        Function("neuron", [Layer, Channel, X, Y, Batch], a => O.Neuron(a.GetLayer("layer"), a.GetInt32("n_channel"), a.GetOptionalInt32("x"), a.GetOptionalInt32("y"), a.GetOptionalInt32("batch")),
            "Maximise one neuron (default: the centre)."),
        Function("channel_weight", [Layer, new("weight") { Aliases = ["weights"] }, Batch], a => O.ChannelWeight(a.GetLayer("layer"), a.GetVector("weight"), a.GetOptionalInt32("batch")),
            "Maximise a weighted sum of channels."),
        Function("neuron_weight", [Layer, new("weight", IsOptional: true) { Aliases = ["weights"] }, X, Y, Batch], a =>
            a.GetOptionalVector("weight") is { } w
                ? O.NeuronWeight(a.GetLayer("layer"), w, a.GetOptionalInt32("x"), a.GetOptionalInt32("y"), a.GetOptionalInt32("batch"))
                : O.NeuronWeight(a.GetLayer("layer"), (TorchSharp.torch.Tensor?)null, a.GetOptionalInt32("x"), a.GetOptionalInt32("y"), a.GetOptionalInt32("batch")),
            "Maximise a weighted sum of channels at one position."),
        Function("localgroup_weight", [Layer, new("weight", IsOptional: true) { Aliases = ["weights"] }, new("x"), new("y"), new("wx", IsOptional: true), new("wy", IsOptional: true), Batch], a =>
            a.GetOptionalVector("weight") is { } w
                ? O.LocalGroupWeight(a.GetLayer("layer"), w, a.GetInt32("x"), a.GetInt32("y"), a.GetOptionalInt32("wx") ?? 1, a.GetOptionalInt32("wy") ?? 1, a.GetOptionalInt32("batch"))
                : O.LocalGroupWeight(a.GetLayer("layer"), (TorchSharp.torch.Tensor?)null, a.GetInt32("x"), a.GetInt32("y"), a.GetOptionalInt32("wx") ?? 1, a.GetOptionalInt32("wy") ?? 1, a.GetOptionalInt32("batch")),
            "Maximise a weighted sum of channels over a window."),
        Function("direction", [Layer, new("direction") { Aliases = ["vec"] }, Batch, CossimPow], a => O.Direction(a.GetLayer("layer"), a.GetVector("direction"), a.GetOptionalInt32("batch"), a.GetOptionalDouble("cossim_pow")),
            "Maximise the cosine similarity with a direction in channel space."),
        Function("direction_neuron", [Layer, new("direction") { Aliases = ["vec"] }, X, Y, Batch, CossimPow], a => O.DirectionNeuron(a.GetLayer("layer"), a.GetVector("direction"), a.GetOptionalInt32("x"), a.GetOptionalInt32("y"), a.GetOptionalInt32("batch"), a.GetOptionalDouble("cossim_pow")),
            "Maximise the cosine similarity with a direction at one position."),
        Function("channel_interpolate", [new("layer1"), new("n_channel1") { Aliases = ["channel1"] }, new("layer2"), new("n_channel2") { Aliases = ["channel2"] }], a =>
            O.ChannelInterpolate(a.GetLayer("layer1"), a.GetInt32("n_channel1"), a.GetLayer("layer2"), a.GetInt32("n_channel2")),
            "Interpolate between two channels across the batch."),
        Function("alignment", [Layer, new("decay_ratio", IsOptional: true)], a => O.Alignment(a.GetLayer("layer"), a.GetOptionalDouble("decay_ratio") ?? 2),
            "Penalise differences between neighbouring batch elements."),
        Function("diversity", [Layer], a => O.Diversity(a.GetLayer("layer")),
            "Reward differences between batch elements (subtract it)."),
        Function("blur_input_each_step", [Batch], a => O.BlurInputEachStep(a.GetOptionalInt32("batch")),
            "Move the input towards its blur on every step."),
        Function("blur_alpha_each_step", [Batch], a => O.BlurAlphaEachStep(a.GetOptionalInt32("batch")),
            "Move the alpha channel of an RGBA input towards its blur on every step."),
        Function("penalize_boundary_complexity", [new("w", IsOptional: true) { Aliases = ["width"] }, new("C", IsOptional: true) { Aliases = ["color"] }, Batch], a =>
            O.PenalizeBoundaryComplexity(a.GetOptionalInt32("w") ?? 20, a.GetOptionalDouble("C") ?? 0.5, batch: a.GetOptionalInt32("batch")),
            "Penalise a complex border that is not of colour C (add it); default border 20 pixels, C 0.5."),
        Function("l1", [OptionalLayer, new("constant", IsOptional: true), Batch], a => O.L1(a.GetLayer("layer", IActivationLookup.Input), a.GetOptionalDouble("constant") ?? 0, a.GetOptionalInt32("batch")),
            "Minus the L1 distance from a constant (default layer: input)."),
        Function("l2", [OptionalLayer, new("constant", IsOptional: true), new("epsilon", IsOptional: true), Batch], a => O.L2(a.GetLayer("layer", IActivationLookup.Input), a.GetOptionalDouble("constant") ?? 0, a.GetOptionalDouble("epsilon") ?? 1e-6, a.GetOptionalInt32("batch")),
            "Minus the L2 distance from a constant (default layer: input)."),
        Function("total_variation", [OptionalLayer, Batch], a => O.TotalVariation(a.GetLayer("layer", IActivationLookup.Input), a.GetOptionalInt32("batch")),
            "Minus the total variation (default layer: input)."),
        Function("deepdream", [Layer, Batch], a => O.DeepDream(a.GetLayer("layer"), a.GetOptionalInt32("batch")),
            "Maximise the mean square of a layer."),
        Function("class_logit", [Layer, new("label"), Batch], a =>
            a.GetOptionalText("label") is { } className
                ? O.ClassLogit(className, a.GetLayer("layer"), a.GetOptionalInt32("batch"))
                : O.ClassLogit(a.GetInt32("label"), a.GetLayer("layer"), a.GetOptionalInt32("batch")),
            "Maximise one class's logit, by index or by name in the model's labels (layer 'labels' is the model's output)."),
        ObjectiveFunction.WithAnyArguments("sum", Sum, "The sum of its arguments (objectives)."),
    ];

    private static ObjectiveFunction Function(string name, ObjectiveParameter[] parameters, Func<ObjectiveArguments, Objective> factory, string description) =>
        new(name, parameters, factory, description);

    private static Objective Sum(ObjectiveArguments arguments)
    {
        if (arguments.PositionalCount == 0)
        {
            throw arguments.Error("sum needs at least one objective");
        }

        var items = new List<Objective>(arguments.PositionalCount);
        for (int i = 0; i < arguments.PositionalCount; i++)
        {
            items.Add(arguments.GetObjective(i));
        }

        return Objective.Sum(items);
    }
}
