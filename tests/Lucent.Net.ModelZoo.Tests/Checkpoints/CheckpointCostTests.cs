using System.Diagnostics;
using Lucent.Net.ModelZoo.Checkpoints;
using Lucent.Net.Runtime;

namespace Lucent.Net.ModelZoo.Tests.Checkpoints;

/// <summary>
/// Hostile checkpoints whose harm is cost (time, memory) rather than a crash: each is read, or refused, within
/// bounds set by the size of the file. The bounds are generous for a loaded 2-core machine; the defects they
/// guard against cost 10 to 1000 times more.
/// </summary>
public class CheckpointCostTests
{
    public CheckpointCostTests() => LucentRuntime.EnsureInitialized();

    private static byte[] ZipWithPickle(byte[] pickle) => new TorchCheckpointWriter { ObjectPickleOverride = pickle }.Zip();

    private static (CheckpointFormatException Error, TimeSpan Elapsed) TimedFailure(byte[] bytes)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var sd = PyTorchCheckpointTests.Read(bytes);
        }
        catch (CheckpointFormatException e)
        {
            return (e, clock.Elapsed);
        }

        throw new InvalidOperationException("The hostile checkpoint was read without error.");
    }

    // ---- Pickle dicts: keys that collide in .NET's hash ----------------------------------------------------

    public static TheoryData<string> NonStringKeyKinds => ["colliding-int", "float", "bool", "none", "bigint", "tuple"];

    [Theory]
    [MemberData(nameof(NonStringKeyKinds))]
    public void A_dict_with_many_non_string_keys_is_refused_at_the_first_key(string kind)
    {
        // 40,000 keys: with (i << 32) | i every int64 has the same .NET hash code, which made each insert scan all
        // earlier keys (17 s for a 408 kB file before; quadratic). Batched (SETITEMS) and one by one (SETITEM).
        const int count = 40_000;
        foreach (bool batched in new[] { true, false })
        {
            var w = new PickleWriter().Proto(2).EmptyDict();
            if (batched)
            {
                w.Mark();
            }

            for (long i = 0; i < count; i++)
            {
                switch (kind)
                {
                    case "colliding-int":
                        w.Long((i << 32) | i);
                        break;
                    case "float":
                        w.Op((byte)'G').Raw(BitConverter.GetBytes((double)i).Reverse().ToArray());
                        break;
                    case "bool":
                        w.Bool(i % 2 == 0);
                        break;
                    case "none":
                        w.None();
                        break;
                    case "bigint":
                        w.Long((System.Numerics.BigInteger.One << 70) + i);
                        break;
                    default:
                        w.Int(i).Int(i).Op(0x86);
                        break;
                }

                w.None();
                if (!batched)
                {
                    w.SetItem();
                }
            }

            if (batched)
            {
                w.SetItems();
            }

            byte[] bytes = ZipWithPickle(w.Stop().ToArray());
            var (error, elapsed) = TimedFailure(bytes);

            error.Message.Should().Contain("keys must be strings");
            elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2), $"{kind} keys ({(batched ? "SETITEMS" : "SETITEM")}, {bytes.Length} bytes) must be refused on sight");
        }
    }

    [Fact]
    public void Many_distinct_string_keys_cost_linear_time()
    {
        // 200,000 keys in one dict, each a short distinct string: refused only at the end ("not a tensor").
        const int count = 200_000;
        var w = new PickleWriter().Proto(2).EmptyDict().Mark();
        for (int i = 0; i < count; i++)
        {
            w.Str("k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), memoize: false).None();
        }

        var (error, elapsed) = TimedFailure(ZipWithPickle(w.SetItems().Stop().ToArray()));

        error.Message.Should().Contain("not a tensor");
        elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }
}
