namespace Lucent.Net.ModelZoo.InceptionV1;

/// <summary>What a hookable InceptionV1 layer computes.</summary>
public enum InceptionV1LayerKind
{
    /// <summary>A convolution before its ReLU (<c>&lt;name&gt;_pre_relu_conv</c>); holds weights.</summary>
    Convolution,

    /// <summary>The final fully connected layer (<c>softmax2_pre_activation_matmul</c>); holds weights.</summary>
    Linear,

    /// <summary>A ReLU (redirected or plain) after a convolution, named after the convolution.</summary>
    Relu,

    /// <summary>A 3x3 max pool after padding with negative infinity.</summary>
    MaxPool,

    /// <summary>The channel concatenation of an Inception block's four branches (the block output).</summary>
    Concatenation,

    /// <summary>The softmax over the 1008 class logits (<c>softmax2</c>, the model output).</summary>
    Softmax,
}
