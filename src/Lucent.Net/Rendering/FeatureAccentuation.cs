using System.Globalization;
using Lucent.Net.Activations;
using Lucent.Net.Objectives;
using Lucent.Net.Parameterization;
using Lucent.Net.Transforms;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.Rendering;

/// <summary>Which parameterisation a feature accentuation optimises.</summary>
public enum AccentuationParameterization
{
    /// <summary>Lucent's FFT image with colour decorrelation, started from the photo exactly (<see cref="ImageParameterizations.ImageFromPhoto"/>).</summary>
    Fft,

    /// <summary>A MACO image started from the photo's phase (<see cref="ImageParameterizations.MacoFromPhoto"/>).</summary>
    Maco,
}

/// <summary>Settings of a feature accentuation (<see cref="FeatureAccentuation"/>).</summary>
public sealed record AccentuationOptions
{
    /// <summary>The parameterisation (FFT).</summary>
    public AccentuationParameterization Parameterization { get; init; } = AccentuationParameterization.Fft;

    /// <summary>
    /// The weight of the distance penalty (1.0): the loss gets <c>Penalty · mean((θ − θ₀)²)</c>, the mean
    /// squared distance of the parameters θ from their start θ₀ (the photo) in the parameter space. 0 gives a plain
    /// render from the photo; a large weight keeps the photo.
    /// </summary>
    public double Penalty { get; init; } = 1.0;

    /// <summary>The magnitude spectrum of a MACO accentuation; <see cref="MagnitudeSpectrum.Default"/> when <see langword="null"/>.</summary>
    public MagnitudeSpectrum? Spectrum { get; init; }

    /// <summary>Whether the FFT image decorrelates colours (true, Lucent's default).</summary>
    public bool Decorrelate { get; init; } = true;
}

/// <summary>
/// Feature accentuation (Hamblin et al. 2024): start from a real photo and change it, in the parameterisation's
/// (preconditioned) space and with a penalty on the distance to the photo, until the objective is met, so the
/// picture shows what in this photo the unit responds to.
/// </summary>
public static class FeatureAccentuation
{
    /// <summary>Renders <paramref name="objective"/> starting from <paramref name="photo"/>.</summary>
    /// <param name="model">Any TorchSharp module taking a (batch, 3, height, width) tensor.</param>
    /// <param name="objective">What to minimise.</param>
    /// <param name="photo">The photo (1, 3, height, width), values in [0, 1]; not disposed.</param>
    /// <param name="accentuation">The parameterisation and penalty; defaults when <see langword="null"/>.</param>
    /// <param name="options">
    /// Render settings; <see cref="RenderOptions.Parameterization"/> is ignored (the photo gives the image). When <see cref="RenderOptions.Transforms"/> is null a MACO accentuation
    /// uses <see cref="MacoCropTransform"/> and an FFT one Lucent's standard transforms; the optimiser is Adam with
    /// <see cref="RenderOptions.LearningRate"/> unless a factory is given.
    /// </param>
    /// <param name="progress">Receives the step and loss after every step.</param>
    /// <param name="cancellationToken">Stops the render early.</param>
    /// <returns>The render's result.</returns>
    /// <exception cref="ArgumentException">The photo is not an RGB image batch.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The penalty is negative or not finite.</exception>
    public static RenderResult Render(
        nn.Module<Tensor, Tensor> model,
        IObjective objective,
        Tensor photo,
        AccentuationOptions? accentuation = null,
        RenderOptions? options = null,
        IProgress<RenderProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(photo);
        accentuation ??= new AccentuationOptions();
        options ??= new RenderOptions();
        if (!double.IsFinite(accentuation.Penalty) || accentuation.Penalty < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(accentuation), accentuation.Penalty, "The distance penalty must be a finite number, 0 or more (0 is a plain render from the photo).");
        }

        if (photo.dim() != 4 || photo.shape[1] != 3)
        {
            throw new ArgumentException($"The photo must be laid out (batch, 3, height, width) with values in [0, 1]; got shape [{string.Join(", ", photo.shape)}].", nameof(photo));
        }

        var device = RenderDevice.Resolve(model, options);
        var distance = new ParameterDistanceObjective(accentuation.Penalty);
        var render = options with
        {
            Parameterization = ParameterizationFactory.From(_ =>
            {
                using var placed = photo.to(device);
                IImageParameterization parameterization = accentuation.Parameterization == AccentuationParameterization.Maco
                    ? ImageParameterizations.MacoFromPhoto(placed, accentuation.Spectrum, device)
                    : ImageParameterizations.ImageFromPhoto(placed, accentuation.Decorrelate, device: device);
                distance.Start(parameterization.Parameters);
                return parameterization;
            }),
            Transforms = options.Transforms ?? (accentuation.Parameterization == AccentuationParameterization.Maco ? [new MacoCropTransform()] : null),
        };
        try
        {
            var combined = Objective.Sum([Objective.From(objective), Objective.From(distance)]);
            return Renderer.Render(model, combined, render, progress, cancellationToken);
        }
        finally
        {
            distance.Dispose();
        }
    }

    /// <summary><c>weight · Σ mean((θ − θ₀)²)</c> over the parameters, θ₀ their values when the render started.</summary>
    private sealed class ParameterDistanceObjective(double weight) : IObjective, IDisposable
    {
        private readonly List<(Parameter Current, Tensor Start)> _parameters = [];

        public string Name => string.Create(CultureInfo.InvariantCulture, $"{weight:G6} * distance_to_photo");

        public string Description => "The mean squared distance of the image parameters from the photo's, weighted.";

        public IReadOnlyCollection<string> Layers => [IActivationLookup.Input];

        public void Start(IReadOnlyList<Parameter> parameters)
        {
            Dispose();
            foreach (var parameter in parameters)
            {
                _parameters.Add((parameter, parameter.detach().clone().DetachFromDisposeScope()));
            }
        }

        public Tensor Compute(IActivationLookup activations)
        {
            if (_parameters.Count == 0)
            {
                throw new InvalidOperationException("The distance penalty was computed before the parameterisation was made.");
            }

            using var scope = torch.NewDisposeScope();
            Tensor? total = null;
            foreach (var (current, start) in _parameters)
            {
                var term = current.sub(start).square().mean();
                total = total is null ? term : total.add(term);
            }

            return total!.mul(weight).MoveToOuterDisposeScope();
        }

        public void Dispose()
        {
            foreach (var (_, start) in _parameters)
            {
                start.Dispose();
            }

            _parameters.Clear();
        }
    }
}
