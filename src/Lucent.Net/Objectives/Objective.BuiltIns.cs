using Lucent.Net.Activations;
using Lucent.Net.Declarations;
using System.Globalization;
using static TorchSharp.torch;
using Functional = TorchSharp.torch.nn.functional;

namespace Lucent.Net.Objectives;

// The built-in objectives of Lucent and Lucid, as factories on Objective (Objective.Channel("mixed4a", 97),
// or Channel(...) after `using static Lucent.Net.Objectives.Objective;`). See the remarks on Objective.
public abstract partial class Objective
{
    private const string ChannelLayout = "(batch, channels, ...)";
    private const string ImageLayout = "(batch, channels, height, width)";


    /// <summary>
    /// Maximise a channel: minus the mean of channel <paramref name="channel"/> over batch and positions
    /// (Lucent's <c>channel</c>). On a token layer (batch, tokens, features) the channel is feature
    /// <paramref name="channel"/>, averaged over the batch and the tokens <paramref name="tokens"/> selects.
    /// </summary>
    /// <param name="layer">The layer name, e.g. <c>mixed4a</c>.</param>
    /// <param name="channel">The channel (or feature) index, from 0.</param>
    /// <param name="batch">Read only this batch element; null for the whole batch.</param>
    /// <param name="tokens">On a token layer (batch, tokens, features): which tokens; by default the patch tokens (every token but the class token when the layer has one, see <see cref="TokenLayers"/>).</param>
    /// <param name="layout">Where the channel axis is: by default from the rank (rank 3 is a token layer); <see cref="ActivationLayout.Nhwc"/> for a channels-last grid such as Swin's.</param>
    /// <returns>The objective <c>channel(layer, n)</c>.</returns>
    [TextFunction("channel", "Maximise a channel: minus its mean; on a token layer, a feature over the patch tokens (tokens: auto, all, patch or cls; layout: auto, nchw or nhwc) (`Objective.Channel`).")]
    public static Objective Channel(string layer, [TextName("n_channel", "channel", "n")] int channel, int? batch = null, TokenSelection tokens = TokenSelection.Auto, ActivationLayout layout = ActivationLayout.Auto)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(channel);
        RequireView(tokens, layout);
        return OnLayer("channel", [layer, Number(channel), .. ViewArgs(tokens, layout)], $"Minus the mean activation of channel {channel} of layer '{layer}' (minimising it maximises the channel).{ViewText(tokens, layout)}", layer, batch, full =>
        {
            Tensor t = ChannelsFirst(full, layer, "channel", tokens, layout);
            RequireFeature(t, full, layer, channel, layout);
            return t.select(1, channel).mean().neg();
        }, AxisOneChannel(channel, tokens, layout));
    }

    /// <summary>
    /// Maximise one neuron: minus channel <paramref name="channel"/> at position
    /// (<paramref name="x"/>, <paramref name="y"/>), averaged over the batch (Lucent's <c>neuron</c>).
    /// </summary>
    /// <param name="layer">The layer name; its activations must be (batch, channels, height, width).</param>
    /// <param name="channel">The channel index, from 0.</param>
    /// <param name="x">The column (width axis); null for the centre <c>width / 2</c>.</param>
    /// <param name="y">The row (height axis); null for the centre <c>height / 2</c>. For even sizes the
    /// default is the lower-right of the central 2x2, as in Lucent.</param>
    /// <param name="batch">Read only this batch element; null for the whole batch.</param>
    /// <param name="layout">Where the channel axis is: by default from the rank (rank 3 is a token layer); <see cref="ActivationLayout.Nhwc"/> for a channels-last grid such as Swin's.</param>
    /// <returns>The objective <c>neuron(layer, n)</c>.</returns>
    /// <remarks>On a token layer (batch, tokens, features), the neuron is feature <paramref name="channel"/> of
    /// token <paramref name="x"/> (default <see cref="TokenLayers.CentreToken"/>, the centre patch token;
    /// 0 is the class token when there is one); <paramref name="y"/> has no meaning there and is refused
    /// with <see cref="ObjectiveArgumentException"/>.</remarks>
    [TextFunction("neuron", "Maximise one neuron, by default the centre; on a token layer x is the token, by default the centre patch token (`Objective.Neuron`).")]
    public static Objective Neuron(string layer, [TextName("n_channel", "channel", "n")] int channel, int? x = null, int? y = null, int? batch = null, ActivationLayout layout = ActivationLayout.Auto)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(channel);
        RequirePosition(x, y);
        RequireEnum(layout, nameof(layout));
        return OnLayer("neuron", [layer, Number(channel), .. PositionArgs(x, y), .. ViewArgs(TokenSelection.Auto, layout)], $"Minus the activation of channel {channel} of layer '{layer}' at {PositionText(x, y)} (on a token layer, token x, by default the centre patch token), averaged over the batch (minimising it maximises the neuron).{ViewText(TokenSelection.Auto, layout)}", layer, batch, full =>
        {
            Tensor at = AtPosition(full, layer, "neuron", x, y, layout);
            RequireFeature(at, full, layer, channel, layout);
            return at.select(1, channel).mean().neg();
        }, AxisOneChannel(channel, TokenSelection.Auto, layout));
    }

    /// <summary>
    /// Maximise a weighted sum of channels: minus the mean over everything of the activations times
    /// <paramref name="weights"/> along the channel axis (Lucent's <c>channel_weight</c>).
    /// </summary>
    /// <param name="layer">The layer name.</param>
    /// <param name="weights">One weight per channel; copied.</param>
    /// <param name="batch">Read only this batch element; null for the whole batch.</param>
    /// <returns>The objective <c>channel_weight(layer, [C weights])</c>.</returns>
    [TextFunction("channel_weight", "Maximise a weighted sum of channels (`Objective.ChannelWeight`).")]
    public static Objective ChannelWeight(string layer, [TextName("weight", "weights")] Tensor weights, int? batch = null) =>
        ChannelWeight(layer, ConstantTensor.From(weights, nameof(weights)), batch);

    /// <inheritdoc cref="ChannelWeight(string, Tensor, int?)"/>
    public static Objective ChannelWeight(string layer, ReadOnlySpan<float> weights, int? batch = null) =>
        ChannelWeight(layer, ConstantTensor.From(weights, nameof(weights)), batch);

    /// <summary>
    /// Maximise a weighted sum of channels at one position: minus the mean of the activations at
    /// (<paramref name="x"/>, <paramref name="y"/>) times <paramref name="weights"/> along the channel
    /// axis; with no weights, minus the mean over all channels there (Lucent's <c>neuron_weight</c>).
    /// </summary>
    /// <param name="layer">The layer name; its activations must be (batch, channels, height, width).</param>
    /// <param name="weights">One weight per channel (copied), or null for equal weights.</param>
    /// <param name="x">The column; null for the centre <c>width / 2</c>.</param>
    /// <param name="y">The row; null for the centre <c>height / 2</c>.</param>
    /// <param name="batch">Read only this batch element; null for the whole batch.</param>
    /// <returns>The objective <c>neuron_weight(layer, ...)</c>.</returns>
    [TextFunction("neuron_weight", "Maximise a weighted sum of channels at one position (`Objective.NeuronWeight`).")]
    public static Objective NeuronWeight(string layer, [TextName("weight", "weights")] Tensor? weights, int? x = null, int? y = null, int? batch = null) =>
        NeuronWeight(layer, weights is null ? null : ConstantTensor.From(weights, nameof(weights)), x, y, batch);

    /// <inheritdoc cref="NeuronWeight(string, Tensor?, int?, int?, int?)"/>
    public static Objective NeuronWeight(string layer, ReadOnlySpan<float> weights, int? x = null, int? y = null, int? batch = null) =>
        NeuronWeight(layer, ConstantTensor.From(weights, nameof(weights)), x, y, batch);

    /// <summary>
    /// Maximise a weighted sum of channels over a window: minus the mean of the activations in rows
    /// <c>y..y+wy-1</c> and columns <c>x..x+wx-1</c> times <paramref name="weights"/> along the channel
    /// axis; with no weights, minus the mean of the window (Lucent's <c>localgroup_weight</c>). As in
    /// Lucent, a window that runs past the edge is cut at the edge.
    /// </summary>
    /// <param name="layer">The layer name; its activations must be (batch, channels, height, width).</param>
    /// <param name="weights">One weight per channel (copied), or null for equal weights.</param>
    /// <param name="x">The window's first column.</param>
    /// <param name="y">The window's first row.</param>
    /// <param name="wx">The window's width, at least 1.</param>
    /// <param name="wy">The window's height, at least 1.</param>
    /// <param name="batch">Read only this batch element; null for the whole batch.</param>
    /// <returns>The objective <c>localgroup_weight(layer, ...)</c>.</returns>
    [TextFunction("localgroup_weight", "Maximise a weighted sum of channels over a window; wx and wy default to 1 (`Objective.LocalGroupWeight`).")]
    public static Objective LocalGroupWeight(string layer, [TextName("weight", "weights")] Tensor? weights, int x, int y, int wx = 1, int wy = 1, int? batch = null) =>
        LocalGroupWeight(layer, weights is null ? null : ConstantTensor.From(weights, nameof(weights)), x, y, wx, wy, batch);

    /// <inheritdoc cref="LocalGroupWeight(string, Tensor?, int, int, int, int, int?)"/>
    public static Objective LocalGroupWeight(string layer, ReadOnlySpan<float> weights, int x, int y, int wx = 1, int wy = 1, int? batch = null) =>
        LocalGroupWeight(layer, ConstantTensor.From(weights, nameof(weights)), x, y, wx, wy, batch);

    /// <summary>
    /// Maximise a direction in activation space: minus the mean over batch and positions of the
    /// cosine similarity, along the channel axis, between <paramref name="direction"/> and the
    /// activations (Lucent's <c>direction</c>). With <paramref name="cossimPow"/> set, Lucid's form
    /// instead: minus the mean of <c>dot · max(0.1, cos)^cossimPow</c>, where <c>dot</c> is the dot
    /// product with the direction (so 0 gives minus the mean dot product).
    /// </summary>
    /// <param name="layer">The layer name.</param>
    /// <param name="direction">One value per channel; copied.</param>
    /// <param name="batch">Read only this batch element; null for the whole batch.</param>
    /// <param name="cossimPow">Null for Lucent's cosine similarity; a number for Lucid's weighting.</param>
    /// <param name="tokens">On a token layer (batch, tokens, features): which tokens; by default the patch tokens (every token but the class token when the layer has one, see <see cref="TokenLayers"/>).</param>
    /// <param name="layout">Where the channel axis is: by default from the rank (rank 3 is a token layer); <see cref="ActivationLayout.Nhwc"/> for a channels-last grid such as Swin's.</param>
    /// <returns>The objective <c>direction(layer, [C values])</c>.</returns>
    /// <remarks>On a token layer (batch, tokens, features) the direction has one value per feature and the
    /// similarity is taken per token, over the tokens <paramref name="tokens"/> selects.</remarks>
    [TextFunction("direction", "Maximise the cosine similarity with a direction in channel space (`Objective.Direction`).")]
    public static Objective Direction(string layer, [TextName("direction", "vec")] Tensor direction, int? batch = null, double? cossimPow = null, TokenSelection tokens = TokenSelection.Auto, ActivationLayout layout = ActivationLayout.Auto) =>
        Direction(layer, ConstantTensor.From(direction, nameof(direction)), batch, cossimPow, tokens, layout);

    /// <inheritdoc cref="Direction(string, Tensor, int?, double?, TokenSelection, ActivationLayout)"/>
    public static Objective Direction(string layer, ReadOnlySpan<float> direction, int? batch = null, double? cossimPow = null, TokenSelection tokens = TokenSelection.Auto, ActivationLayout layout = ActivationLayout.Auto) =>
        Direction(layer, ConstantTensor.From(direction, nameof(direction)), batch, cossimPow, tokens, layout);

    /// <summary>
    /// Maximise a direction at one position: as <see cref="Direction(string, Tensor, int?, double?, TokenSelection, ActivationLayout)"/>
    /// but only at (<paramref name="x"/>, <paramref name="y"/>), default the centre (Lucent's
    /// <c>direction_neuron</c>).
    /// </summary>
    /// <param name="layer">The layer name; its activations must be (batch, channels, height, width).</param>
    /// <param name="direction">One value per channel; copied.</param>
    /// <param name="x">The column; null for the centre <c>width / 2</c>.</param>
    /// <param name="y">The row; null for the centre <c>height / 2</c>.</param>
    /// <param name="batch">Read only this batch element; null for the whole batch.</param>
    /// <param name="cossimPow">Null for Lucent's cosine similarity; a number for Lucid's weighting.</param>
    /// <param name="layout">Where the channel axis is: by default from the rank (rank 3 is a token layer); <see cref="ActivationLayout.Nhwc"/> for a channels-last grid such as Swin's.</param>
    /// <returns>The objective <c>direction_neuron(layer, [C values])</c>.</returns>
    /// <remarks>On a token layer (batch, tokens, features): the direction over the features of token
    /// <paramref name="x"/> (default the centre patch token); <paramref name="y"/> is refused there.</remarks>
    [TextFunction("direction_neuron", "Maximise the cosine similarity with a direction at one position (`Objective.DirectionNeuron`).")]
    public static Objective DirectionNeuron(string layer, [TextName("direction", "vec")] Tensor direction, int? x = null, int? y = null, int? batch = null, double? cossimPow = null, ActivationLayout layout = ActivationLayout.Auto) =>
        DirectionNeuron(layer, ConstantTensor.From(direction, nameof(direction)), x, y, batch, cossimPow, layout);

    /// <inheritdoc cref="DirectionNeuron(string, Tensor, int?, int?, int?, double?, ActivationLayout)"/>
    public static Objective DirectionNeuron(string layer, ReadOnlySpan<float> direction, int? x = null, int? y = null, int? batch = null, double? cossimPow = null, ActivationLayout layout = ActivationLayout.Auto) =>
        DirectionNeuron(layer, ConstantTensor.From(direction, nameof(direction)), x, y, batch, cossimPow, layout);

    /// <summary>
    /// Interpolate across the batch between two channels (Lucent's <c>channel_interpolate</c>): with
    /// batch size N and weights <c>w_i = i / (N - 1)</c>, minus
    /// <c>sum_i (1 - w_i) · mean(layer1[i, channel1]) + w_i · mean(layer2[i, channel2])</c>, so image
    /// 0 shows only the first channel and image N-1 only the second. Needs N of at least 2.
    /// </summary>
    /// <param name="layer1">The first channel's layer.</param>
    /// <param name="channel1">The first channel, fully weighted at batch element 0.</param>
    /// <param name="layer2">The second channel's layer.</param>
    /// <param name="channel2">The second channel, fully weighted at the last batch element.</param>
    /// <param name="tokens">For both layers, on a token layer (batch, tokens, features): which tokens; by default the patch tokens (every token but the class token when the layer has one, see <see cref="TokenLayers"/>).</param>
    /// <param name="layout">Where the channel axis is in both layers: by default from the rank (rank 3 is a token layer); <see cref="ActivationLayout.Nhwc"/> for a channels-last grid such as Swin's.</param>
    /// <returns>The objective <c>channel_interpolate(layer1, n1, layer2, n2)</c>.</returns>
    /// <remarks>On token layers a channel is a feature averaged over the selected tokens, as in <see cref="Channel(string, int, int?, TokenSelection, ActivationLayout)"/>.</remarks>
    [TextFunction("channel_interpolate", "Interpolate between two channels across the batch (`Objective.ChannelInterpolate`).")]
    public static Objective ChannelInterpolate(string layer1, [TextName("n_channel1", "channel1")] int channel1, string layer2, [TextName("n_channel2", "channel2")] int channel2, TokenSelection tokens = TokenSelection.Auto, ActivationLayout layout = ActivationLayout.Auto)
    {
        RequireLayer(layer1);
        RequireLayer(layer2);
        ArgumentOutOfRangeException.ThrowIfNegative(channel1);
        ArgumentOutOfRangeException.ThrowIfNegative(channel2);
        RequireView(tokens, layout);
        return new LayerObjective(
            FormatName("channel_interpolate", null, [layer1, Number(channel1), layer2, Number(channel2), .. ViewArgs(tokens, layout)]),
            $"Minus a mean of channel {channel1} of layer '{layer1}' and channel {channel2} of layer '{layer2}' whose weights move linearly across the batch from the first channel to the second.{ViewText(tokens, layout)}",
            Distinct(layer1, layer2),
            null,
            a =>
            {
                Tensor full1 = a[layer1];
                Tensor full2 = a[layer2];
                Tensor t1 = ChannelsFirst(full1, layer1, "channel_interpolate", tokens, layout);
                Tensor t2 = ChannelsFirst(full2, layer2, "channel_interpolate", tokens, layout);
                RequireFeature(t1, full1, layer1, channel1, layout);
                RequireFeature(t2, full2, layer2, channel2, layout);
                long n = t1.size(0);
                if (n < 2 || t2.size(0) != n)
                {
                    throw new ObjectiveArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"channel_interpolate needs a batch of at least 2 images, the same in both layers, but layer '{layer1}' has shape {ActivationChecks.FormatShape(t1.shape)} and layer '{layer2}' has shape {ActivationChecks.FormatShape(t2.shape)}: render with a batch size of 2 or more."),
                        "batch",
                        layer1,
                        t1.shape);
                }

                Tensor m1 = t1.select(1, channel1).reshape(n, -1).mean([1L]);
                Tensor m2 = t2.select(1, channel2).reshape(n, -1).mean([1L]);
                Tensor w = arange(n, dtype: m1.dtype, device: m1.device).div_(n - 1);
                return m1.mul(w.neg().add_(1)).add_(m2.mul(w)).sum().neg();
            });
    }

    /// <summary>
    /// Encourage neighbouring images of the batch to look alike (Lucent's <c>alignment</c>): the sum,
    /// over batch distances d = 1..4 and pairs (i, i + d), of the mean squared difference of their
    /// activations divided by <c>decayRatio^d</c>. This is a penalty (it is positive): add it.
    /// </summary>
    /// <param name="layer">The layer to compare at.</param>
    /// <param name="decayRatio">How much less pairs further apart count; Lucent's default 2.</param>
    /// <param name="tokens">On a token layer (batch, tokens, features): which tokens are compared; by default the patch tokens (every token but the class token when the layer has one, see <see cref="TokenLayers"/>).</param>
    /// <returns>The objective <c>alignment(layer)</c>.</returns>
    [TextFunction("alignment", "Penalise differences between neighbouring batch elements; decay_ratio defaults to 2 (`Objective.Alignment`).")]
    public static Objective Alignment(string layer, double decayRatio = 2, TokenSelection tokens = TokenSelection.Auto)
    {
        RequireEnum(tokens, nameof(tokens));
        if (!double.IsFinite(decayRatio) || decayRatio <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(decayRatio), decayRatio, "The decay ratio must be a positive number (Lucent's default is 2).");
        }

        return OnLayer("alignment", [layer, .. decayRatio == 2 ? Array.Empty<string>() : [Number(decayRatio)], .. ViewArgs(tokens, ActivationLayout.Auto)], $"The mean squared difference of the activations of layer '{layer}' between batch neighbours up to 4 apart, divided by {Number(decayRatio)}^distance (minimising it aligns the images).{ViewText(tokens, ActivationLayout.Auto)}", layer, null, t =>
        {
            t = t.dim() == 3 ? SelectTokens(t, layer, "alignment", tokens) : t;
            RequireNoTokenSelection(t, layer, "alignment", t.dim() == 3 ? TokenSelection.Auto : tokens, "it is not a (batch, tokens, features) layer");
            ActivationChecks.RequireRank(t, layer, 1, "alignment", "(batch, ...)");
            long n = t.size(0);
            Tensor total = t.sum().mul(0);
            for (long d = 1; d <= 4 && d < n; d++)
            {
                Tensor diff = t.narrow(0, d, n - d).sub(t.narrow(0, 0, n - d));
                Tensor pairMeans = diff.square().reshape(n - d, -1).mean([1L]);
                total = total.add(pairMeans.sum().div(Math.Pow(decayRatio, d)));
            }

            return total;
        });
    }

    /// <summary>
    /// Lucent's <c>diversity</c>: minus the sum, over ordered pairs of different batch elements, of the
    /// dot products of their L2-normalised Gram matrices (channel correlations) at
    /// <paramref name="layer"/>, divided by the batch size. Minimising it makes the images' styles
    /// alike, so subtract it to make them differ: <c>Channel(...) - 100 * Diversity(layer)</c>.
    /// </summary>
    /// <param name="layer">The layer whose channel correlations are compared.</param>
    /// <param name="tokens">On a token layer (batch, tokens, features): which tokens; by default the patch tokens (every token but the class token when the layer has one, see <see cref="TokenLayers"/>).</param>
    /// <param name="layout">Where the channel axis is: by default from the rank (rank 3 is a token layer); <see cref="ActivationLayout.Nhwc"/> for a channels-last grid such as Swin's.</param>
    /// <returns>The objective <c>diversity(layer)</c>.</returns>
    /// <remarks>On a token layer (batch, tokens, features) the Gram matrix is features x features, summed
    /// over the selected tokens.</remarks>
    [TextFunction("diversity", "Reward differences between batch elements: subtract it (`Objective.Diversity`).")]
    public static Objective Diversity(string layer, TokenSelection tokens = TokenSelection.Auto, ActivationLayout layout = ActivationLayout.Auto)
    {
        RequireView(tokens, layout);
        return OnLayer("diversity", [layer, .. ViewArgs(tokens, layout)], $"Minus the summed cosine similarity of the Gram matrices of layer '{layer}' between different batch elements, over the batch size (subtract it to make the images differ).{ViewText(tokens, layout)}", layer, null, full =>
        {
            Tensor t = ChannelsFirst(full, layer, "diversity", tokens, layout);
            ActivationChecks.RequireRank(t, layer, 2, "diversity", ChannelLayout);
            long n = t.size(0);
            long c = t.size(1);
            Tensor flat = t.reshape(n, c, -1);
            Tensor grams = flat.bmm(flat.transpose(1, 2)).reshape(n, -1);
            Tensor unit = Functional.normalize(grams, p: 2, dim: 1, eps: 1e-12);
            Tensor similarity = unit.mm(unit.t());
            return similarity.sum().sub(similarity.trace()).div(n).neg();
        });
    }

    /// <summary>
    /// Lucent's <c>blur_input_each_step</c>: minus <c>0.5 · sum((x - blur(x))^2)</c> over the input
    /// image, where <c>blur</c> is a 3x3 per-channel filter (centre weight 1, border 0.5, zero padding)
    /// normalised by the same filter applied to ones, and is held constant (no gradient flows through
    /// it). Minimising <c>-k * BlurInputEachStep()</c> moves the image a step towards its blur, as
    /// Lucent documents.
    /// </summary>
    /// <param name="batch">Read only this batch element; null for the whole batch.</param>
    /// <returns>The objective <c>blur_input_each_step()</c>.</returns>
    [TextFunction("blur_input_each_step", "Move the input towards its blur on every step (`Objective.BlurInputEachStep`).")]
    public static Objective BlurInputEachStep(int? batch = null)
    {
        RequireBatchIndex(batch);
        return OnLayer("blur_input_each_step", [], "Minus half the squared distance between the input image and its 3x3 blur (use -k * BlurInputEachStep() to blur the image each step).", IActivationLookup.Input, batch, t =>
        {
            ActivationChecks.RequireRank(t, IActivationLookup.Input, 4, "blur_input_each_step", ImageLayout);
            return MinusHalfDistanceToBlur(t);
        });
    }

    /// <summary>
    /// Lucid's <c>blur_alpha_each_step</c>, negated like <see cref="BlurInputEachStep"/>: minus
    /// <c>0.5 · sum((α - blur(α))^2)</c> over the alpha channel (channel 3) of the RGBA input image, with
    /// the same 3x3 normalised blur held constant. Minimising <c>-k * BlurAlphaEachStep()</c> moves alpha a
    /// step towards its blur, which smooths the mask of a transparent visualisation.
    /// </summary>
    /// <param name="batch">Read only this batch element; null for the whole batch.</param>
    /// <returns>The objective <c>blur_alpha_each_step()</c>.</returns>
    /// <remarks>The input must have at least 4 channels (an RGBA parameterisation, <c>ImageOptions.Alpha</c>);
    /// otherwise <see cref="IObjective.Compute"/> throws <see cref="ObjectiveArgumentException"/>.</remarks>
    [TextFunction("blur_alpha_each_step", "Move the alpha channel of an RGBA input towards its blur on every step (`Objective.BlurAlphaEachStep`).")]
    public static Objective BlurAlphaEachStep(int? batch = null)
    {
        RequireBatchIndex(batch);
        return OnLayer("blur_alpha_each_step", [], "Minus half the squared distance between the input's alpha channel and its 3x3 blur (use -k * BlurAlphaEachStep() to blur alpha each step).", IActivationLookup.Input, batch, t =>
        {
            ActivationChecks.RequireRank(t, IActivationLookup.Input, 4, "blur_alpha_each_step", ImageLayout);
            RequireAlpha(t, "blur_alpha_each_step");
            return MinusHalfDistanceToBlur(t.narrow(1, 3, 1));
        });
    }

    /// <summary>
    /// Lucid's <c>penalize_boundary_complexity(shp, w=20, mask=None, C=0.5)</c>, negated: the sum over a
    /// border of <paramref name="width"/> pixels (or over <paramref name="mask"/>) of
    /// <c>(blur5(x) - x)^2 + 0.8 · (x - C)^2</c> for every channel of the input image, where <c>blur5</c> is
    /// Lucid's 5x5 per-channel filter (border 0.5, inner 3x3 weight 1, zero padding) normalised by the same
    /// filter applied to ones, with gradients through the blur as in Lucid. A penalty that is positive: add it,
    /// as in Lucid (<c>Channel(...) + PenalizeBoundaryComplexity()</c>), to make the image's border smooth and
    /// of colour <paramref name="color"/> (for an RGBA input, alpha too is pulled to <paramref name="color"/>).
    /// </summary>
    /// <param name="width">Width of the border in pixels (Lucid's <c>w</c>, 20); at least 1. Ignored when <paramref name="mask"/> is given. A border
    /// at least half the image's size covers the whole image, as Lucid's slicing does.</param>
    /// <param name="color">The colour the border is pulled to (Lucid's <c>C</c>, 0.5); finite.</param>
    /// <param name="mask">Where to penalise instead of the border: weights broadcastable to the input,
    /// laid out (batch, channels, height, width), (channels, height, width) or (height, width); copied. Null for the border.</param>
    /// <param name="batch">Read only this batch element; null for the whole batch.</param>
    /// <returns>The objective <c>penalize_boundary_complexity(w=..., C=...)</c>.</returns>
    [TextFunction("penalize_boundary_complexity", "Penalise a complex border that is not of colour C: add it; w defaults to 20 pixels and C to 0.5, no mask in expressions (`Objective.PenalizeBoundaryComplexity`).")]
    public static Objective PenalizeBoundaryComplexity([TextName("w", "width")] int width = 20, [TextName("C", "color")] double color = 0.5, [NotInText] Tensor? mask = null, int? batch = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1, nameof(width));
        RequireFiniteArgument(color, nameof(color));
        RequireBatchIndex(batch);
        var weights = mask is null ? null : ConstantTensor.From(mask, nameof(mask));
        string input = IActivationLookup.Input;
        string[] args = weights is null
            ? [$"w={Number(width)}", $"C={Number(color)}"]
            : [$"mask={ActivationChecks.FormatShape(weights.Shape)}", $"C={Number(color)}"];
        string where = weights is null
            ? $"a border of {Number(width)} pixels"
            : $"a mask of shape {ActivationChecks.FormatShape(weights.Shape)}";
        return OnLayer("penalize_boundary_complexity", args, $"The squared distance of the input from its 5x5 blur plus 0.8 times its squared distance from {Number(color)}, summed over {where} (a penalty: add it).", input, batch, t =>
        {
            ActivationChecks.RequireRank(t, input, 4, "penalize_boundary_complexity", ImageLayout);
            Tensor region;
            if (weights is null)
            {
                region = BorderMask(t, width);
            }
            else
            {
                RequireBroadcastable(t, weights.Shape, "The mask", "mask");
                region = weights.AsTensor(t);
            }

            Tensor diffs = LucidBlur(t, 5).sub(t).square().add(t.sub(color).square().mul(0.8));
            return diffs.mul(region).sum();
        });
    }

    /// <summary>
    /// Lucid's <c>L1</c>, negated like every Lucid objective: minus <c>sum(|layer - constant|)</c>.
    /// Use it as a penalty by subtracting it: <c>Channel(...) - 0.05 * L1()</c>.
    /// </summary>
    /// <param name="layer">The layer; Lucid's default is the input image.</param>
    /// <param name="constant">The value to measure the distance from.</param>
    /// <param name="batch">Read only this batch element; null for the whole batch.</param>
    /// <returns>The objective <c>L1(layer)</c>.</returns>
    [TextFunction("l1", "Minus the L1 distance from a constant; layer defaults to `input`, constant to 0 (`Objective.L1`).")]
    public static Objective L1(string layer = IActivationLookup.Input, double constant = 0, int? batch = null)
    {
        RequireFiniteArgument(constant, nameof(constant));
        return OnLayer("L1", constant == 0 ? [layer] : [layer, Number(constant)], $"Minus the L1 distance of layer '{layer}' from {Number(constant)} (subtract it to penalise the L1 norm).", layer, batch, t => t.sub(constant).abs().sum().neg());
    }

    /// <summary>
    /// Lucid's <c>L2</c>, negated: minus <c>sqrt(epsilon + sum((layer - constant)^2))</c>. Use it as a
    /// penalty by subtracting it.
    /// </summary>
    /// <param name="layer">The layer; Lucid's default is the input image.</param>
    /// <param name="constant">The value to measure the distance from.</param>
    /// <param name="epsilon">Added under the square root so the gradient stays finite at 0.</param>
    /// <param name="batch">Read only this batch element; null for the whole batch.</param>
    /// <returns>The objective <c>L2(layer)</c>.</returns>
    [TextFunction("l2", "Minus the L2 distance from a constant; layer defaults to `input`, constant to 0, epsilon to 1e-6 (`Objective.L2`).")]
    public static Objective L2(string layer = IActivationLookup.Input, double constant = 0, double epsilon = 1e-6, int? batch = null)
    {
        RequireFiniteArgument(constant, nameof(constant));
        if (!double.IsFinite(epsilon) || epsilon < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon must be a non-negative number (Lucid's default is 1e-6).");
        }

        return OnLayer("L2", constant == 0 ? [layer] : [layer, Number(constant)], $"Minus the L2 distance of layer '{layer}' from {Number(constant)} (subtract it to penalise the L2 norm).", layer, batch, t => t.sub(constant).square().sum().add(epsilon).sqrt().neg());
    }

    /// <summary>
    /// Lucid's <c>total_variation</c>, negated: minus the sum of absolute differences between
    /// vertically and horizontally neighbouring values of each channel (the last two axes). Use it as
    /// a penalty by subtracting it: <c>Channel(...) - 0.25 * TotalVariation()</c>.
    /// </summary>
    /// <param name="layer">The layer; Lucid's default is the input image.</param>
    /// <param name="batch">Read only this batch element; null for the whole batch.</param>
    /// <returns>The objective <c>total_variation(layer)</c>.</returns>
    [TextFunction("total_variation", "Minus the total variation; layer defaults to `input` (`Objective.TotalVariation`).")]
    public static Objective TotalVariation(string layer = IActivationLookup.Input, int? batch = null)
    {
        return OnLayer("total_variation", [layer], $"Minus the total variation of layer '{layer}' (subtract it to penalise noise).", layer, batch, t =>
        {
            ActivationChecks.RequireRank(t, layer, 3, "total_variation", ImageLayout);
            long h = t.size(-2);
            long w = t.size(-1);
            Tensor vertical = t.narrow(-2, 1, h - 1).sub(t.narrow(-2, 0, h - 1)).abs().sum();
            Tensor horizontal = t.narrow(-1, 1, w - 1).sub(t.narrow(-1, 0, w - 1)).abs().sum();
            return vertical.add(horizontal).neg();
        });
    }

    /// <summary>Lucid's <c>deepdream</c>, negated: minus the mean of the squared activations of <paramref name="layer"/>.</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="batch">Read only this batch element; null for the whole batch.</param>
    /// <returns>The objective <c>deepdream(layer)</c>.</returns>
    [TextFunction("deepdream", "Maximise the mean square of a layer (`Objective.DeepDream`).")]
    public static Objective DeepDream(string layer, int? batch = null)
    {
        return OnLayer("deepdream", [layer], $"Minus the mean squared activation of layer '{layer}' (minimising it makes the whole layer more active).", layer, batch, t => t.square().mean().neg());
    }

    /// <summary>Maximise a whole layer: minus the mean of all its activations (captum.optim's <c>LayerActivation</c>).</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="batch">Read only this batch element; null for the whole batch.</param>
    /// <returns>The objective <c>layer_activation(layer)</c>.</returns>
    [TextFunction("layer_activation", "Maximise a whole layer: minus the mean of its activations (`Objective.LayerActivation`, captum.optim's `LayerActivation`).")]
    public static Objective LayerActivation(string layer, int? batch = null) =>
        OnLayer("layer_activation", [layer], $"Minus the mean activation of layer '{layer}' (minimising it makes the whole layer more active).", layer, batch, t => t.mean().neg());

    /// <summary>
    /// Lucid's <c>class_logit</c>, negated: minus the sum over the batch of class
    /// <paramref name="label"/> (axis 1) of <paramref name="layer"/>.
    /// </summary>
    /// <param name="label">The class index, from 0.</param>
    /// <param name="layer">The layer holding one value per class; default the model's output <c>labels</c>.
    /// Name a pre-softmax layer to maximise a logit rather than a probability.</param>
    /// <param name="batch">Read only this batch element; null for the whole batch.</param>
    /// <returns>The objective <c>class_logit(layer, label)</c>.</returns>
    public static Objective ClassLogit(int label, string layer = IActivationLookup.Labels, int? batch = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(label);
        return OnLayer("class_logit", [layer, Number(label)], $"Minus class {label} of layer '{layer}', summed over the batch (minimising it maximises the class).", layer, batch, t =>
        {
            ActivationChecks.RequireChannel(t, layer, label, "Class", "classes");
            return t.select(1, label).sum().neg();
        });
    }

    /// <summary>
    /// <see cref="ClassLogit(int, string, int?)"/> for a class named in the model's labels (its
    /// <see cref="IClassLabels"/>, e.g. InceptionV1's ImageNet labels): <c>ClassLogit("tabby")</c>. The name
    /// is looked up on the render's first step.
    /// </summary>
    /// <param name="className">A label or one of its comma-separated synonyms, in any case.</param>
    /// <param name="layer">The layer holding one value per class; default the model's output <c>labels</c>.</param>
    /// <param name="batch">Read only this batch element; null for the whole batch.</param>
    /// <returns>The objective <c>class_logit(layer, 'name')</c>.</returns>
    /// <remarks>Computing it throws <see cref="UnknownClassLabelException"/> (listing close names) for an unknown
    /// or ambiguous name, or when the model has no labels.</remarks>
    public static Objective ClassLogit(string className, string layer = IActivationLookup.Labels, int? batch = null)
    {
        return ByClassName("class_logit", $"Minus class '{className}' of layer '{layer}', summed over the batch (minimising it maximises the class).", layer, className, batch, index => ClassLogit(index, layer, batch));
    }

    /// <summary><see cref="ClassLogit(int, string, int?)"/> for a class named in <paramref name="labels"/>, looked up now.</summary>
    /// <param name="className">A label or one of its comma-separated synonyms, in any case.</param>
    /// <param name="labels">The model's labels.</param>
    /// <param name="layer">The layer holding one value per class; default the model's output <c>labels</c>.</param>
    /// <param name="batch">Read only this batch element; null for the whole batch.</param>
    /// <returns>The objective <c>class_logit(layer, index)</c>.</returns>
    /// <exception cref="UnknownClassLabelException">No class, or more than one, has the name; the message lists close names.</exception>
    public static Objective ClassLogit(string className, ClassLabels labels, string layer = IActivationLookup.Labels, int? batch = null)
    {
        RequireClassName(className);
        ArgumentNullException.ThrowIfNull(labels);
        return ClassLogit(labels.IndexOf(className), layer, batch);
    }

    /// <summary>
    /// <see cref="Channel(string, int, int?, TokenSelection, ActivationLayout)"/> for a class named in the model's labels: Lucent's
    /// <c>"labels:281"</c> written <c>"labels:tabby"</c>. The name is looked up on the render's first step.
    /// </summary>
    /// <param name="layer">The layer, usually <c>labels</c> (the model's output).</param>
    /// <param name="className">A label or one of its comma-separated synonyms, in any case.</param>
    /// <param name="batch">Read only this batch element; null for the whole batch.</param>
    /// <returns>The objective <c>channel(layer, 'name')</c>.</returns>
    public static Objective Channel(string layer, string className, int? batch = null)
    {
        return ByClassName("channel", $"Minus the mean of class '{className}' of layer '{layer}' (minimising it maximises the class).", layer, className, batch, index => Channel(layer, index, batch));
    }

    /// <summary>The text form of <c>class_logit</c>: the layer first (as in Lucid), the label an index or a name.</summary>
    [TextFunction("class_logit", "Maximise one class's logit (`Objective.ClassLogit`): layer `labels` is the model's output; label is an index or a class name (`tabby`, `'tabby cat'`) looked up in the model's labels.")]
    private static Objective ClassLogitByLabel(string layer, object label, int? batch = null) =>
        label is string name ? ClassLogit(name, layer, batch) : ClassLogit((int)label, layer, batch);

    /// <summary>An objective on a class named in the model's labels, <c>function(layer, 'name')</c>, built by <paramref name="byIndex"/> once the name is looked up.</summary>
    private static ClassNameObjective ByClassName(string function, string description, string layer, string className, int? batch, Func<int, Objective> byIndex)
    {
        RequireLayer(layer);
        RequireClassName(className);
        RequireBatchIndex(batch);
        return new ClassNameObjective(FormatName(function, batch, layer, Quote(className)), Batched(description, batch), layer, className, byIndex);
    }

    private static void RequireClassName(string className)
    {
        ArgumentNullException.ThrowIfNull(className);
        if (string.IsNullOrWhiteSpace(className))
        {
            throw new ArgumentException("The class name is empty; give a label such as \"tabby\" or the class index.", nameof(className));
        }
    }

    private static string Quote(string text) => text.Contains('\'', StringComparison.Ordinal) ? $"\"{text}\"" : $"'{text}'";

    /// <summary>
    /// Lucid's <c>input_diff</c>, negated: minus the root mean square difference between the input
    /// image and <paramref name="original"/>. Lucid uses it as a penalty for adversarial examples:
    /// subtract it (<c>ClassLogit(k) - 10 * InputDiff(original)</c>).
    /// </summary>
    /// <param name="original">The image to stay close to, (batch, channels, height, width) or
    /// (channels, height, width) in the input's range; copied.</param>
    /// <param name="epsilon">Added under the square root; 0 as in Lucid. Set it (e.g. 1e-12) if the
    /// optimisation may start exactly at <paramref name="original"/>, where the gradient of a square
    /// root of 0 is not finite.</param>
    /// <param name="batch">Read only this batch element; null for the whole batch.</param>
    /// <returns>The objective <c>input_diff()</c>.</returns>
    public static Objective InputDiff(Tensor original, double epsilon = 0, int? batch = null)
    {
        var image = ConstantTensor.From(original, nameof(original));
        if (!double.IsFinite(epsilon) || epsilon < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon must be a non-negative number.");
        }

        RequireBatchIndex(batch);
        string input = IActivationLookup.Input;
        return OnLayer("input_diff", [ActivationChecks.FormatShape(image.Shape)], $"Minus the root mean square difference between the input and an image of shape {ActivationChecks.FormatShape(image.Shape)} (subtract it to stay close to the image).", input, batch, t =>
        {
            RequireBroadcastable(t, image.Shape);
            return t.sub(image.AsTensor(t)).square().mean().add(epsilon).sqrt().neg();
        });
    }

    /// <summary>
    /// Feature inversion's loss: the mean squared difference between the layer's activations and
    /// <paramref name="target"/>, <c>mean((A - target)²)</c> over every element, a loss to minimise (add
    /// it). Capture the target with <c>ActivationCapture.Capture</c> on a photo, then render from noise
    /// minimising this objective to see what the layer keeps of the photo. Lucid and Lucent have no such
    /// built-in: their feature inversion notebooks maximise <c>dot_compare</c>, a dot product with the
    /// photo's activations (times a power of the cosine similarity), instead.
    /// </summary>
    /// <param name="layer">The layer name.</param>
    /// <param name="target">The activations to match, of the layer's shape or broadcastable to it
    /// (e.g. (1, channels, height, width) for a batch); copied, any device and floating type. The caller
    /// keeps ownership.</param>
    /// <param name="batch">Read only this batch element; null for the whole batch.</param>
    /// <returns>The objective <c>activation_difference(layer, [shape])</c>.</returns>
    /// <exception cref="ArgumentException"><paramref name="target"/> is empty or holds a non-finite value.</exception>
    /// <remarks>
    /// The target's shape is checked against the layer's on each step: a target that does not broadcast
    /// (captured at another image size, say) throws <see cref="ObjectiveArgumentException"/>.
    /// </remarks>
    public static Objective ActivationDifference(string layer, Tensor target, int? batch = null)
    {
        var goal = ConstantTensor.From(target, nameof(target));
        string shape = ActivationChecks.FormatShape(goal.Shape);
        return OnLayer("activation_difference", [layer, shape], $"The mean squared difference between the activations of layer '{layer}' and a target of shape {shape} (add it to match the target).", layer, batch, t =>
        {
            RequireBroadcastable(t, goal.Shape, layer, "The target activations", nameof(target));
            return t.sub(goal.AsTensor(t)).square().mean();
        });
    }

    private static Objective ChannelWeight(string layer, ConstantTensor weights, int? batch)
    {
        return OnLayer("channel_weight", [layer, VectorText(weights, "weights")], $"Minus the mean of the activations of layer '{layer}' weighted per channel by {weights.Length} weights.", layer, batch, t =>
        {
            ActivationChecks.RequireChannelVector(t, layer, weights.Length, "weights", "channel_weight");
            return t.mul(weights.AsChannelVector(t)).mean().neg();
        });
    }

    private static Objective NeuronWeight(string layer, ConstantTensor? weights, int? x, int? y, int? batch)
    {
        RequirePosition(x, y);
        string weighting = weights is null ? "averaged over channels" : $"weighted per channel by {weights.Length} weights";
        return OnLayer("neuron_weight", [layer, weights is null ? "None" : VectorText(weights, "weights"), .. PositionArgs(x, y)], $"Minus the mean of the activations of layer '{layer}' at {PositionText(x, y)}, {weighting}.", layer, batch, t =>
        {
            ActivationChecks.RequireRank(t, layer, 4, "neuron_weight", ImageLayout);
            var (px, py) = ResolvePosition(t, layer, x, y);
            Tensor at = t.narrow(2, py, 1).narrow(3, px, 1);
            if (weights is null)
            {
                return at.mean().neg();
            }

            ActivationChecks.RequireChannelVector(t, layer, weights.Length, "weights", "neuron_weight");
            return at.mul(weights.AsChannelVector(at)).mean().neg();
        });
    }

    private static Objective LocalGroupWeight(string layer, ConstantTensor? weights, int x, int y, int wx, int wy, int? batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        ArgumentOutOfRangeException.ThrowIfNegative(y);
        ArgumentOutOfRangeException.ThrowIfLessThan(wx, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(wy, 1);
        string weighting = weights is null ? "averaged over channels" : $"weighted per channel by {weights.Length} weights";
        return OnLayer("localgroup_weight", [layer, weights is null ? "None" : VectorText(weights, "weights"), $"x={Number(x)}", $"y={Number(y)}", $"wx={Number(wx)}", $"wy={Number(wy)}"], $"Minus the mean of the activations of layer '{layer}' in the {wx}x{wy} window at x={x}, y={y}, {weighting}.", layer, batch, t =>
        {
            ActivationChecks.RequireRank(t, layer, 4, "localgroup_weight", ImageLayout);
            ActivationChecks.RequireIndex(t, layer, 3, x, "x", "width, the last axis");
            ActivationChecks.RequireIndex(t, layer, 2, y, "y", "height, the third axis");
            long rows = Math.Min(wy, t.size(2) - y);
            long cols = Math.Min(wx, t.size(3) - x);
            Tensor window = t.narrow(2, y, rows).narrow(3, x, cols);
            if (weights is null)
            {
                return window.mean().neg();
            }

            ActivationChecks.RequireChannelVector(t, layer, weights.Length, "weights", "localgroup_weight");
            return window.mul(weights.AsChannelVector(window)).mean().neg();
        });
    }

    private static Objective Direction(string layer, ConstantTensor direction, int? batch, double? cossimPow, TokenSelection tokens, ActivationLayout layout)
    {
        RequireCossimPow(cossimPow);
        RequireView(tokens, layout);
        return OnLayer("direction", [layer, VectorText(direction, "values"), .. CossimArgs(cossimPow), .. ViewArgs(tokens, layout)], $"Minus the mean {SimilarityText(cossimPow)} between the activations of layer '{layer}' and a direction of {direction.Length} channels.{ViewText(tokens, layout)}", layer, batch, full =>
        {
            Tensor t = ChannelsFirst(full, layer, "direction", tokens, layout);
            ActivationChecks.RequireChannelVector(t, layer, direction.Length, "direction", "direction", full.shape);
            return DirectionLoss(t, direction, cossimPow);
        });
    }

    private static Objective DirectionNeuron(string layer, ConstantTensor direction, int? x, int? y, int? batch, double? cossimPow, ActivationLayout layout)
    {
        RequirePosition(x, y);
        RequireCossimPow(cossimPow);
        RequireEnum(layout, nameof(layout));
        return OnLayer("direction_neuron", [layer, VectorText(direction, "values"), .. PositionArgs(x, y), .. CossimArgs(cossimPow), .. ViewArgs(TokenSelection.Auto, layout)], $"Minus the {SimilarityText(cossimPow)} between the activations of layer '{layer}' at {PositionText(x, y)} (on a token layer, token x, by default the centre patch token) and a direction of {direction.Length} channels, averaged over the batch.{ViewText(TokenSelection.Auto, layout)}", layer, batch, full =>
        {
            Tensor at = AtPosition(full, layer, "direction_neuron", x, y, layout);
            ActivationChecks.RequireChannelVector(at, layer, direction.Length, "direction", "direction_neuron", full.shape);
            return DirectionLoss(at, direction, cossimPow);
        });
    }

    /// <summary>Minus the mean similarity along axis 1 between <paramref name="t"/> and the direction.</summary>
    private static Tensor DirectionLoss(Tensor t, ConstantTensor direction, double? cossimPow)
    {
        Tensor vector = direction.AsChannelVector(t);
        if (cossimPow is not double power)
        {
            return Functional.cosine_similarity(vector, t, dim: 1).mean().neg();
        }

        // Lucid's _dot_cossim: the dot product, weighted by the floored cosine similarity raised to a power.
        const double Epsilon = 1e-4;
        Tensor dot = t.mul(vector).sum([1L]);
        if (power == 0)
        {
            return dot.mean().neg();
        }

        // linalg's vector norm has a guarded gradient at zero (0, where sqrt(sum(x^2)) would give 0/0 = NaN
        // for a position whose activations are all zero, e.g. behind a dead ReLU).
        Tensor activationNorm = t.norm(1).add(Epsilon);
        Tensor vectorNorm = vector.norm().add(Epsilon);
        Tensor cosine = dot.div(activationNorm).div(vectorNorm);
        return dot.mul(cosine.clamp_min(0.1).pow(power)).mean().neg();
    }

    /// <summary>The position to read: the given one, or the centre (size / 2), checked against the shape.</summary>
    private static (long X, long Y) ResolvePosition(Tensor t, string layer, int? x, int? y)
    {
        long px = x ?? t.size(3) / 2;
        long py = y ?? t.size(2) / 2;
        ActivationChecks.RequireIndex(t, layer, 3, px, "x", "width, the last axis");
        ActivationChecks.RequireIndex(t, layer, 2, py, "y", "height, the third axis");
        return (px, py);
    }

    /// <summary>
    /// Lucid's <c>_tf_blur(x, w)</c> for (batch, channels, height, width) images: a w x w per-channel filter with
    /// weight 0.5 on its outer ring and 1 inside, zero padding to the same size, divided by the same filter
    /// applied to ones (so edges are averages of the pixels present). Differentiable.
    /// </summary>
    /// <summary>
    /// <c>-0.5 · sum((x - blur3(x))^2)</c> with the blur held constant, the loss of Lucid's <c>blur_input_each_step</c>
    /// and <c>blur_alpha_each_step</c>: its gradient moves <paramref name="x"/> a step towards its blur.
    /// </summary>
    private static Tensor MinusHalfDistanceToBlur(Tensor x)
    {
        Tensor blurred;
        using (no_grad())
        {
            blurred = LucidBlur(x.detach(), 3);
        }

        return x.sub(blurred).square().sum().mul(-0.5);
    }

    private static Tensor LucidBlur(Tensor t, int size)
    {
        long channels = t.size(1);
        var kernel = new float[size * size];
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                bool ring = y == 0 || x == 0 || y == size - 1 || x == size - 1;
                kernel[(y * size) + x] = ring ? 0.5f : 1f;
            }
        }

        long pad = size / 2;
        Tensor filter = tensor(kernel, [1, 1, size, size], ScalarType.Float32).to(t.dtype, t.device).expand(channels, 1, size, size).contiguous();
        Tensor sums = Functional.conv2d(t, filter, padding: [pad, pad], groups: channels);
        Tensor counts;
        using (no_grad())
        {
            counts = Functional.conv2d(ones_like(t), filter, padding: [pad, pad], groups: channels);
        }

        return sums.div(counts);
    }

    /// <summary>Lucid's default boundary mask: ones, with <c>[:, :, w:-w, w:-w]</c> set to 0 (an empty slice when <c>2w</c> reaches the size).</summary>
    private static Tensor BorderMask(Tensor t, int width)
    {
        long height = t.size(2);
        long w = t.size(3);
        Tensor mask = ones([1, 1, height, w], t.dtype, t.device);
        long rows = height - (2L * width);
        long columns = w - (2L * width);
        if (rows > 0 && columns > 0)
        {
            using var noGrad = no_grad();
            mask.narrow(2, width, rows).narrow(3, width, columns).fill_(0);
        }

        return mask;
    }

    private static void RequireAlpha(Tensor input, string objective)
    {
        if (input.size(1) < 4)
        {
            throw new ObjectiveArgumentException(
                $"{objective} reads the alpha channel (channel 3) of the input, but the input has {input.size(1)} channels (shape {ActivationChecks.FormatShape(input.shape)}). Render an RGBA image: set ImageOptions.Alpha (ImageParameterizations.Rgba).",
                "input",
                IActivationLookup.Input,
                input.shape);
        }
    }

    private static void RequireBroadcastable(Tensor input, long[] imageShape) =>
        RequireBroadcastable(input, imageShape, IActivationLookup.Input, "The original image", "original");

    private static void RequireBroadcastable(Tensor input, long[] imageShape, string what, string paramName) =>
        RequireBroadcastable(input, imageShape, IActivationLookup.Input, what, paramName);

    private static void RequireBroadcastable(Tensor input, long[] imageShape, string layer, string what, string paramName)
    {
        long[] shape = input.shape;
        bool fits = imageShape.Length <= shape.Length;
        for (int i = 1; fits && i <= imageShape.Length; i++)
        {
            long have = imageShape[^i];
            fits = have == 1 || have == shape[^i];
        }

        if (!fits)
        {
            string message = string.Equals(layer, IActivationLookup.Input, StringComparison.Ordinal)
                ? $"{what} has shape {ActivationChecks.FormatShape(imageShape)} but the input has shape {ActivationChecks.FormatShape(shape)}: pass a tensor broadcastable to the input's shape (batch, channels, height, width), e.g. (channels, height, width)."
                : $"{what} have shape {ActivationChecks.FormatShape(imageShape)} but layer '{layer}' has shape {ActivationChecks.FormatShape(shape)}: pass a tensor broadcastable to the layer's shape, e.g. activations captured from an image of the size being rendered, through the same resize (FixedImageSize).";
            throw new ObjectiveArgumentException(message, paramName, layer, shape);
        }
    }

    /// <summary>
    /// An objective on one layer, named <c>function(args[, batch=b])</c>, reading only <paramref name="layer"/> (of
    /// batch element <paramref name="batch"/> when it is set); <paramref name="loss"/> gets the layer's activations.
    /// Checks the layer name and the batch index, the checks every such objective makes.
    /// </summary>
    private static LayerObjective OnLayer(string function, string[] args, string description, string layer, int? batch, Func<Tensor, Tensor> loss, int? axisOneChannel = null)
    {
        RequireLayer(layer);
        RequireBatchIndex(batch);
        return new LayerObjective(FormatName(function, batch, args), Batched(description, batch), [layer], batch, a => loss(a[layer]))
        {
            AxisOneChannel = axisOneChannel,
        };
    }

    /// <summary>
    /// The one channel an objective reads on axis 1 of a (batch, channels, height, width) layer, as told to
    /// models that can skip the rest (<see cref="Activations.IPrunableModel"/>); null where the view options
    /// could put the channel on another axis.
    /// </summary>
    private static int? AxisOneChannel(int channel, TokenSelection tokens, ActivationLayout layout) =>
        tokens == TokenSelection.Auto && layout == ActivationLayout.Auto ? channel : null;

    private static void RequireView(TokenSelection tokens, ActivationLayout layout)
    {
        RequireEnum(tokens, nameof(tokens));
        RequireEnum(layout, nameof(layout));
    }

    private static void RequireLayer(string layer) => ArgumentException.ThrowIfNullOrWhiteSpace(layer);

    private static void RequireBatchIndex(int? batch)
    {
        if (batch is int b)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(b, nameof(batch));
        }
    }

    private static void RequirePosition(int? x, int? y)
    {
        if (x is int px)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(px, nameof(x));
        }

        if (y is int py)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(py, nameof(y));
        }
    }

    private static void RequireCossimPow(double? cossimPow)
    {
        if (cossimPow is double p && (!double.IsFinite(p) || p < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(cossimPow), p, "cossimPow must be a non-negative number, or null for Lucent's cosine similarity.");
        }
    }

    private static void RequireFiniteArgument(double value, string name)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number.");
        }
    }

    private static string Number(double value) => ActivationChecks.FormatNumber(value);

    private static string VectorText(ConstantTensor vector, string what) =>
        string.Create(CultureInfo.InvariantCulture, $"[{vector.Length} {what}]");

    private static string[] PositionArgs(int? x, int? y) =>
        [.. (x is int px ? new[] { $"x={Number(px)}" } : []), .. (y is int py ? new[] { $"y={Number(py)}" } : [])];

    private static string[] CossimArgs(double? cossimPow) => cossimPow is double p ? [$"cossim_pow={Number(p)}"] : [];

    private static string PositionText(int? x, int? y) =>
        (x, y) switch
        {
            (null, null) => "the centre",
            _ => $"x={(x is int px ? Number(px) : "centre")}, y={(y is int py ? Number(py) : "centre")}",
        };

    private static string SimilarityText(double? cossimPow) => cossimPow switch
    {
        null => "cosine similarity along the channel axis",
        0 => "dot product along the channel axis",
        double p => $"dot product times max(0.1, cosine similarity)^{Number(p)} along the channel axis",
    };

    private static string FormatName(string function, int? batch, params string[] args)
    {
        IEnumerable<string> all = batch is int b ? [.. args, $"batch={Number(b)}"] : args;
        return $"{function}({string.Join(", ", all)})";
    }

    private static string Batched(string description, int? batch) =>
        batch is int b ? string.Create(CultureInfo.InvariantCulture, $"{description} Reads only batch element {b}.") : description;

    private static string[] Distinct(string first, string second) =>
        string.Equals(first, second, StringComparison.Ordinal) ? [first] : [first, second];
}
