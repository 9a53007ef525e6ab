using Lucent.Net.Activations;
using Lucent.Net.Devices;
using Lucent.Net.Parameterization;
using Lucent.Net.Runtime;
using Lucent.Net.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Rendering;

/// <summary>
/// The set-up that <see cref="ObjectiveEvaluator"/> and <see cref="ActivationCapture"/> share: the model held,
/// the render's pipeline (transforms, preprocessing, resize) and seeded generator, the hooks, the images on the
/// model's device, the model in eval mode without gradients. <see cref="Forward"/> runs one pass.
/// </summary>
internal sealed class EvaluationSession : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly IDisposable _lease;
    private readonly TransformPipeline _pipeline;
    private readonly Generator _generator;
    private readonly TransformContext _context;
    private readonly ActivationRecorder _recorder;
    private readonly Tensor _placed;
    private readonly bool _wasTraining;
    private readonly IDisposable _noGrad;

    public EvaluationSession(nn.Module<Tensor, Tensor> model, IReadOnlyCollection<string> layers, Tensor images, RenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        RequireImageBatch(images);
        LucentRuntime.EnsureInitialized();
        _model = model;
        _lease = ModelLock.Acquire(model, CancellationToken.None);
        try
        {
            var shape = new ImageShape((int)images.shape[0], (int)images.shape[1], (int)images.shape[2], (int)images.shape[3]);
            _pipeline = new TransformPipeline(Renderer.BuildPipeline(model, options, shape));
            var device = RenderDevice.Resolve(model, options);
            _generator = new Generator((ulong)options.Seed, torch.CPU);
            _context = new TransformContext(_generator);
            _recorder = new ActivationRecorder(model, layers, stopEarly: true, device);
            _placed = TorchDevices.SameDevice(images.device, device) ? images.alias() : images.to(device);
            _wasTraining = model.training;
            model.eval();
            _noGrad = torch.no_grad();
        }
        catch
        {
            _recorder?.Dispose();
            _generator?.Dispose();
            _lease.Dispose();
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
        _recorder.BeginStep(_placed);
        var input = _pipeline.Apply(_placed, _context);
        _recorder.RunForward(_model, input, objectiveName, where);
        return _recorder;
    }

    public void Dispose()
    {
        _noGrad.Dispose();
        _model.train(_wasTraining);
        _placed.Dispose();
        _recorder.Dispose();
        _generator.Dispose();
        _lease.Dispose();
    }
}
