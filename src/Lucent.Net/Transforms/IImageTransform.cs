using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Transforms;

/// <summary>
/// A function from an image batch to an image batch, applied to the parameterised image on every
/// optimisation step (Lucent's <c>transform</c> functions). Implement this to plug in a transform.
/// </summary>
/// <remarks>
/// Images are float tensors laid out (batch, channels, height, width). A transform returns a new
/// tensor (it never modifies its input in place) and draws any randomness from
/// <see cref="TransformContext.Generator"/>, so a render with a fixed seed is reproducible.
/// </remarks>
public interface IImageTransform
{
    /// <summary>A short readable name with parameters, e.g. <c>jitter(8)</c>.</summary>
    string Name { get; }

    /// <summary>Applies the transform.</summary>
    /// <param name="image">Images laid out (batch, channels, height, width).</param>
    /// <param name="context">The render's random generator and other per-step state.</param>
    /// <returns>A new tensor; the caller owns it.</returns>
    Tensor Apply(Tensor image, TransformContext context);
}

/// <summary>State shared by the transforms of one render: the seeded random generator.</summary>
public sealed class TransformContext
{
    /// <summary>Creates a context around a generator.</summary>
    /// <param name="generator">The render's seeded generator; every random draw of a transform comes from it.</param>
    public TransformContext(Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        Generator = generator;
    }

    /// <summary>The render's seeded generator.</summary>
    public Generator Generator { get; }

    /// <summary>The optimisation step being computed (1-based), set by the renderer; 0 outside a render.</summary>
    public int Step { get; set; }

    /// <summary>The number of steps of the render, set by the renderer; 0 outside a render.</summary>
    public int TotalSteps { get; set; }

    /// <summary>Creates a context with a fresh CPU generator seeded with <paramref name="seed"/>.</summary>
    /// <param name="seed">The seed.</param>
    /// <returns>A new context; dispose of its generator when done.</returns>
    public static TransformContext FromSeed(long seed) => new(new Generator((ulong)seed, torch.CPU));
}
