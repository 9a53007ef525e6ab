using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Analysis;

/// <summary>
/// Reduces the innermost (channel) dimension of activations to a few components, as Lucent's
/// <c>misc.channel_reducer.ChannelReducer</c> does with scikit-learn: every leading dimension is
/// flattened into rows (channels last, e.g. batch x height x width x channels), the rows are
/// factorised, and the result has the input's leading shape with <see cref="ComponentCount"/>
/// channels. <see cref="ChannelReductionMethod.Nmf"/> (the default) and
/// <see cref="ChannelReductionMethod.Pca"/> are computed here in float64 with scikit-learn's
/// defaults (docs/analysis.md says how close they come).
/// </summary>
/// <remarks>
/// The fitted tensors (<see cref="Components"/>) belong to the reducer, are kept out of any
/// dispose scope and are freed by <see cref="Dispose"/>. Not thread-safe.
/// </remarks>
public sealed class ChannelReducer : IDisposable
{
    private readonly ChannelReducerOptions _options;
    private Tensor? _components;
    private Tensor? _mean;
    private PrincipalComponents.Fit? _pca;
    private bool _disposed;

    /// <summary>Creates a reducer to <paramref name="components"/> channels (Lucent's <c>ChannelReducer(n_components=3)</c>).</summary>
    /// <param name="components">How many channels the output has (3, Lucent's default); at least 1 and at most the input's channels.</param>
    /// <param name="method">NMF (default, non-negative activations) or PCA.</param>
    /// <param name="seed">Seed of the random NMF initialisation (<see cref="ChannelReducerOptions.Seed"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="components"/> is below 1, or <paramref name="method"/> is not defined.</exception>
    public ChannelReducer(int components = DefaultComponents, ChannelReductionMethod method = ChannelReductionMethod.Nmf, long seed = 0)
        : this(components, new ChannelReducerOptions { Method = method, Seed = seed })
    {
    }

    /// <summary>
    /// Creates a reducer with the algorithm named as in Lucent (<c>ChannelReducer(3, "NMF")</c>, scikit-learn's class names):
    /// <c>"NMF"</c> or <c>"PCA"</c>, in any case.
    /// </summary>
    /// <param name="components">How many channels the output has; at least 1 and at most the input's channels.</param>
    /// <param name="algorithm">The algorithm's name: <c>NMF</c> or <c>PCA</c>.</param>
    /// <param name="seed">Seed of the random NMF initialisation (<see cref="ChannelReducerOptions.Seed"/>).</param>
    /// <exception cref="ArgumentException"><paramref name="algorithm"/> names no algorithm Lucent.Net has (the message lists them).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="components"/> is below 1.</exception>
    public ChannelReducer(int components, string algorithm, long seed = 0)
        : this(components, ParseMethod(algorithm), seed)
    {
    }

    /// <summary>Lucent's default number of components: 3, one per colour of a picture.</summary>
    public const int DefaultComponents = 3;

    /// <summary>
    /// Reduces <paramref name="activations"/> in one call: Lucent's <c>ChannelReducer(3, "NMF").fit_transform(acts)</c>,
    /// the reducer made, fitted and freed here. Keep a <see cref="ChannelReducer"/> instead to read its
    /// <see cref="Components"/> or to <see cref="Transform"/> other activations with them.
    /// </summary>
    /// <param name="activations">Activations shaped [..., channels] (channels last); for NMF non-negative. Not modified.</param>
    /// <param name="components">How many channels the result has (3 by default).</param>
    /// <param name="algorithm"><c>NMF</c> (default) or <c>PCA</c>, in any case.</param>
    /// <param name="seed">Seed of the random NMF initialisation.</param>
    /// <returns>A new tensor shaped [..., <paramref name="components"/>]; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">The algorithm is unknown, or the activations' shape, values or type do not fit.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="components"/> is below 1.</exception>
    public static Tensor Reduce(Tensor activations, int components = DefaultComponents, string algorithm = "NMF", long seed = 0)
    {
        using var reducer = new ChannelReducer(components, algorithm, seed);
        return reducer.FitTransform(activations);
    }

