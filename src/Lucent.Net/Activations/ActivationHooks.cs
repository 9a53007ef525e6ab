using System.Runtime.ExceptionServices;
using Lucent.Net.Devices;
using static TorchSharp.torch;

namespace Lucent.Net.Activations;

/// <summary>
/// Lucent's <c>hook_model</c> for an optimisation loop of your own: forward hooks on the named layers that keep each
/// layer's latest output as computed, graph and all, so that <c>objective.Compute(hooks).backward()</c> (Lucent's
/// <c>objective(hook).backward()</c>) sends gradients to your image. The hooks only record; nothing else about the
/// model changes (put it in eval mode yourself, as Lucent's <c>render_vis</c> does). Dispose to remove the hooks.
/// </summary>
/// <remarks>
/// <para>Run the model with <see cref="Forward"/> (which also records <c>input</c> and <c>labels</c>, casts the input to the
/// model's floating type and reports device and size errors as the renderer does) or call it yourself: the layers are
/// recorded either way. The activations live as long as the forward pass's tensors: until your dispose scope ends.</para>
/// <para>For activations that outlive the pass, without gradients, use <c>ActivationCapture.Capture</c>; for the whole
/// loop with Lucent's defaults, <c>Renderer.Render</c>.</para>
/// </remarks>
public sealed class ActivationHooks : IActivationLookup, IClassLabels, IDisposable
{
    private readonly ActivationRecorder _recorder;
    private readonly ModelRunner _runner;
    private readonly string[] _layers;
    private bool _disposed;

    private ActivationHooks(nn.Module<Tensor, Tensor> model, string[] layers)
    {
        _layers = layers;
        _runner = new ModelRunner(model, TorchDevices.ModelDevice(model));
        _recorder = new ActivationRecorder(model, layers, stopEarly: false, keepLatest: true);
    }

    /// <summary>Hooks <paramref name="layers"/> of <paramref name="model"/> (Lucent's <c>hook_model(model, image_f)</c>).</summary>
    /// <param name="model">The model; its mode and weights are left as they are.</param>
    /// <param name="layers">
    /// Layer names as in objectives (hook names, aliases, <c>input</c>, <c>labels</c>): pass the objective's
    /// <c>Layers</c>. Empty means every layer.
    /// </param>
    /// <returns>The hooks; dispose them to remove them from the model.</returns>
    /// <exception cref="UnknownLayerException">A layer is not in the model; the message lists the closest names.</exception>
    public static ActivationHooks Attach(nn.Module<Tensor, Tensor> model, IEnumerable<string> layers)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(layers);
        return new ActivationHooks(model, layers.Distinct(StringComparer.Ordinal).ToArray());
    }

    /// <summary>The layers asked for (empty: every layer).</summary>
    public IReadOnlyList<string> Layers => _layers;

    /// <inheritdoc />
    public ClassLabels? ClassLabels => _recorder.ClassLabels;

    /// <summary>The latest activations of <paramref name="layer"/>, with their autograd graph (not a copy: do not dispose).</summary>
    /// <param name="layer">A layer name.</param>
    /// <returns>The activation tensor.</returns>
    /// <exception cref="UnknownLayerException">No such layer.</exception>
    /// <exception cref="InvalidOperationException">The layer was not hooked, or the model has not computed it yet.</exception>
    /// <exception cref="ObjectDisposedException">The hooks were removed.</exception>
    public Tensor this[string layer]
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _recorder[layer];
        }
    }

    /// <summary>
    /// Runs the model on <paramref name="input"/> and records the hooked layers, <c>input</c> and <c>labels</c>
    /// (Lucent's <c>model(transform_f(image_f()))</c>).
    /// </summary>
    /// <param name="input">What the model takes, on its device: transform and preprocess it yourself.</param>
    /// <returns>The model's output.</returns>
    /// <exception cref="LayerNotComputableException">The model failed before computing a hooked layer (other failures: the model's own exception).</exception>
    /// <exception cref="DeviceMismatchException">The input is on another device than the model.</exception>
    /// <exception cref="ObjectDisposedException">The hooks were removed.</exception>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _recorder.BeginStep(input);
        if (_runner.Run(_recorder, input, "activation hooks", "in ActivationHooks.Forward") is { } failure)
        {
            // The model failed after computing every hooked layer: a render may go on without its output, your loop asked for it.
            ExceptionDispatchInfo.Throw(failure);
        }

        return _recorder[IActivationLookup.Labels];
    }

    /// <summary>Removes the hooks from the model.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _recorder.Dispose();
        }
    }
}
