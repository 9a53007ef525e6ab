using static TorchSharp.torch;

namespace Lucent.Net.Transforms;

/// <summary>
/// Factory methods named after Lucent's transform functions (each declared in its transform's file), plus <see cref="FromDelegate(string, Func{Tensor, TransformContext, Tensor})"/> to turn a
/// function into a transform without writing a class.
/// </summary>
public static partial class Transform
{
    /// <summary>Lucent's <c>compose(transforms)</c>.</summary>
    /// <param name="transforms">Steps in order.</param>
    /// <returns>The pipeline.</returns>
    public static TransformPipeline Compose(params IImageTransform[] transforms) => new(transforms);

    /// <summary>
    /// Wraps a function as a transform, e.g.
    /// <c>Transform.FromDelegate("flip", (img, ctx) =&gt; img.flip(3))</c>.
    /// </summary>
    /// <param name="name">A readable name shown in pipeline names and logs.</param>
    /// <param name="apply">
    /// The function: takes images (batch, channels, height, width) and the render's context, returns a new
    /// tensor the caller owns (never the input itself: return <c>img.alias()</c> to pass it through), and
    /// draws any randomness from <see cref="TransformContext.Generator"/>.
    /// </param>
    /// <returns>The transform.</returns>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    public static IImageTransform FromDelegate(string name, Func<Tensor, TransformContext, Tensor> apply)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(apply);
        return new DelegateTransform(name, apply);
    }

    /// <summary>Wraps a function that needs no randomness as a transform.</summary>
    /// <param name="name">A readable name.</param>
    /// <param name="apply">The function; returns a new tensor the caller owns.</param>
    /// <returns>The transform.</returns>
    public static IImageTransform FromDelegate(string name, Func<Tensor, Tensor> apply)
    {
        ArgumentNullException.ThrowIfNull(apply);
        return FromDelegate(name, (image, _) => apply(image));
    }

    private sealed class DelegateTransform(string name, Func<Tensor, TransformContext, Tensor> apply) : IImageTransform
    {
        public string Name { get; } = name;

        public Tensor Apply(Tensor image, TransformContext context)
        {
            ArgumentNullException.ThrowIfNull(image);
            ArgumentNullException.ThrowIfNull(context);
            var result = apply(image, context)
                ?? throw new InvalidOperationException($"Transform '{Name}' returned null; the function must return a tensor.");
            if (ReferenceEquals(result, image))
            {
                throw new InvalidOperationException($"Transform '{Name}' returned its input tensor; return a new tensor (e.g. image.alias() to pass it through) so that the pipeline can dispose of it.");
            }

            return result;
        }

        public override string ToString() => Name;
    }
}