    /// <summary>
    /// Lucent's <c>reducer(acts)</c> (<c>__call__</c>): fits on the first call and returns the reduction
    /// (<see cref="FitTransform"/>), then reduces with the fitted components (<see cref="Transform"/>), so one reducer
    /// maps one image's activations and then others' into the same components.
    /// </summary>
    /// <param name="activations">Activations shaped [..., channels] (channels last); for NMF non-negative. Not modified.</param>
    /// <returns>A new tensor shaped [..., <see cref="ComponentCount"/>]; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">The shape, values or type do not fit (the message says which).</exception>
    public Tensor Apply(Tensor activations) => IsFitted ? Transform(activations) : FitTransform(activations);

    /// <summary>The method named <paramref name="algorithm"/> (<c>NMF</c> or <c>PCA</c>, scikit-learn's names, any case).</summary>
    /// <param name="algorithm">The name.</param>
    /// <returns>The method.</returns>
    /// <exception cref="ArgumentException">No such algorithm; the message lists the known ones.</exception>
    public static ChannelReductionMethod ParseMethod(string algorithm)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        return algorithm.Trim().ToUpperInvariant() switch
        {
            "NMF" => ChannelReductionMethod.Nmf,
            "PCA" => ChannelReductionMethod.Pca,
            _ => throw new ArgumentException(
                $"Unknown channel reduction algorithm '{algorithm}'. Lucent.Net has \"NMF\" (non-negative activations, Lucent's default) and \"PCA\"; scikit-learn's other decompositions are not implemented.",
                nameof(algorithm)),
        };
    }

    /// <summary>Creates a reducer to <paramref name="components"/> channels with <paramref name="options"/>.</summary>
    /// <param name="components">How many channels the output has; at least 1 and at most the input's channels.</param>
    /// <param name="options">The method and the NMF solver settings.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count or setting is out of range.</exception>
    public ChannelReducer(int components, ChannelReducerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (components < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(components), components,
                "A channel reducer needs at least 1 component; pass the number of channels the output should have (e.g. 3 for an RGB picture, 6 for neuron groups).");
        }

        if (!Enum.IsDefined(options.Method))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Method,
                "Unknown reduction method; use ChannelReductionMethod.Nmf or ChannelReductionMethod.Pca.");
        }

        if (options.MaxIterations < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxIterations,
                "ChannelReducerOptions.MaxIterations must be at least 1 (scikit-learn's default is 200).");
        }

        if (!(options.Tolerance >= 0) || double.IsPositiveInfinity(options.Tolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Tolerance,
                "ChannelReducerOptions.Tolerance must be a finite number of 0 or more (scikit-learn's default is 1e-4).");
        }

        ComponentCount = components;
        _options = options;
    }

    /// <summary>How many channels the output has (Lucent's <c>n_components</c>).</summary>
    public int ComponentCount { get; }

    /// <summary>The reduction method.</summary>
    public ChannelReductionMethod Method => _options.Method;

    /// <summary>Whether <see cref="Fit"/> or <see cref="FitTransform"/> has run.</summary>
    public bool IsFitted => _components is not null;

    /// <summary>The number of input channels the reducer was fitted on.</summary>
    /// <exception cref="InvalidOperationException">The reducer is not fitted.</exception>
    public int Channels => (int)FittedComponents.shape[1];

    /// <summary>
    /// The components (scikit-learn's <c>components_</c>): <see cref="ComponentCount"/> x
    /// <see cref="Channels"/>, float64, on the CPU. For NMF the rows of H (non-negative), for PCA
    /// the principal axes (unit rows). Owned by the reducer: clone it to keep it past
    /// <see cref="Dispose"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The reducer is not fitted.</exception>
    public Tensor Components => FittedComponents;

    /// <summary>
    /// NMF only: ||X - W H||_F of the fit, on the flattened activations (scikit-learn's
    /// <c>reconstruction_err_</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The reducer is not fitted, or is PCA.</exception>
    public double ReconstructionError
    {
        get
        {
            RequireFitted(ChannelReductionMethod.Nmf, nameof(ReconstructionError));
            return _reconstructionError;
        }
    }

    /// <summary>NMF only: the coordinate-descent sweeps the fit ran (scikit-learn's <c>n_iter_</c>).</summary>
    /// <exception cref="InvalidOperationException">The reducer is not fitted, or is PCA.</exception>
    public int Iterations
    {
        get
        {
            RequireFitted(ChannelReductionMethod.Nmf, nameof(Iterations));
            return _iterations;
        }
    }

    /// <summary>PCA only: the fraction of the total variance each component explains (scikit-learn's <c>explained_variance_ratio_</c>).</summary>
    /// <exception cref="InvalidOperationException">The reducer is not fitted, or is NMF.</exception>
    public IReadOnlyList<double> ExplainedVarianceRatio => RequirePca(nameof(ExplainedVarianceRatio)).ExplainedVarianceRatio;

    /// <summary>PCA only: each component's variance, with the n - 1 denominator (scikit-learn's <c>explained_variance_</c>).</summary>
    /// <exception cref="InvalidOperationException">The reducer is not fitted, or is NMF.</exception>
    public IReadOnlyList<double> ExplainedVariance => RequirePca(nameof(ExplainedVariance)).ExplainedVariance;

    /// <summary>PCA only: the singular values of the centred activations (scikit-learn's <c>singular_values_</c>).</summary>
    /// <exception cref="InvalidOperationException">The reducer is not fitted, or is NMF.</exception>
    public IReadOnlyList<double> SingularValues => RequirePca(nameof(SingularValues)).SingularValues;

    private double _reconstructionError;
    private int _iterations;

    private Tensor FittedComponents
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _components ?? throw new InvalidOperationException(
                "The channel reducer is not fitted; call Fit or FitTransform on activations first.");
        }
    }

    /// <summary>Fits the reducer to <paramref name="activations"/> (Lucent's <c>fit</c>).</summary>
    /// <param name="activations">Activations shaped [..., channels] (at least 2 dimensions); for NMF non-negative. Not modified.</param>
    /// <exception cref="ArgumentNullException"><paramref name="activations"/> is null.</exception>
    /// <exception cref="ArgumentException">The shape, values or type do not fit (the message says which).</exception>
    public void Fit(Tensor activations)
    {
        using var scope = torch.NewDisposeScope();
        FitFlat(Flatten(activations, nameof(activations), fitting: true));
    }

    /// <summary>
    /// Fits the reducer to <paramref name="activations"/> and returns their reduction (Lucent's
    /// <c>fit_transform</c>): for NMF the fitted W, for PCA the projections.
    /// </summary>
    /// <param name="activations">Activations shaped [..., channels] (at least 2 dimensions); for NMF non-negative. Not modified.</param>
    /// <returns>A new tensor shaped [..., <see cref="ComponentCount"/>], of the input's floating type (float64 for other types) and device; the caller disposes it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="activations"/> is null.</exception>
    /// <exception cref="ArgumentException">The shape, values or type do not fit (the message says which).</exception>
    public Tensor FitTransform(Tensor activations)
    {
        using var scope = torch.NewDisposeScope();
        var flat = Flatten(activations, nameof(activations), fitting: true);
        var reduced = FitFlat(flat);
        return Unflatten(reduced, activations).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Reduces <paramref name="activations"/> with the fitted components (Lucent's
    /// <c>transform</c>): for NMF the non-negative W minimising ||X - W H||_F with H fixed (scikit-learn's
    /// coordinate descent from W = 0), for PCA (X - mean) times the components' transpose.
    /// </summary>
    /// <param name="activations">Activations shaped [..., <see cref="Channels"/>]; for NMF non-negative. Not modified.</param>
    /// <returns>A new tensor shaped [..., <see cref="ComponentCount"/>], of the input's floating type (float64 for other types) and device; the caller disposes it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="activations"/> is null.</exception>
    /// <exception cref="ArgumentException">The shape, values or type do not fit (the message says which).</exception>
    /// <exception cref="InvalidOperationException">The reducer is not fitted.</exception>
    public Tensor Transform(Tensor activations)
    {
        var components = FittedComponents;
        using var scope = torch.NewDisposeScope();
        var flat = Flatten(activations, nameof(activations), fitting: false);
        if (flat.shape[1] != components.shape[1])
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"The activations have {flat.shape[1]} channels (last dimension of [{string.Join(", ", activations.shape)}]) but the reducer was fitted on {components.shape[1]}; transform activations of the same layer, channels last."),
                nameof(activations));
        }

        Tensor reduced;
        if (Method == ChannelReductionMethod.Pca)
        {
            reduced = flat.sub(_mean!).mm(components.t());
        }
        else
        {
            reduced = torch.zeros(new long[] { flat.shape[0], ComponentCount }, dtype: ScalarType.Float64);
            NonNegativeMatrixFactorization.CoordinateDescent(flat, reduced, components, updateH: false, _options.MaxIterations, _options.Tolerance);
        }

        return Unflatten(reduced, activations).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ReleaseFit();
    }

    private Tensor FitFlat(Tensor flat)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long rows = flat.shape[0];
        long channels = flat.shape[1];
        if (ComponentCount > channels)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"The reducer has {ComponentCount} components but the activations have only {channels} channels; use at most {channels} components (channels are the last dimension)."),
                "activations");
        }

        if (Method == ChannelReductionMethod.Pca)
        {
            if (ComponentCount > rows)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture,
                        $"PCA with {ComponentCount} components needs at least {ComponentCount} rows (positions), but the activations have {rows}; use fewer components or more positions."),
                    "activations");
            }

            var fit = PrincipalComponents.Compute(flat, ComponentCount);
            ReleaseFit();
            _pca = fit;
            _mean = fit.Mean.DetachFromDisposeScope();
            _components = fit.Components.DetachFromDisposeScope();
            return flat.sub(_mean).mm(_components.t());
        }

        var (w, h) = NonNegativeMatrixFactorization.Initialize(flat, ComponentCount, _options.Seed);
        int sweeps = NonNegativeMatrixFactorization.CoordinateDescent(flat, w, h, updateH: true, _options.MaxIterations, _options.Tolerance);
        double error = flat.sub(w.mm(h)).norm().item<double>();
        ReleaseFit();
        _components = h.DetachFromDisposeScope();
        _iterations = sweeps;
        _reconstructionError = error;
        return w;
    }

    private void ReleaseFit()
    {
        _components?.Dispose();
        _mean?.Dispose();
        _components = null;
        _mean = null;
        _pca = null;
    }

    private void RequireFitted(ChannelReductionMethod method, string property)
    {
        _ = FittedComponents;
        if (Method != method)
        {
            throw new InvalidOperationException(
                $"{property} is defined for {method} only; this reducer uses {Method}.");
        }
    }

    private PrincipalComponents.Fit RequirePca(string property)
    {
        RequireFitted(ChannelReductionMethod.Pca, property);
        return _pca!;
    }

    /// <summary>Checks <paramref name="activations"/> and returns them as a float64 CPU matrix, rows x channels.</summary>
    private Tensor Flatten(Tensor activations, string paramName, bool fitting)
    {
        ArgumentNullException.ThrowIfNull(activations, paramName);
        ObjectDisposedException.ThrowIf(_disposed, this);
        string shape = string.Join(", ", activations.shape);
        if (activations.dim() < 2)
        {
            throw new ArgumentException(
                $"Activations must have at least 2 dimensions, [..., channels] (e.g. [batch, height, width, channels]), but have shape [{shape}]; for one vector use unsqueeze(0).",
                paramName);
        }

        var type = activations.dtype;
        if (!AnalysisTypes.IsReal(type))
        {
            throw new ArgumentException(
                $"Activations must be real numbers, but have type {type}; convert them with .to(ScalarType.Float32).",
                paramName);
        }

        long channels = activations.shape[^1];
        if (channels == 0 || activations.numel() == 0)
        {
            throw new ArgumentException($"Activations of shape [{shape}] are empty; a reducer needs at least one row and one channel.", paramName);
        }

        var flat = activations.detach().reshape(-1, channels).to(ScalarType.Float64, torch.CPU);
        if (!flat.isfinite().all().item<bool>())
        {
            throw new ArgumentException(
                $"Activations of shape [{shape}] contain NaN or infinite values; a reducer needs finite numbers (check the model or the layer for overflow).",
                paramName);
        }

        if (Method == ChannelReductionMethod.Nmf)
        {
            double minimum = flat.min().item<double>();
            if (minimum < 0)
            {
                string stage = fitting ? "fitted" : "transformed";
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture,
                        $"NMF needs non-negative activations, but those {stage} (shape [{shape}]) have a minimum of {minimum:G6}; use a layer after a ReLU, clamp at 0, or ChannelReductionMethod.Pca."),
                    paramName);
            }
        }

        return flat;
    }

    private Tensor Unflatten(Tensor reduced, Tensor like)
    {
        var shape = like.shape.ToArray();
        shape[^1] = ComponentCount;
        var type = AnalysisTypes.ResultType(like.dtype);
        return reduced.reshape(shape).to(type, like.device);
    }
}
