namespace Lucent.Net.Objectives;

/// <summary>
/// Which tokens of a token layer, laid out (batch, tokens, features), an objective reads
/// (<c>tokens=</c> in expressions). See <see cref="Activations.TokenLayers"/> for how the class token is known.
/// </summary>
public enum TokenSelection
{
    /// <summary>The patch tokens: every token but token 0 when the layer has a class token by its shape (<c>s² + 1</c> tokens), else every token.</summary>
    Auto = 0,

    /// <summary>Every token, the class token included.</summary>
    All = 1,

    /// <summary>Every token but token 0, which is taken to be the class token whatever the token count.</summary>
    Patch = 2,

    /// <summary>Only token 0, the class token (ViT's <c>[CLS]</c>).</summary>
    Cls = 3,
}

/// <summary>
/// Where an objective finds the channel (feature) axis of a layer's activations (<c>layout=</c> in expressions).
/// </summary>
public enum ActivationLayout
{
    /// <summary>From the rank: (batch, tokens, features) for rank 3, (batch, channels, height, width) otherwise.</summary>
    Auto = 0,

    /// <summary>Channels on axis 1, whatever the rank: (batch, channels, ...), e.g. a 1-D convolution's (batch, channels, length).</summary>
    Nchw = 1,

    /// <summary>
    /// Channels on the last axis: (batch, height, width, channels), e.g. Swin's blocks in torchvision, or
    /// (batch, tokens, features). The shape cannot tell this from (batch, channels, height, width): say so.
    /// </summary>
    Nhwc = 2,
}
