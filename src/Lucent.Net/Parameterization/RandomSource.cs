using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lucent.Net.Parameterization;

/// <summary>
/// The generator a factory draws its initial values from: the caller's, a new one seeded with the
/// caller's seed, or (neither given) a new one with a random seed. Never TorchSharp's global generator.
/// </summary>
internal sealed class RandomSource : IDisposable
{
    private readonly bool _owned;

    private RandomSource(Generator generator, bool owned)
    {
        Generator = generator;
        _owned = owned;
    }

    public Generator Generator { get; }

    public static RandomSource Resolve(Generator? generator, long? seed)
    {
        if (generator is not null && seed is not null)
        {
            throw new ArgumentException("Pass either a generator or a seed, not both.", nameof(seed));
        }

        if (generator is not null)
        {
            return new RandomSource(generator, owned: false);
        }

        ulong value = seed is { } s ? unchecked((ulong)s) : unchecked((ulong)Random.Shared.NextInt64());
        return new RandomSource(new Generator(value, torch.CPU), owned: true);
    }

    /// <summary>Draws <c>randn(shape) * sd</c> from the generator and moves it to <paramref name="device"/>.</summary>
    public Tensor Normal(long[] shape, double standardDeviation, Device? device)
    {
        using var scope = torch.NewDisposeScope();
        var draw = torch.randn(shape, dtype: ScalarType.Float32, device: Generator.device, generator: Generator);
        var scaled = draw.mul(standardDeviation);
        var placed = device is null || device == scaled.device ? scaled : scaled.to(device);
        return placed.MoveToOuterDisposeScope();
    }

    /// <summary>Turns a tensor into a trainable parameter that no dispose scope will free.</summary>
    public static Parameter ToParameter(Tensor values)
    {
        var parameter = new Parameter(values, requires_grad: true);
        parameter.DetachFromDisposeScope();
        return parameter;
    }

    /// <summary>Detaches a constant tensor from any dispose scope; the owner disposes it.</summary>
    public static Tensor Keep(Tensor values)
    {
        values.DetachFromDisposeScope();
        return values;
    }

    public void Dispose()
    {
        if (_owned)
        {
            Generator.Dispose();
        }
    }
}
