using static TorchSharp.torch;

namespace Lucent.Net.Transforms;

/// <summary>
/// Factory methods named after Lucent's transform functions, plus <see cref="FromDelegate(string, Func{Tensor, TransformContext, Tensor})"/> to turn a
/// function into a transform without writing a class.
/// </summary>
public static class Transform
{
    /// <summary>Lucent's <c>pad(w, mode, constant_value)</c>; see <see cref="PadTransform"/>.</summary>
    /// <param name="width">Pixels added on each side.</param>
    /// <param name="mode">Border fill (default reflect, as in Lucent).</param>
    /// <param name="constantValue">Fill value for constant mode (default 0.5).</param>
    /// <returns>The transform.</returns>
    public static PadTransform Pad(int width, PadMode mode = PadMode.Reflect, double constantValue = PadTransform.DefaultConstantValue) =>
        new(width, mode, constantValue);

    /// <summary>Lucent's <c>jitter(d)</c>; see <see cref="JitterTransform"/>.</summary>
    /// <param name="distance">d &gt; 1.</param>
    /// <returns>The transform.</returns>
    public static JitterTransform Jitter(int distance) => new(distance);

    /// <summary>Lucent's <c>random_scale(scales)</c>; see <see cref="RandomScaleTransform"/>.</summary>
    /// <param name="scales">Factors to pick from.</param>
    /// <returns>The transform.</returns>
    public static RandomScaleTransform RandomScale(params double[] scales) => new(scales);

    /// <summary>Lucent's <c>random_rotate(angles, units)</c>; see <see cref="RandomRotateTransform"/>.</summary>
    /// <param name="angles">Angles to pick from.</param>
    /// <param name="unit">Their unit (default degrees).</param>
    /// <returns>The transform.</returns>
    public static RandomRotateTransform RandomRotate(IEnumerable<double> angles, AngleUnit unit = AngleUnit.Degrees) => new(angles, unit);

    /// <summary>A bilinear, corners-aligned resize; see <see cref="ResizeTransform"/>.</summary>
    /// <param name="height">Output height.</param>
    /// <param name="width">Output width.</param>
    /// <returns>The transform.</returns>
    public static ResizeTransform Resize(int height, int width) => new(height, width);

    /// <summary>Lucent's <c>normalize()</c> (ImageNet statistics).</summary>
    /// <returns>The transform.</returns>
    public static ImageNetNormalizeTransform Normalize() => new();

    /// <summary>Lucent's <c>preprocess_inceptionv1()</c> (<c>x * 255 - 117</c>).</summary>
    /// <returns>The transform.</returns>
    public static InceptionV1PreprocessingTransform PreprocessInceptionV1() => new();

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
