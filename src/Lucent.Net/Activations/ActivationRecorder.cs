using Lucent.Net.Devices;
using Lucent.Net.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Activations;

/// <summary>
/// Installs forward hooks on a model's submodules for the duration of a render and serves the
/// captured activations to objectives. When <see cref="StopEarly"/> is on, the forward pass is
/// stopped (by an exception thrown from a hook and caught by the renderer, as captum.optim does)
/// once every layer the objective needs has been computed.
/// </summary>
internal sealed class ActivationRecorder : IActivationLookup, IClassLabels, IDisposable
{
    private readonly Dictionary<string, Tensor> _captured = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _hooks = [];
    private readonly HashSet<string> _required;
    private readonly IReadOnlyDictionary<string, string> _aliases;
    private readonly IReadOnlyList<string> _knownNames;
    private readonly bool _captureAll;
    private readonly ScalarType? _inputType;
    private readonly Device _device;
    private int _remaining;

    /// <summary>The layers captured in the current step (hook names, plus input and labels once set).</summary>
    public IReadOnlyCollection<string> CapturedLayers => _captured.Keys;

    /// <summary>The model's class names, when it has them (<see cref="IClassLabels"/>).</summary>
    public ClassLabels? ClassLabels { get; }

    /// <summary>Hooks <paramref name="model"/> to capture the layers in <paramref name="layers"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="layers">The layers the objective needs (hook names, aliases, input, labels); empty means all.</param>
    /// <param name="stopEarly">Whether to stop the forward once the needed layers are computed.</param>
    /// <param name="device">The device the model is on (<see cref="TorchDevices.ModelDevice"/>).</param>
    /// <exception cref="UnknownLayerException">A layer is not in the model.</exception>
    public ActivationRecorder(nn.Module model, IReadOnlyCollection<string> layers, bool stopEarly, Device device)
    {
        this._device = device;
        ClassLabels = (model as IClassLabels)?.ClassLabels;
        _knownNames = ModelLayers.Names(model);
        _inputType = ModelInputType(model);
        if (device.type == DeviceType.CPU)
        {
            // The kernel self-check verifies LibTorch's CPU kernels; other devices run other code.
            Runtime.LucentRuntime.EnsureKernelsCorrect(_inputType ?? ScalarType.Float32);
        }
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

    /// <summary>
    /// Runs <paramref name="model"/> on <paramref name="input"/> for the objective: stops once its layers
    /// are computed, records <c>labels</c> when the whole model ran.
    /// </summary>
    /// <param name="model">The hooked model.</param>
    /// <param name="input">The transformed, preprocessed input.</param>
    /// <param name="objectiveName">For error messages.</param>
    /// <param name="where">Where in the caller this happened, for error messages (e.g. "at step 3").</param>
    /// <returns>Null, or the model's error when it failed only after every needed layer was computed (a warning, not a failure).</returns>
    /// <exception cref="LayerNotComputableException">The model failed before computing a needed layer.</exception>
    /// <exception cref="DeviceMismatchException">The input is on another device than the model, or the model failed because tensors on different devices met.</exception>
    public Exception? RunForward(nn.Module<Tensor, Tensor> model, Tensor input, string objectiveName, string where)
    {
        TorchDevices.Require(
            input,
            _device,
            $"The model's input {where} (the image after the transforms)",
            "Every transform must return its result on its input's device; a custom parameterisation must make its parameters on the model's device.");
        try
        {
            // A model converted to another floating type (e.g. bfloat16) gets its input in that type; the
            // cast is differentiable, so the image's gradient comes back in the image's own type.
            var output = _inputType is { } type && input.dtype != type ? model.call(input.to(type)) : model.call(input);
            RecordLabels(output);
            return null;
        }
        catch (ForwardStoppedException)
        {
            // Every layer the objective needs is computed: the rest of the forward pass is skipped.
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not DeviceMismatchException)
        {
            if (TorchDevices.IsDeviceError(ex))
            {
                throw new DeviceMismatchException(
                    $"The model's forward pass failed {where} because tensors on different devices met: the input is on {TorchDevices.Describe(input.device)} and the model on {TorchDevices.Describe(_device)}, " +
                    $"so some tensor the model uses is elsewhere. Move the whole model with model.to(device). The model said: {ex.Message}",
                    TorchDevices.Describe(_device),
                    TorchDevices.Describe(input.device),
                    ex);
            }

            if (!AllRequiredCaptured)
            {
                throw new LayerNotComputableException(
                    $"The model's forward pass failed {where} on an input of shape [{string.Join(", ", input.shape)}] before computing " +
                    $"{string.Join(", ", MissingLayers.Select(l => "'" + l + "'"))}, which the objective '{objectiveName}' needs. " +
                    $"Use a larger image (RenderOptions.FixedImageSize or a larger parameterisation) or an earlier layer. The model said: {ex.Message}",
                    ex);
            }

            return ex;
        }
    }

    /// <summary>
    /// The floating type of the model's first floating-point parameter, or of its first floating-point
    /// buffer when it has no parameters (imported graphs may hold their weights as buffers); null when
    /// it has neither.
    /// </summary>
    /// <param name="model">The model.</param>
    internal static ScalarType? ModelInputType(nn.Module model)
    {
        foreach (var tensor in model.parameters().Concat<Tensor>(model.buffers()))
        {
            if (tensor.dtype is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16)
            {
                return tensor.dtype;
            }
        }

        return null;
    }

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
        if (_captured.TryAdd(name, output) && _required.Contains(name))
        {
            _remaining--;
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
