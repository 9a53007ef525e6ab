using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;
using Lucent.Net.Declarations;

namespace Lucent.Net.Transforms;

/// <summary>
/// MACO's crop-and-noise transform (Fel et al. 2023): each step turns the image into <see cref="Crops"/> random
/// square crops, each resized to <see cref="OutputSize"/> and with Gaussian noise added, so the objective (a mean
/// over the batch) is averaged over the crops.
/// </summary>
/// <remarks>
/// <para>At step t of T (<see cref="TransformContext.Step"/>, <see cref="TransformContext.TotalSteps"/>) the box size
/// b decays linearly from <see cref="StartBoxSize"/> to <see cref="EndBoxSize"/> (fractions of the image side).
/// Each crop's side is b plus a normal jitter of standard deviation <see cref="BoxJitter"/>, clamped to
/// [<see cref="EndBoxSize"/>, 1]; its centre is the image centre plus a normal offset of standard deviation
/// <see cref="CentreJitter"/> (fractions of the side), clamped so the crop stays inside the image. Crops are
/// sampled bilinearly. The noise's standard deviation decays linearly from <see cref="Noise"/> to 0. All draws
/// come from the render's generator. Outside a render (no step set) the first step's schedule is used.</para>
/// <para>The output batch is <see cref="Crops"/> times the input batch, so this transform is for renders of one
/// image (batch 1); a larger batch is refused.</para>
/// </remarks>
public sealed class MacoCropTransform : IImageTransform
{
    /// <summary>The default number of crops per step (8; the public descriptions use 6 to 32: fewer is faster on a CPU).</summary>
    public const int DefaultCrops = 8;

    /// <summary>The default crop output size (224, the usual model input).</summary>
    public const int DefaultOutputSize = 224;

    /// <summary>The default first box size (0.5 of the image side).</summary>
    public const double DefaultStartBoxSize = 0.5;

    /// <summary>The default last box size (0.05 of the image side).</summary>
    public const double DefaultEndBoxSize = 0.05;

    /// <summary>The default initial noise standard deviation (0.05, in pixel units of [0, 1] images).</summary>
    public const double DefaultNoise = 0.05;

    /// <summary>The most crops per step accepted (256).</summary>
    public const int MaxCrops = 256;

    /// <summary>The largest output size accepted (1024).</summary>
    public const int MaxOutputSize = 1024;

    /// <summary>Creates the transform.</summary>
    /// <param name="crops">Crops per step; 1 to <see cref="MaxCrops"/>.</param>
    /// <param name="outputSize">Side of each crop after resizing; 8 to <see cref="MaxOutputSize"/>.</param>
    /// <param name="startBoxSize">Box size at the first step, a fraction of the image side in (0, 1].</param>
    /// <param name="endBoxSize">Box size at the last step, in (0, <paramref name="startBoxSize"/>].</param>
    /// <param name="noise">Initial noise standard deviation; 0 to 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    [TextFunction("maco_crops", "MACO's crops: per step, `crops` (8) random square crops resized to `size` (224), box size decaying from `start` (0.5) to `end` (0.05) of the side, noise from `noise` (0.05) to 0; one image only (`MacoCropTransform`).")]
    public MacoCropTransform(int crops = DefaultCrops, [TextName("size")] int outputSize = DefaultOutputSize, [TextName("start")] double startBoxSize = DefaultStartBoxSize, [TextName("end")] double endBoxSize = DefaultEndBoxSize, double noise = DefaultNoise)
    {
        if (crops < 1 || crops > MaxCrops)
        {
            throw new ArgumentOutOfRangeException(nameof(crops), crops, $"The number of crops per step must be between 1 and {MaxCrops}.");
        }

        if (outputSize < 8 || outputSize > MaxOutputSize)
        {
            throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize, $"The crop output size must be between 8 and {MaxOutputSize} pixels.");
        }

        if (!(startBoxSize > 0 && startBoxSize <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(startBoxSize), startBoxSize, "The first box size is a fraction of the image side in (0, 1] (MACO: 0.5).");
        }

