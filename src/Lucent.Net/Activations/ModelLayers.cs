using Lucent.Net.Devices;
using Lucent.Net.Modules;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Activations;

/// <summary>One hookable layer of a model: its Lucent-style name and, when measured, its output shape.</summary>
/// <param name="Name">The hook name (the submodule path joined with <c>_</c>).</param>
/// <param name="OutputShape">The output shape for the input size it was measured at; empty when not computed at that size.</param>
/// <param name="ModuleType">The submodule's .NET type name.</param>
public sealed record LayerInfo(string Name, IReadOnlyList<long> OutputShape, string ModuleType)
{
    /// <summary>The shape formatted like <c>[1, 508, 14, 14]</c>.</summary>
    /// <returns>The formatted shape.</returns>
    public string FormatShape() => OutputShape.Count == 0 ? "(not computed)" : "[" + string.Join(", ", OutputShape) + "]";

    /// <summary>
    /// What objectives read on this layer: the channel count of a (batch, channels, ...) layer, or
    /// <c>196 tokens x 768 features (token 0: class token)</c> for a (batch, tokens, features) token layer
    /// (see <see cref="TokenLayers"/>); <c>-</c> when there is no such axis or the shape was not computed.
    /// </summary>
    /// <returns>The description.</returns>
    public string FormatUnits() =>
        TokenLayers.Describe(OutputShape) ?? (OutputShape.Count >= 2 ? OutputShape[1].ToString(System.Globalization.CultureInfo.InvariantCulture) : "-");
}

/// <summary>
/// Lists the layers of a model under Lucent's naming: every named submodule, recursively, with its
/// path joined by <c>_</c> (<c>features.3</c> becomes <c>features_3</c>), plus the two special
/// names <see cref="IActivationLookup.Input"/> and <see cref="IActivationLookup.Labels"/>.
/// </summary>
public static class ModelLayers
{
    /// <summary>The hook name for a TorchSharp module path (dots become underscores).</summary>
    /// <param name="modulePath">A path as returned by <c>named_modules()</c>.</param>
    /// <returns>The hook name.</returns>
    public static string HookName(string modulePath)
    {
        ArgumentNullException.ThrowIfNull(modulePath);
        return modulePath.Replace('.', '_');
    }

    /// <summary>The hookable submodules of <paramref name="model"/> by hook name, in registration order.</summary>
    /// <param name="model">The model.</param>
    /// <returns>Hook name to module; modules whose forward is not tensor-to-tensor cannot be hooked and are left out.</returns>
    public static IReadOnlyList<KeyValuePair<string, nn.Module<Tensor, Tensor>>> HookableModules(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = new List<KeyValuePair<string, nn.Module<Tensor, Tensor>>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, module) in model.named_modules())
        {
            if (module is nn.Module<Tensor, Tensor> hookable && name.Length > 0 && seen.Add(HookName(name)))
            {
                result.Add(new(HookName(name), hookable));
            }
        }

        return result;
    }

    /// <summary>Every name an objective may ask for on <paramref name="model"/>: hook names, aliases, <c>input</c> and <c>labels</c>.</summary>
    /// <param name="model">The model.</param>
    /// <returns>The names, hook names first in registration order.</returns>
    public static IReadOnlyList<string> Names(nn.Module model)
    {
        var names = HookableModules(model).Select(p => p.Key).ToList();
        if (model is ILayerAliases aliases)
        {
            names.AddRange(aliases.LayerAliases.Keys.Where(k => !names.Contains(k, StringComparer.Ordinal)));
        }

        names.Add(IActivationLookup.Input);
        names.Add(IActivationLookup.Labels);
        return names;
    }

    /// <summary>
    /// Runs one forward pass on a grey image of the given size and lists every hookable layer with
    /// its output shape. Layers that cannot be computed at that size are listed with an empty shape.
    /// </summary>
    /// <param name="model">The model (its preprocessing is not applied; shapes do not depend on values).</param>
    /// <param name="height">Input height.</param>
    /// <param name="width">Input width.</param>
    /// <param name="channels">Input channels.</param>
    /// <returns>The layers in registration order, followed by aliases.</returns>
    public static IReadOnlyList<LayerInfo> Describe(nn.Module<Tensor, Tensor> model, int height = 224, int width = 224, int channels = 3)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);

        var modules = HookableModules(model);
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        var removers = new List<IDisposable>();
        using var lease = ModelLock.Acquire(model, CancellationToken.None);
        try
        {
            foreach (var (name, module) in modules)
            {
                string captured = name;
                removers.Add(new HookHandle(module.register_forward_hook((_, _, output) =>
                {
                    shapes[captured] = output.shape;
                    return null!;
                })));
            }

            using var noGrad = torch.no_grad();
            using var scope = NewDisposeScope();
            var device = TorchDevices.ModelDevice(model);
            var input = torch.full([1, channels, height, width], 0.5f, device: device);
            try
            {
                var output = model.call(input);
                shapes[IActivationLookup.Labels] = output.shape;
            }
            catch (Exception ex) when (ex is ExternalException or ArgumentException or InvalidOperationException)
            {
                // Later layers cannot be computed at this size: they are listed without a shape.
            }
        }
        finally
        {
            foreach (var remover in removers)
            {
                remover.Dispose();
            }
        }

        var result = modules
            .Select(p => new LayerInfo(p.Key, shapes.TryGetValue(p.Key, out var s) ? s : [], p.Value.GetType().Name))
            .ToList();
        if (model is ILayerAliases aliases)
        {
            foreach (var (alias, target) in aliases.LayerAliases)
            {
                result.Add(new LayerInfo(alias, shapes.TryGetValue(target, out var s) ? s : [], "alias of " + target));
            }
        }

        result.Add(new LayerInfo(IActivationLookup.Labels, shapes.TryGetValue(IActivationLookup.Labels, out var l) ? l : [], "model output"));
        return result;
    }

    /// <summary>Wraps TorchSharp's hook remover so it can be disposed.</summary>
    internal sealed class HookHandle(nn.HookableModule<Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover remover) : IDisposable
    {
        public void Dispose() => remover.remove();
    }
}
