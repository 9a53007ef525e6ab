using static TorchSharp.torch;

namespace Lucent.Net.Parameterization;

/// <summary>
/// What makes a render's image (Lucent's <c>param_f</c>): the one door for it, <c>RenderOptions.Parameterization</c>.
/// <see cref="ImageOptions"/> is one (the standard image, or MACO's with <see cref="ImageOptions.Maco"/>); any other
/// parameterisation comes through <see cref="From(Func{Generator, IImageParameterization})"/>, or a class of your own
/// that derives from this one.
/// </summary>
/// <remarks>
/// A render calls <see cref="Create"/> once with its seeded CPU generator and its device, and disposes what it made.
/// </remarks>
public abstract record ParameterizationFactory
{
    /// <summary>Makes a new parameterisation for one render.</summary>
    /// <param name="generator">The render's seeded CPU generator: draw the initial values from it (then move them), so a seed gives the same image on any device.</param>
    /// <param name="device">The render's device: make the parameters there.</param>
    /// <returns>A new parameterisation, owned by the render.</returns>
    public abstract IImageParameterization Create(Generator generator, Device device);

    /// <summary>
    /// A factory from a function of the render's generator (the <c>param_f</c> lambdas of Lucent and of earlier versions,
    /// e.g. <c>g =&gt; ImageParameterizations.Cppn(128, generator: g)</c>). The function makes its parameters on a device
    /// of its choosing (pass <c>device:</c> for a GPU render), or use <see cref="From(Func{Generator, Device, IImageParameterization})"/>.
    /// </summary>
    /// <param name="create">Makes a parameterisation from the render's generator.</param>
    /// <returns>The factory.</returns>
    public static ParameterizationFactory From(Func<Generator, IImageParameterization> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        return new DelegateFactory((generator, _) => create(generator));
    }

    /// <summary>A factory from a function of the render's generator and device (makes its parameters on the render's device).</summary>
    /// <param name="create">Makes a parameterisation from the render's generator, on the render's device.</param>
    /// <returns>The factory.</returns>
    public static ParameterizationFactory From(Func<Generator, Device, IImageParameterization> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        return new DelegateFactory(create);
    }

    /// <summary>
    /// Lets a function of the render's generator stand where a factory is expected (e.g. <c>GanImageParameterization.Factory</c>);
    /// a lambda needs <see cref="From(Func{Generator, IImageParameterization})"/>.
    /// </summary>
    /// <param name="create">Makes a parameterisation from the render's generator.</param>
    public static implicit operator ParameterizationFactory(Func<Generator, IImageParameterization> create) => From(create);

    private sealed record DelegateFactory(Func<Generator, Device, IImageParameterization> Make) : ParameterizationFactory
    {
        public override IImageParameterization Create(Generator generator, Device device)
        {
            ArgumentNullException.ThrowIfNull(generator);
            ArgumentNullException.ThrowIfNull(device);
            return Make(generator, device) ?? throw new InvalidOperationException("The parameterisation factory returned null; it must return a new IImageParameterization.");
        }
    }
}
