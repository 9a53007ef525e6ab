using static TorchSharp.torch;

namespace Lucent.Net.Modules;

/// <summary>
/// Reproducible random weights without TorchSharp's global generator: re-draws a module's parameters
/// from a private generator seeded by the caller, so that two models built with the same seed are
/// identical whatever else the process draws, on any thread.
/// </summary>
public static class SeededInitialization
{
    /// <summary>
    /// Re-draws every weight of at least two dimensions, and the bias beside it, uniformly in
    /// <c>±1/sqrt(fan_in)</c>, PyTorch's default for convolutions and linear layers (Kaiming uniform with
    /// <c>a = sqrt(5)</c>); <c>fan_in</c> is the weight's input channels times its kernel size. Other
    /// parameters (e.g. batch-norm scales) keep their values. The values are drawn on the CPU and copied
    /// to each parameter's device and type.
    /// </summary>
    /// <param name="module">The module; changed in place.</param>
    /// <param name="seed">The seed.</param>
    public static void Reinitialize(nn.Module module, long seed)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var generator = new Generator(unchecked((ulong)seed), CPU);
        using var noGrad = no_grad();
        foreach (var (_, child) in module.named_modules().Prepend(("", module)))
        {
            var own = child.named_parameters(recurse: false).ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
            if (!own.TryGetValue("weight", out var weight) || weight.dim() < 2)
            {
                continue;
            }

            long fanIn = weight.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
            double bound = 1.0 / Math.Sqrt(Math.Max(fanIn, 1));
            Fill(weight, bound, generator);
            if (own.TryGetValue("bias", out var bias))
            {
                Fill(bias, bound, generator);
            }
        }
    }

    private static void Fill(Tensor parameter, double bound, Generator generator)
    {
        using var draw = rand(parameter.shape, dtype: ScalarType.Float32, generator: generator);
        using var scaled = draw.mul_(2 * bound).sub_(bound);
        parameter.copy_(scaled);
    }
}
