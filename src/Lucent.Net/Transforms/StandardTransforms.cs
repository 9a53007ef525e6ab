namespace Lucent.Net.Transforms;

/// <summary>
/// Lucent's <c>standard_transforms</c>, in order: pad 12 (constant 0.5); jitter 8; random scale over
/// <c>1 + (i - 5) / 50</c> for i = 0..10; random rotation over -10..10 degrees plus five extra zeros; jitter 4.
/// </summary>
public static class StandardTransforms
{
    /// <summary>The 11 scale factors: 0.9, 0.92, ..., 1.1 (computed as <c>1 + (i - 5) / 50.0</c>, as in Lucent).</summary>
    public static IReadOnlyList<double> Scales { get; } = Enumerable.Range(0, 11).Select(i => 1 + ((i - 5) / 50.0)).ToArray();

    /// <summary>The 26 angles in degrees: -10, -9, ..., 10, then 0 five more times (so 0 is drawn 6 times in 26).</summary>
    public static IReadOnlyList<double> Angles { get; } = Enumerable.Range(-10, 21).Select(i => (double)i).Concat(Enumerable.Repeat(0.0, 5)).ToArray();

    /// <summary>Creates the standard pipeline.</summary>
    /// <returns>A new pipeline of five steps.</returns>
    public static TransformPipeline Create() => CreateBuilder().Build();

    /// <summary>A builder pre-filled with the standard steps, to append more before building.</summary>
    /// <returns>A builder holding the five standard steps.</returns>
    public static TransformPipelineBuilder CreateBuilder() =>
        new TransformPipelineBuilder()
            .Pad(12, PadMode.Constant, 0.5)
            .Jitter(8)
            .RandomScale(Scales)
            .RandomRotate(Angles, AngleUnit.Degrees)
            .Jitter(4);
}
