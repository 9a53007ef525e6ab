namespace Lucent.Net.ModelZoo.Gan;

/// <summary>
/// Which of Dosovitskiy and Brox's upconvolutional generators (Lucent's <c>upconvGAN(name)</c>) to build: each
/// inverts one layer of CaffeNet, so its input code has that layer's shape.
/// </summary>
public enum UpconvGanVariant
{
    /// <summary>Inverts CaffeNet's <c>fc6</c>: a code of 4096 values (Lucent's default).</summary>
    Fc6,

    /// <summary>Inverts CaffeNet's <c>fc7</c>: a code of 4096 values.</summary>
    Fc7,

    /// <summary>Inverts CaffeNet's <c>fc8</c>: a code of 1000 values (one per ImageNet class logit).</summary>
    Fc8,

    /// <summary>Inverts CaffeNet's <c>pool5</c>: a code of 256 x 6 x 6 values; the smallest generator.</summary>
    Pool5,
}
