using Lucent.Net.Devices;
using Lucent.Net.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Activations;

/// <summary>
/// Runs a model for an objective (the loop's half of captum.optim's split; <see cref="ActivationRecorder"/> only
/// records): checks the input's device, casts it to the model's floating type, records <c>labels</c> when the whole
/// model ran, treats the recorder's early stop as success, and turns the model's failures into typed exceptions.
/// Making one reports a native runtime that failed to load (<see cref="NativeRuntimeException"/>) and checks LibTorch's
/// kernels for the model's type on the CPU (docs/cpu-correctness.md).
/// </summary>
internal sealed class ModelRunner
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly Device _device;
    private readonly ScalarType? _inputType;

    /// <summary>Prepares to run <paramref name="model"/> on <paramref name="device"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="device">The device the model is on (<see cref="TorchDevices.ModelDevice"/>).</param>
    /// <exception cref="NativeRuntimeException">TorchSharp's native runtime could not be loaded.</exception>
    /// <exception cref="KernelCheckException">LibTorch's CPU convolutions are wrong on this machine for the model's type.</exception>
    public ModelRunner(nn.Module<Tensor, Tensor> model, Device device)
    {
        _model = model;
        _device = device;
        _inputType = ModelInputType(model);

        // The runtime was prepared by this assembly's module initializer (the one initialisation point, compiled into
        // every Lucent.Net assembly); when that failed, every pass over a model starts here and reports why.
        LucentRuntime.EnsureInitialized();
        if (device.type == DeviceType.CPU)
        {
            // The kernel self-check verifies LibTorch's CPU kernels; other devices run other code.
            LucentRuntime.EnsureKernelsCorrect(_inputType ?? ScalarType.Float32);
        }
    }

    /// <summary>
    /// Runs the model on <paramref name="input"/> with <paramref name="recorder"/>'s hooks: stops once its layers are
    /// computed (when it stops early), records <c>labels</c> when the whole model ran.
    /// </summary>
    /// <param name="recorder">The hooks on the model.</param>
    /// <param name="input">The transformed, preprocessed input.</param>
    /// <param name="objectiveName">For error messages.</param>
    /// <param name="where">Where in the caller this happened, for error messages (e.g. "at step 3").</param>
    /// <returns>Null, or the model's error when it failed only after every needed layer was computed (a warning, not a failure).</returns>
    /// <exception cref="LayerNotComputableException">The model failed before computing a needed layer.</exception>
    /// <exception cref="DeviceMismatchException">The input is on another device than the model, or the model failed because tensors on different devices met.</exception>
    public Exception? Run(ActivationRecorder recorder, Tensor input, string objectiveName, string where)
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
            var output = _inputType is { } type && input.dtype != type ? _model.call(input.to(type)) : _model.call(input);
            recorder.RecordLabels(output);
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

            if (!recorder.AllRequiredCaptured)
            {
                throw new LayerNotComputableException(
                    $"The model's forward pass failed {where} on an input of shape [{string.Join(", ", input.shape)}] before computing " +
                    $"{string.Join(", ", recorder.MissingLayers.Select(l => "'" + l + "'"))}, which the objective '{objectiveName}' needs. " +
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
}
