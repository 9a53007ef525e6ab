using Lucent.Net.Transforms;

namespace Lucent.Net.Expressions;

/// <summary>
/// The built-in transforms as functions of the call syntax, with Lucent's parameter names as
/// aliases: the one declaration of each built-in's name, parameters and description (the tables
/// in <c>docs/expressions.md</c> and <c>docs/configuration.md</c> are generated from it and checked
/// by a test).
/// </summary>
internal static class BuiltInTransformFunctions
{
    /// <summary>Every built-in function.</summary>
    public static IReadOnlyList<TransformFunction> All { get; } =
    [
        Function("pad", [new("width") { Aliases = ["w"] }, new("mode", IsOptional: true), new("value", IsOptional: true) { Aliases = ["constant_value"] }], a =>
            new PadTransform(a.GetInt32("width"), a.GetOptionalEnum<PadMode>("mode") ?? PadMode.Reflect, a.GetOptionalDouble("value") ?? PadTransform.DefaultConstantValue),
            TransformHelpers.Invariant($"Pad every side by width pixels (0 to {PadTransform.MaxWidth}); mode is `reflect` (default), `constant`, `replicate` or `circular`; value is the constant fill, default 0.5 (`PadTransform`, Lucent's `pad`).")),
        Function("jitter", [new("d") { Aliases = ["distance"] }], a => new JitterTransform(a.GetInt32("d")),
            TransformHelpers.Invariant($"Shift by a random 0..d-1 pixels down and right, 2 <= d <= {JitterTransform.MaxDistance} (`JitterTransform`, Lucent's `jitter`).")),
        Function("random_scale", [new("scales")], a => new RandomScaleTransform(a.GetDoubles("scales")),
            TransformHelpers.Invariant($"Rescale by a factor picked from the list, each in (0, {RandomScaleTransform.MaxScale}] (`RandomScaleTransform`, Lucent's `random_scale`).")),
        Function("random_rotate", [new("angles"), new("unit", IsOptional: true) { Aliases = ["units"] }], a =>
            new RandomRotateTransform(a.GetDoubles("angles"), a.GetOptionalEnum<AngleUnit>("unit") ?? AngleUnit.Degrees),
            TransformHelpers.Invariant($"Rotate by an angle picked from the list, each at most {RandomRotateTransform.MaxDegrees} degrees (2π radians) either way; unit is `degrees` (default) or `radians` (`RandomRotateTransform`, Lucent's `random_rotate`).")),
        Function("resize", [new("height"), new("width", IsOptional: true)], a =>
        {
            int height = a.GetInt32("height");
            return new ResizeTransform(height, a.GetOptionalInt32("width") ?? height);
        },
            TransformHelpers.Invariant($"Resize bilinearly to height x width pixels (1 to {ResizeTransform.MaxSize} each); width defaults to height (`ResizeTransform`).")),
        Function("normalize", [], _ => new ImageNetNormalizeTransform(),
            "ImageNet normalisation: minus the mean, divided by the standard deviation of each channel (`ImageNetNormalizeTransform`)."),
        Function("preprocess_inceptionv1", [], _ => new InceptionV1PreprocessingTransform(),
            "InceptionV1's preprocessing, x * 255 - 117 (`InceptionV1PreprocessingTransform`)."),
        Function("maco_crops", [new("crops", IsOptional: true), new("size", IsOptional: true), new("start", IsOptional: true), new("end", IsOptional: true), new("noise", IsOptional: true)], a =>
            new MacoCropTransform(
                a.GetOptionalInt32("crops") ?? MacoCropTransform.DefaultCrops,
                a.GetOptionalInt32("size") ?? MacoCropTransform.DefaultOutputSize,
                a.GetOptionalDouble("start") ?? MacoCropTransform.DefaultStartBoxSize,
                a.GetOptionalDouble("end") ?? MacoCropTransform.DefaultEndBoxSize,
                a.GetOptionalDouble("noise") ?? MacoCropTransform.DefaultNoise),
            "MACO's crops: per step, `crops` (8) random square crops resized to `size` (224), box size decaying from `start` (0.5) to `end` (0.05) of the side, noise from `noise` (0.05) to 0; one image only (`MacoCropTransform`)."),
        Function("standard", [], _ => TransformPipeline.Standard,
            "Lucent's standard transforms as one step: pad 12 constant 0.5, jitter 8, random scale 0.9..1.1, random rotate -10..10 degrees, jitter 4 (`TransformPipeline.Standard`)."),
    ];

    private static TransformFunction Function(string name, FunctionParameter[] parameters, Func<TransformArguments, IImageTransform> factory, string description) =>
        new(name, parameters, factory, description);
}
