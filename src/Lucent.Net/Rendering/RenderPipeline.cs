using Lucent.Net.Modules;
using Lucent.Net.Parameterization;
using Lucent.Net.Transforms;
using static TorchSharp.torch;

namespace Lucent.Net.Rendering;

/// <summary>
/// What a pass over a model applies to the image before the model: the render's transforms, the model's
/// preprocessing and the resize to its input size. <see cref="ModelSession"/> builds and owns one per render;
/// <see cref="Renderer.BuildPipeline"/> shows it.
/// </summary>
internal static class RenderPipeline
{
    /// <summary>The transforms in order (see <see cref="Renderer.BuildPipeline"/>).</summary>
    public static IReadOnlyList<IImageTransform> Build(nn.Module model, RenderOptions options, ImageShape imageShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var transforms = new List<IImageTransform>(RenderDefaults.Transforms(options));
        if (imageShape.Channels == 4 && !transforms.Any(CollapseAlphaTransform.IsIn))
        {
            // Lucid's transparency recipe: the model sees the RGBA image composited over a new random background
            // every step, so alpha learns where the feature is. The recorded images keep their 4 channels.
            transforms.Insert(0, new CollapseAlphaTransform());
        }

        if (options.Preprocess)
        {
            transforms.Add(options.Preprocessing ?? (model as IPreprocessingProvider)?.Preprocessing ?? new ImageNetNormalizeTransform());
        }

        if (ResizeTransform.ForModelInput((imageShape.Height, imageShape.Width), ModelInputSize(model, options), RenderOptions.MinimumModelInputSize) is { } resize)
        {
            transforms.Add(resize);
        }

        RenderOptions.CheckTransformedSize(transforms, imageShape.Height, imageShape.Width, "the parameterised image");
        return transforms;
    }

    /// <summary>The size the transformed image is resized to before the model (see <see cref="Renderer.ModelInputSize"/>).</summary>
    public static (int Height, int Width)? ModelInputSize(nn.Module model, RenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.FixedImageSize ?? ((model as IModelInputSize)?.InputImageSize is { } size
            && size.Height is >= 1 and <= RenderOptions.MaxFixedImageSize && size.Width is >= 1 and <= RenderOptions.MaxFixedImageSize
            ? size
            : null);
    }

    /// <summary>
    /// Applies the render's transforms; a transform that refuses the image (an <see cref="ArgumentException"/>, e.g.
    /// reflect padding wider than the image) is a wrong option, reported as such for <see cref="RenderOptions.Transforms"/>.
    /// </summary>
    public static Tensor Apply(TransformPipeline pipeline, Tensor image, TransformContext context)
    {
        try
        {
            return pipeline.Apply(image, context);
        }
        catch (ArgumentException e) when (e is not InvalidRenderOptionsException)
        {
            string shape = string.Join("x", image.shape.Skip(2));
            throw new InvalidRenderOptionsException(
                nameof(RenderOptions.Transforms),
                $"The transforms cannot be applied to the {shape} image: {e.Message}",
                e);
        }
    }
}