        if (!(endBoxSize > 0 && endBoxSize <= startBoxSize))
        {
            throw new ArgumentOutOfRangeException(nameof(endBoxSize), endBoxSize, $"The last box size is a fraction of the image side in (0, {startBoxSize.ToString(CultureInfo.InvariantCulture)}] (MACO: 0.05).");
        }

        if (!(noise >= 0 && noise <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(noise), noise, "The noise standard deviation must be between 0 and 1 (MACO's is about 0.05).");
        }

        Crops = crops;
        OutputSize = outputSize;
        StartBoxSize = startBoxSize;
        EndBoxSize = endBoxSize;
        Noise = noise;
    }

    /// <summary>Crops per step.</summary>
    public int Crops { get; }

    /// <summary>The side of each crop after resizing.</summary>
    public int OutputSize { get; }

    /// <summary>The box size at the first step (fraction of the image side).</summary>
    public double StartBoxSize { get; }

    /// <summary>The box size at the last step (fraction of the image side).</summary>
    public double EndBoxSize { get; }

    /// <summary>The noise standard deviation at the first step.</summary>
    public double Noise { get; }

    /// <summary>The standard deviation of each crop's side around the scheduled box size (0.05).</summary>
    public double BoxJitter => 0.05;

    /// <summary>The standard deviation of each crop's centre around the image centre (0.15).</summary>
    public double CentreJitter => 0.15;

    /// <inheritdoc />
    public string Name => string.Create(CultureInfo.InvariantCulture, $"maco_crops({Crops}, size={OutputSize}, start={TransformHelpers.Format(StartBoxSize)}, end={TransformHelpers.Format(EndBoxSize)}, noise={TransformHelpers.Format(Noise)})");

    /// <summary>The scheduled box size and noise at a step.</summary>
    /// <param name="step">The step (1-based).</param>
    /// <param name="totalSteps">The render's steps.</param>
    /// <returns>The box size and the noise standard deviation.</returns>
    public (double BoxSize, double Noise) Schedule(int step, int totalSteps)
    {
        double progress = totalSteps <= 1 ? 0 : Math.Clamp((step - 1) / (double)(totalSteps - 1), 0, 1);
        return (StartBoxSize + ((EndBoxSize - StartBoxSize) * progress), Noise * (1 - progress));
    }

    /// <inheritdoc />
    public Tensor Apply(Tensor image, TransformContext context)
    {
        TransformHelpers.RequireImageBatch(image, Name);
        ArgumentNullException.ThrowIfNull(context);
        if (image.shape[0] != 1)
        {
            throw new ArgumentException($"{Name} makes {Crops} crops of one image; the batch has {image.shape[0]} images. Render one image at a time with MACO's crops.", nameof(image));
        }

        var (box, noise) = Schedule(Math.Max(context.Step, 1), context.TotalSteps);
        using var scope = torch.NewDisposeScope();
        var generator = context.Generator;
        var sides = torch.randn([Crops], ScalarType.Float64, device: generator.device, generator: generator).mul(BoxJitter).add(box).clamp(EndBoxSize, 1.0);
        var offsets = torch.randn([Crops, 2], ScalarType.Float64, device: generator.device, generator: generator).mul(CentreJitter);
        var half = sides.div(2).unsqueeze(1);
        var centres = torch.minimum(torch.maximum(offsets.add(0.5), half), half.neg().add(1));

        // Affine grid in normalised coordinates: output u in [-1, 1] samples x = 2 * (centre + side/2 * u) - 1.
        var zeros = torch.zeros_like(sides);
        var centreX = centres.select(1, 0).mul(2).sub(1);
        var centreY = centres.select(1, 1).mul(2).sub(1);
        var theta = torch.stack([torch.stack([sides, zeros, centreX], 1), torch.stack([zeros, sides, centreY], 1)], 1);
        var grid = nn.functional.affine_grid(theta.to(image.dtype, image.device), [Crops, image.shape[1], OutputSize, OutputSize], align_corners: false);
        var crops = nn.functional.grid_sample(image.expand(Crops, -1, -1, -1), grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false);
        if (noise > 0)
        {
            var draw = torch.randn(crops.shape, ScalarType.Float32, device: generator.device, generator: generator).mul(noise).to(crops.dtype, crops.device);
            crops = crops.add(draw);
        }

        return crops.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
