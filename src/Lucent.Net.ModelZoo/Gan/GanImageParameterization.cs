using System.Globalization;
using Lucent.Net.Parameterization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Gan;

/// <summary>
/// A GAN image prior (Nguyen et al., "Synthesizing the preferred inputs for neurons in neural networks via deep
/// generator networks", 2016; Lucent's <c>GANparam</c> with <c>upconvGAN</c>): the optimised parameter is the
/// generator's input code, and the image is the frozen generator's output mapped to [0, 1]
/// (<see cref="UpconvGenerator.Visualize"/>), so every image stays one the generator can make.
/// </summary>
/// <remarks>
/// <para>The code is laid out (batch, <see cref="UpconvGenerator.CodeShape"/>...) on the generator's device and starts
/// normal with standard deviation <see cref="GanImageOptions.StandardDeviation"/>. Images are always 3 x 256 x 256;
/// the render's transforms and the model's own resizing apply as for any image.</para>
/// <para>The generator is not owned: it is shared by every parameterisation made from it and is not disposed with
/// them. Its weights must stay frozen (they are on construction).</para>
/// </remarks>
public sealed class GanImageParameterization : ImageParameterizationBase
{
    private readonly Parameter _code;

    /// <summary>Creates the parameterisation with an initial code drawn from <paramref name="random"/> or <paramref name="seed"/>.</summary>
    /// <param name="generator">The image generator (for example from <see cref="UpconvGenerator.LoadPretrainedAsync"/>); not disposed by this object.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="random">The generator to draw the initial code from (for example the render's).</param>
    /// <param name="seed">A seed for a new random generator, instead of <paramref name="random"/>; with neither, a random seed.</param>
    /// <exception cref="ArgumentException">Both <paramref name="random"/> and <paramref name="seed"/> are given, or the
    /// generator's weights are not frozen.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The batch or the standard deviation is out of range.</exception>
    public GanImageParameterization(UpconvGenerator generator, GanImageOptions? options = null, Generator? random = null, long? seed = null)
        : base(
            new ImageShape(Positive(options?.Batch ?? 1), 3, UpconvGenerator.ImageSize, UpconvGenerator.ImageSize),
            string.Create(CultureInfo.InvariantCulture, $"gan({(generator is null ? "?" : UpconvGenerator.Name(generator.Variant))}, batch {options?.Batch ?? 1})"))
    {
        ArgumentNullException.ThrowIfNull(generator);
        options ??= new GanImageOptions();
        if (!(options.StandardDeviation > 0 && double.IsFinite(options.StandardDeviation)))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.StandardDeviation, "The standard deviation of the initial code must be positive and finite.");
        }

        if (random is not null && seed is not null)
        {
            throw new ArgumentException("Pass either a random generator or a seed, not both.", nameof(seed));
        }

        if (generator.parameters().Any(p => p.requires_grad))
        {
            throw new ArgumentException(
                "The generator's weights must be frozen so that only the code is optimised; set requires_grad to false on its parameters (a new UpconvGenerator is frozen).",
                nameof(generator));
        }

        Generator = generator;
        Options = options;
        var device = generator.parameters().First().device;
        long[] shape = [options.Batch, .. generator.CodeShape];
        using var scope = torch.NewDisposeScope();
        Generator? owned = random is null ? new Generator(unchecked((ulong)(seed ?? Random.Shared.NextInt64())), torch.CPU) : null;
        try
        {
            var draw = torch.randn(shape, dtype: ScalarType.Float32, generator: random ?? owned).mul(options.StandardDeviation);
            var placed = draw.device == device ? draw : draw.to(device);
            _code = new Parameter(placed, requires_grad: true);
            _code.DetachFromDisposeScope();
        }
        finally
        {
            owned?.Dispose();
        }

        Parameters = [_code];
    }

    /// <summary>The image generator (not owned).</summary>
    public UpconvGenerator Generator { get; }

    /// <summary>The settings used.</summary>
    public GanImageOptions Options { get; }

    /// <summary>The code being optimised, laid out (batch, <see cref="UpconvGenerator.CodeShape"/>...).</summary>
    public Parameter Code => _code;

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>
    /// A factory for <c>RenderOptions.Parameterization</c>: each render gets a new code drawn from its seeded
    /// generator, all from the same (shared, not owned) image generator.
    /// </summary>
    /// <param name="generator">The image generator; the caller keeps it alive for the renders and disposes it after.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <returns>The factory.</returns>
    public static Func<Generator, IImageParameterization> Factory(UpconvGenerator generator, GanImageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return random => new GanImageParameterization(generator, options, random);
    }

    /// <inheritdoc />
    protected override Tensor CreateImageCore() => Generator.Visualize(_code);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _code.Dispose();
        }
    }

    private static int Positive(int batch) => batch >= 1
        ? batch
        : throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch size must be at least 1.");
}
