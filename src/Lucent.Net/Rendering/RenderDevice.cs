using Lucent.Net.Devices;
using static TorchSharp.torch;

namespace Lucent.Net.Rendering;

/// <summary>Picks the device of one render.</summary>
internal static class RenderDevice
{
    /// <summary>The device a render runs on: the options' device, checked against the model's, or the model's.</summary>
    /// <exception cref="DeviceMismatchException">The options ask for another device than the model is on.</exception>
    internal static Device Resolve(nn.Module model, RenderOptions options)
    {
        var modelDevice = TorchDevices.ModelDevice(model);
        if (options.Device is { } requested && !TorchDevices.SameDevice(requested, modelDevice))
        {
            throw new DeviceMismatchException(
                $"RenderOptions.Device is {TorchDevices.Describe(requested)} but the model is on {TorchDevices.Describe(modelDevice)}. Move the model first (model.to(device), or load it with ModelLoadOptions.Device), or leave RenderOptions.Device null to render on the model's device.",
                TorchDevices.Describe(requested),
                TorchDevices.Describe(modelDevice));
        }

        return modelDevice;
    }
}
