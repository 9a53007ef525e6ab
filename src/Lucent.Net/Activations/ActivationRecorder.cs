using Lucent.Net.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.Activations;

/// <summary>
/// Installs forward hooks on a model's submodules and serves the captured activations to objectives; it only
/// records (captum.optim's hook): running the model is <see cref="ModelRunner"/>'s. When <see cref="StopEarly"/>
/// is on, a hook stops the forward pass (by an exception the runner catches, as captum.optim does) once every
/// layer the objective needs has been computed.
/// </summary>
internal sealed class ActivationRecorder : IActivationLookup, IClassLabels, IDisposable
{
    private readonly Dictionary<string, Tensor> _captured = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _hooks = [];
    private readonly HashSet<string> _required;
    private readonly IReadOnlyDictionary<string, string> _aliases;
    private readonly IReadOnlyList<string> _knownNames;
    private readonly bool _captureAll;
    private readonly bool _keepLatest;
    private int _remaining;

    /// <summary>The layers captured in the current step (hook names, plus input and labels once set).</summary>
    public IReadOnlyCollection<string> CapturedLayers => _captured.Keys;

    /// <summary>The model's class names, when it has them (<see cref="IClassLabels"/>).</summary>
    public ClassLabels? ClassLabels { get; }

    /// <summary>Hooks <paramref name="model"/> to capture the layers in <paramref name="layers"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="layers">The layers the objective needs (hook names, aliases, input, labels); empty means all.</param>
    /// <param name="stopEarly">Whether to stop the forward once the needed layers are computed.</param>
    /// <param name="keepLatest">
    /// Whether a layer computed again keeps its latest output (Lucent's <c>hook_model</c>, whose hooks outlive many
    /// forward passes that nobody announces with <see cref="BeginStep"/>); false keeps a step's first output.
    /// </param>
    /// <exception cref="UnknownLayerException">A layer is not in the model.</exception>
    public ActivationRecorder(nn.Module model, IReadOnlyCollection<string> layers, bool stopEarly, bool keepLatest = false)
    {
        _keepLatest = keepLatest;
        ClassLabels = (model as IClassLabels)?.ClassLabels;
        _knownNames = ModelLayers.Names(model);
        _aliases = model is ILayerAliases a ? a.LayerAliases : new Dictionary<string, string>();
        var modules = ModelLayers.HookableModules(model);
        var hookNames = new HashSet<string>(modules.Select(m => m.Key), StringComparer.Ordinal);

        _required = new HashSet<string>(StringComparer.Ordinal);
        foreach (string layer in layers)
        {
            string resolved = Resolve(layer);
            if (resolved != IActivationLookup.Input && resolved != IActivationLookup.Labels && !hookNames.Contains(resolved))
            {
                throw new UnknownLayerException(layer, _knownNames);
            }

            if (resolved != IActivationLookup.Input)
            {
                _required.Add(resolved);
            }
        }

        _captureAll = layers.Count == 0;
        StopEarly = stopEarly && !_captureAll && !_required.Contains(IActivationLookup.Labels);
        foreach (var (name, module) in modules)
        {
            if (!_captureAll && !_required.Contains(name))
            {
                continue;
            }

            string hookName = name;
            _hooks.Add(new ModelLayers.HookHandle(module.register_forward_hook((_, _, output) =>
            {
                OnOutput(hookName, output);
                return null!;
            })));
        }
    }

    /// <summary>Whether the forward pass is stopped once the needed layers are captured.</summary>
    public bool StopEarly { get; }

    /// <summary>Whether every needed layer (other than <c>input</c>) has been captured this step.</summary>
    public bool AllRequiredCaptured => _remaining == 0;

    /// <summary>The needed layers not yet captured this step.</summary>
    public IEnumerable<string> MissingLayers => _required.Where(r => !_captured.ContainsKey(r));

    /// <inheritdoc />
    public Tensor this[string layer]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(layer);
            string resolved = Resolve(layer);
            if (_captured.TryGetValue(resolved, out var tensor))
            {
                return tensor;
            }

            if (!_knownNames.Contains(layer, StringComparer.Ordinal))
            {
                throw new UnknownLayerException(layer, _knownNames);
            }

            throw new InvalidOperationException(
                $"Layer '{layer}' was not captured in this step. Objectives must list every layer they read in IObjective.Layers " +
                "(the renderer only records those, and stops the forward pass once they are computed).");
        }
    }

    /// <summary>Forgets the previous step's activations and records the parameterised image as <c>input</c>.</summary>
    /// <param name="input">The image before transforms.</param>
    public void BeginStep(Tensor input)
    {
        _captured.Clear();
        _captured[IActivationLookup.Input] = input;
        _remaining = _required.Count;
    }

    /// <summary>Records the model's output as <c>labels</c>.</summary>
    /// <param name="output">The model output.</param>
    public void RecordLabels(Tensor output) => OnOutput(IActivationLookup.Labels, output);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var hook in _hooks)
        {
            hook.Dispose();
        }

        _hooks.Clear();
        _captured.Clear();
    }

    private string Resolve(string layer) => _aliases.TryGetValue(layer, out var target) ? target : layer;

    private void OnOutput(string name, Tensor output)
    {
        if (_captured.TryAdd(name, output))
        {
            if (_required.Contains(name))
            {
                _remaining--;
            }
        }
        else if (_keepLatest)
        {
            _captured[name] = output;
        }

        if (StopEarly && _remaining == 0)
        {
            throw new ForwardStoppedException();
        }
    }
}

/// <summary>Thrown from a forward hook to stop the forward pass once every needed layer is computed.</summary>
internal sealed class ForwardStoppedException : Exception
{
    public ForwardStoppedException()
        : base("Forward pass stopped: every layer the objective needs has been computed.")
    {
    }

    public ForwardStoppedException(string message)
        : base(message)
    {
    }

    public ForwardStoppedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
