namespace Lucent.Net.ModelZoo.Gan;

/// <summary>Settings of a <see cref="GanImageParameterization"/>; the defaults are those of Lucent's GAN examples.</summary>
public sealed record GanImageOptions
{
    /// <summary>The number of images (codes); at least 1. Default 1.</summary>
    public int Batch { get; init; } = 1;

    /// <summary>The standard deviation of the initial code, drawn normal around zero; positive. Default 1, as in Lucent's <c>GANparam(sd=1)</c>.</summary>
    public double StandardDeviation { get; init; } = 1.0;
}
