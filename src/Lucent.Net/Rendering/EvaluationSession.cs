using Lucent.Net.Activations;
using Lucent.Net.Devices;
using Lucent.Net.Parameterization;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Rendering;

/// <summary>
/// What <see cref="ObjectiveEvaluator"/> and <see cref="ActivationCapture"/> share: a <see cref="ModelSession"/>
/// (the set-up a render uses too) over fixed images placed on the model's device, without gradients.
/// <see cref="Forward"/> runs one pass.
/// </summary>
internal sealed class EvaluationSession : IDisposable
{
    private readonly ModelSession _session;
    private readonly Tensor _placed;
    private readonly IDisposable _noGrad;

    public EvaluationSession(nn.Module<Tensor, Tensor> model, IReadOnlyCollection<string> layers, Tensor images, RenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        RequireImageBatch(images);
        _session = ModelSession.Open(model, options, RenderDevice.Resolve(model, options), CancellationToken.None);
        try
        {
            var shape = new ImageShape((int)images.shape[0], (int)images.shape[1], (int)images.shape[2], (int)images.shape[3]);
            _session.Prepare(shape, layers, stopEarly: true);
            _placed = TorchDevices.SameDevice(images.device, _session.Device) ? images.alias() : images.to(_session.Device);
            _noGrad = torch.no_grad();
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <summary>Fails unless <paramref name="images"/> is laid out (batch, channels, height, width).</summary>
    public static void RequireImageBatch(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4)
        {
            throw new ArgumentException($"Expected images laid out (batch, channels, height, width); got shape [{string.Join(", ", images.shape)}].", nameof(images));
        }
    }

    /// <summary>Runs one forward pass (new random draws of the transforms) and returns the hooked activations, valid until the next pass or the end of the caller's dispose scope.</summary>
    public IActivationLookup Forward(string objectiveName, string where)
    {
        var recorder = _session.Recorder;
        recorder.BeginStep(_placed);
        _session.Run(_session.Transform(_placed), objectiveName, where);
        return recorder;
    }

    public void Dispose()
    {
        _noGrad.Dispose();
        _placed.Dispose();
        _session.Dispose();
    }
}
