using Lucent.Net.Activations;
using Lucent.Net.Objectives;

namespace Lucent.Net.Expressions;

/// <summary>
/// Lucent's objectives as expression functions, with Lucent's parameter names: the one declaration of
/// each built-in's name, parameters and description (the table in <c>docs/expressions.md</c> is
/// generated from it and checked by a test).
/// </summary>
internal static class BuiltInObjectiveFunctions
{
    private static readonly FunctionParameter Layer = new("layer");
    private static readonly FunctionParameter OptionalLayer = new("layer", IsOptional: true);
    private static readonly FunctionParameter Channel = new("n_channel") { Aliases = ["channel", "n"] };
    private static readonly FunctionParameter X = new("x", IsOptional: true);
    private static readonly FunctionParameter Y = new("y", IsOptional: true);
    private static readonly FunctionParameter Batch = new("batch", IsOptional: true);
    private static readonly FunctionParameter CossimPow = new("cossim_pow", IsOptional: true);
    private static readonly FunctionParameter Tokens = new("tokens", IsOptional: true);
    private static readonly FunctionParameter Layout = new("layout", IsOptional: true);

    /// <summary>Every built-in function.</summary>
    public static IReadOnlyList<ObjectiveFunction> All { get; } =
    [
        Function("channel", [Layer, Channel, Batch, Tokens, Layout], a => Objective.Channel(a.GetLayer("layer"), a.GetInt32("n_channel"), a.GetOptionalInt32("batch"), TokensOf(a), LayoutOf(a)),
            "Maximise a channel: minus its mean; on a token layer, a feature over the patch tokens (tokens: auto, all, patch or cls; layout: auto, nchw or nhwc) (`Objective.Channel`)."),
        Function("neuron", [Layer, Channel, X, Y, Batch, Layout], a => Objective.Neuron(a.GetLayer("layer"), a.GetInt32("n_channel"), a.GetOptionalInt32("x"), a.GetOptionalInt32("y"), a.GetOptionalInt32("batch"), LayoutOf(a)),
            "Maximise one neuron, by default the centre; on a token layer x is the token, by default the centre patch token (`Objective.Neuron`)."),
        Function("channel_weight", [Layer, new("weight") { Aliases = ["weights"] }, Batch], a => Objective.ChannelWeight(a.GetLayer("layer"), a.GetVector("weight"), a.GetOptionalInt32("batch")),
            "Maximise a weighted sum of channels (`Objective.ChannelWeight`)."),
        Function("neuron_weight", [Layer, new("weight", IsOptional: true) { Aliases = ["weights"] }, X, Y, Batch], a =>
            a.GetOptionalVector("weight") is { } w
                ? Objective.NeuronWeight(a.GetLayer("layer"), w, a.GetOptionalInt32("x"), a.GetOptionalInt32("y"), a.GetOptionalInt32("batch"))
                : Objective.NeuronWeight(a.GetLayer("layer"), (TorchSharp.torch.Tensor?)null, a.GetOptionalInt32("x"), a.GetOptionalInt32("y"), a.GetOptionalInt32("batch")),
            "Maximise a weighted sum of channels at one position (`Objective.NeuronWeight`)."),
        Function("localgroup_weight", [Layer, new("weight", IsOptional: true) { Aliases = ["weights"] }, new("x"), new("y"), new("wx", IsOptional: true), new("wy", IsOptional: true), Batch], a =>
            a.GetOptionalVector("weight") is { } w
                ? Objective.LocalGroupWeight(a.GetLayer("layer"), w, a.GetInt32("x"), a.GetInt32("y"), a.GetOptionalInt32("wx") ?? 1, a.GetOptionalInt32("wy") ?? 1, a.GetOptionalInt32("batch"))
                : Objective.LocalGroupWeight(a.GetLayer("layer"), (TorchSharp.torch.Tensor?)null, a.GetInt32("x"), a.GetInt32("y"), a.GetOptionalInt32("wx") ?? 1, a.GetOptionalInt32("wy") ?? 1, a.GetOptionalInt32("batch")),
            "Maximise a weighted sum of channels over a window; wx and wy default to 1 (`Objective.LocalGroupWeight`)."),
        Function("direction", [Layer, new("direction") { Aliases = ["vec"] }, Batch, CossimPow, Tokens, Layout], a => Objective.Direction(a.GetLayer("layer"), a.GetVector("direction"), a.GetOptionalInt32("batch"), a.GetOptionalDouble("cossim_pow"), TokensOf(a), LayoutOf(a)),
            "Maximise the cosine similarity with a direction in channel space (`Objective.Direction`)."),
        Function("direction_neuron", [Layer, new("direction") { Aliases = ["vec"] }, X, Y, Batch, CossimPow, Layout], a => Objective.DirectionNeuron(a.GetLayer("layer"), a.GetVector("direction"), a.GetOptionalInt32("x"), a.GetOptionalInt32("y"), a.GetOptionalInt32("batch"), a.GetOptionalDouble("cossim_pow"), LayoutOf(a)),
            "Maximise the cosine similarity with a direction at one position (`Objective.DirectionNeuron`)."),
        Function("channel_interpolate", [new("layer1"), new("n_channel1") { Aliases = ["channel1"] }, new("layer2"), new("n_channel2") { Aliases = ["channel2"] }, Tokens, Layout], a =>
            Objective.ChannelInterpolate(a.GetLayer("layer1"), a.GetInt32("n_channel1"), a.GetLayer("layer2"), a.GetInt32("n_channel2"), TokensOf(a), LayoutOf(a)),
            "Interpolate between two channels across the batch (`Objective.ChannelInterpolate`)."),
        Function("alignment", [Layer, new("decay_ratio", IsOptional: true), Tokens], a => Objective.Alignment(a.GetLayer("layer"), a.GetOptionalDouble("decay_ratio") ?? 2, TokensOf(a)),
            "Penalise differences between neighbouring batch elements; decay_ratio defaults to 2 (`Objective.Alignment`)."),
        Function("diversity", [Layer, Tokens, Layout], a => Objective.Diversity(a.GetLayer("layer"), TokensOf(a), LayoutOf(a)),
            "Reward differences between batch elements: subtract it (`Objective.Diversity`)."),
        Function("blur_input_each_step", [Batch], a => Objective.BlurInputEachStep(a.GetOptionalInt32("batch")),
            "Move the input towards its blur on every step (`Objective.BlurInputEachStep`)."),
        Function("blur_alpha_each_step", [Batch], a => Objective.BlurAlphaEachStep(a.GetOptionalInt32("batch")),
            "Move the alpha channel of an RGBA input towards its blur on every step (`Objective.BlurAlphaEachStep`)."),
        Function("penalize_boundary_complexity", [new("w", IsOptional: true) { Aliases = ["width"] }, new("C", IsOptional: true) { Aliases = ["color"] }, Batch], a =>
            Objective.PenalizeBoundaryComplexity(a.GetOptionalInt32("w") ?? 20, a.GetOptionalDouble("C") ?? 0.5, batch: a.GetOptionalInt32("batch")),
            "Penalise a complex border that is not of colour C: add it; w defaults to 20 pixels and C to 0.5, no mask in expressions (`Objective.PenalizeBoundaryComplexity`)."),
        Function("l1", [OptionalLayer, new("constant", IsOptional: true), Batch], a => Objective.L1(a.GetLayer("layer", IActivationLookup.Input), a.GetOptionalDouble("constant") ?? 0, a.GetOptionalInt32("batch")),
            "Minus the L1 distance from a constant; layer defaults to `input`, constant to 0 (`Objective.L1`)."),
        Function("l2", [OptionalLayer, new("constant", IsOptional: true), new("epsilon", IsOptional: true), Batch], a => Objective.L2(a.GetLayer("layer", IActivationLookup.Input), a.GetOptionalDouble("constant") ?? 0, a.GetOptionalDouble("epsilon") ?? 1e-6, a.GetOptionalInt32("batch")),
            "Minus the L2 distance from a constant; layer defaults to `input`, constant to 0, epsilon to 1e-6 (`Objective.L2`)."),
        Function("total_variation", [OptionalLayer, Batch], a => Objective.TotalVariation(a.GetLayer("layer", IActivationLookup.Input), a.GetOptionalInt32("batch")),
            "Minus the total variation; layer defaults to `input` (`Objective.TotalVariation`)."),
        Function("deepdream", [Layer, Batch], a => Objective.DeepDream(a.GetLayer("layer"), a.GetOptionalInt32("batch")),
            "Maximise the mean square of a layer (`Objective.DeepDream`)."),
        Function("class_logit", [Layer, new("label"), Batch], a =>
            a.IsText("label")
                ? Objective.ClassLogit(a.GetText("label"), a.GetLayer("layer"), a.GetOptionalInt32("batch"))
                : Objective.ClassLogit(a.GetInt32("label"), a.GetLayer("layer"), a.GetOptionalInt32("batch")),
            "Maximise one class's logit (`Objective.ClassLogit`): layer `labels` is the model's output; label is an index or a class name (`tabby`, `'tabby cat'`) looked up in the model's labels."),
        ObjectiveFunction.WithAnyArguments("sum", Sum, "The sum of any number of objectives (`Objective.Sum`)."),
    ];

    private static TokenSelection TokensOf(ObjectiveArguments arguments) => arguments.GetOptionalEnum<TokenSelection>("tokens") ?? TokenSelection.Auto;

    private static ActivationLayout LayoutOf(ObjectiveArguments arguments) => arguments.GetOptionalEnum<ActivationLayout>("layout") ?? ActivationLayout.Auto;

    private static ObjectiveFunction Function(string name, FunctionParameter[] parameters, Func<ObjectiveArguments, Objective> factory, string description) =>
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
