using Lucent.Net.ModelZoo.InceptionV1;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.InceptionV1;

/// <summary>
/// Test helper: a forward hook on every named submodule, as a renderer would register them, that
/// keeps a detached copy of each output and the order in which the hooks fired.
/// </summary>
internal sealed class LayerRecorder : IDisposable
{
    private readonly List<Action> _removers = [];

    public LayerRecorder(InceptionV1Model model, bool keepLayout = false)
    {
        foreach (var (name, module) in model.named_modules())
        {
            if (name.Length == 0)
            {
                continue;
            }

            var hookable = module as nn.Module<Tensor, Tensor>
                ?? throw new InvalidOperationException($"Layer '{name}' is a {module.GetType().Name}, not a Module<Tensor, Tensor>.");
            var layerName = name.Replace('.', '_');
            var remover = hookable.register_forward_hook((_, _, output) =>
            {
                FireOrder.Add(layerName);
                if (Outputs.TryGetValue(layerName, out var previous))
                {
                    previous.Dispose();
                }

                var copy = keepLayout ? output.detach().alias() : output.detach().clone();
                copy.DetachFromDisposeScope();
                Outputs[layerName] = copy;
                return null!; // no replacement: the module's output stands
            });
            _removers.Add(remover.remove);
        }
    }

    public Dictionary<string, Tensor> Outputs { get; } = new(StringComparer.Ordinal);

    public List<string> FireOrder { get; } = [];

    public void Dispose()
    {
        foreach (var remove in _removers)
        {
            remove();
        }

        foreach (var output in Outputs.Values)
        {
            output.Dispose();
        }
    }
}
