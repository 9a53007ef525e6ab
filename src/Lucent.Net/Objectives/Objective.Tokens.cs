using Lucent.Net.Activations;
using System.Globalization;
using static TorchSharp.torch;

namespace Lucent.Net.Objectives;

// How the channel-reading objectives see token layers and channels-last layers: each is turned into a
// (batch, channels, positions...) view, and the objective then reads it as it reads a convolution's output.
public abstract partial class Objective
{
    /// <summary>Whether <paramref name="t"/> is read with its channels on the last axis.</summary>
    private static bool IsChannelsLast(Tensor t, ActivationLayout layout) =>
        layout switch
        {
            ActivationLayout.Nhwc => true,
            ActivationLayout.Nchw => false,
            _ => t.dim() == 3,
        };

    /// <summary>
    /// A (batch, channels, positions...) view of <paramref name="t"/>: a token layer's selected tokens
    /// transposed to (batch, features, tokens); a channels-last layer's channels moved to axis 1; else
    /// <paramref name="t"/> itself.
    /// </summary>
    private static Tensor ChannelsFirst(Tensor t, string layer, string objective, TokenSelection tokens, ActivationLayout layout)
    {
        if (!IsChannelsLast(t, layout))
        {
            RequireNoTokenSelection(t, layer, objective, tokens, "its channels are on axis 1 (layout nchw)");
            return t;
        }

        long rank = t.dim();
        if (rank < 3)
        {
            long[] shape = t.shape;
            throw new ObjectiveArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{objective} was asked to read layer '{layer}' with its channels last (layout nhwc), but the layer has shape {ActivationChecks.FormatShape(shape)}: channels-last needs (batch, ..., channels) of rank 3 or more. Leave layout unset for this layer."),
                "layout",
                layer,
                shape);
        }

        if (rank == 3)
        {
            return SelectTokens(t, layer, objective, tokens).transpose(1, 2);
        }

        RequireNoTokenSelection(t, layer, objective, tokens, "it is a grid (batch, height, width, channels) with no class token");
        var order = new long[rank];
        order[1] = rank - 1;
        for (long i = 2; i < rank; i++)
        {
            order[i] = i - 1;
        }

        return t.permute(order);
    }

    /// <summary>The tokens of a (batch, tokens, features) layer that <paramref name="tokens"/> selects.</summary>
    private static Tensor SelectTokens(Tensor t, string layer, string objective, TokenSelection tokens)
    {
        long count = t.size(1);
        bool skipClass = tokens == TokenSelection.Patch || (tokens == TokenSelection.Auto && TokenLayers.HasClassToken(count));
        if ((skipClass || tokens == TokenSelection.Cls) && count < (skipClass ? 2 : 1))
        {
            long[] shape = t.shape;
            throw new ObjectiveArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{objective} was asked for the {(skipClass ? "patch tokens (all but token 0)" : "class token")} of layer '{layer}', but it has shape {ActivationChecks.FormatShape(shape)}, {count} tokens: use tokens=all."),
                "tokens",
                layer,
                shape);
        }

        return tokens switch
        {
            TokenSelection.Cls => t.narrow(1, 0, 1),
            _ when skipClass => t.narrow(1, 1, count - 1),
            _ => t,
        };
    }

    private static void RequireNoTokenSelection(Tensor t, string layer, string objective, TokenSelection tokens, string why)
    {
        if (tokens is TokenSelection.Patch or TokenSelection.Cls)
        {
            long[] shape = t.shape;
            throw new ObjectiveArgumentException(
                $"{objective} was asked for tokens={tokens.ToString().ToLowerInvariant()} on layer '{layer}' with shape {ActivationChecks.FormatShape(shape)}, but that layer has no tokens axis: {why}. Tokens are chosen only on (batch, tokens, features) layers; leave tokens unset here.",
                "tokens",
                layer,
                shape);
        }
    }

    /// <summary>
    /// Reads one position's channels: the (batch, channels, 1[, 1]) slice of a (batch, channels, height,
    /// width) layer at (x, y) (default centre), or of a token layer at token x (default the centre patch
    /// token, <see cref="TokenLayers.CentreToken"/>), where y has no meaning.
    /// </summary>
    private static Tensor AtPosition(Tensor t, string layer, string objective, int? x, int? y, ActivationLayout layout)
    {
        if (IsChannelsLast(t, layout) && t.dim() == 3)
        {
            if (y is not null)
            {
                long[] shape = t.shape;
                throw new ObjectiveArgumentException(
                    $"{objective} was given y, but layer '{layer}' with shape {ActivationChecks.FormatShape(shape)} is a token layer (batch, tokens, features): it has no rows. Give x, the token index (0 is the class token when there is one), and leave y unset.",
                    "y",
                    layer,
                    shape);
            }

            long token = x ?? TokenLayers.CentreToken(t.size(1));
            ActivationChecks.RequireIndex(t, layer, 1, token, "x", "token, the second axis of a token layer");
            return t.narrow(1, token, 1).transpose(1, 2);
        }

        Tensor grid = ChannelsFirst(t, layer, objective, TokenSelection.Auto, layout);
        ActivationChecks.RequireRank(grid, layer, 4, objective, IsChannelsLast(t, layout) ? "(batch, height, width, channels) with layout nhwc" : ImageLayout);
        var (px, py) = ResolvePosition(grid, layer, x, y);
        return grid.narrow(2, py, 1).narrow(3, px, 1);
    }

    /// <summary>Fails unless <paramref name="channel"/> indexes axis 1 of the view; says "feature" on a token layer, and shows the layer's own shape.</summary>
    private static void RequireFeature(Tensor view, Tensor layerActivation, string layer, long channel, ActivationLayout layout)
    {
        bool tokenLayer = layerActivation.dim() == 3 && IsChannelsLast(layerActivation, layout);
        ActivationChecks.RequireChannel(view, layer, channel, tokenLayer ? "Feature" : "Channel", tokenLayer ? "features" : "channels", layerActivation.shape);
    }

    /// <summary>The name arguments of non-default token selection and layout, e.g. <c>tokens=cls</c>.</summary>
    private static string[] ViewArgs(TokenSelection tokens, ActivationLayout layout) =>
        [
            .. tokens == TokenSelection.Auto ? Array.Empty<string>() : [$"tokens={tokens.ToString().ToLowerInvariant()}"],
            .. layout == ActivationLayout.Auto ? Array.Empty<string>() : [$"layout={layout.ToString().ToLowerInvariant()}"],
        ];

    /// <summary>A sentence for descriptions: how a token layer is read.</summary>
    private static string ViewText(TokenSelection tokens, ActivationLayout layout)
    {
        string tokenText = tokens switch
        {
            TokenSelection.All => " On a token layer (batch, tokens, features), a channel is a feature, over every token.",
            TokenSelection.Patch => " On a token layer (batch, tokens, features), a channel is a feature, over every token but token 0.",
            TokenSelection.Cls => " On a token layer (batch, tokens, features), a channel is a feature of the class token (token 0).",
            _ => string.Empty,
        };
        return layout switch
        {
            ActivationLayout.Nhwc => tokenText + " The layer is read with its channels on the last axis.",
            ActivationLayout.Nchw => tokenText + " The layer is read with its channels on axis 1.",
            _ => tokenText,
        };
    }

    private static void RequireEnum<TEnum>(TEnum value, string paramName)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be one of {string.Join(", ", Enum.GetNames<TEnum>())}.");
        }
    }
}
