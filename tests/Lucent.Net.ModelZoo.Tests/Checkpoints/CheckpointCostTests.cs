using System.Diagnostics;
using Lucent.Net.ModelZoo.Checkpoints;
using Lucent.Net.ModelZoo.Tests.InceptionV1;
using Lucent.Net.Runtime;
using Xunit.Abstractions;

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
        // 60,000 keys in one dict, each a short distinct string: refused only at the end ("not a tensor").
        const int count = 60_000;
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

/// <summary>Shared storages and memoized entries: the output is bounded by the file. Reads process-wide heap numbers, so runs alone.</summary>
[Collection(NativeHeapCollection.Name)]
public class SharedStorageCostTests
{
    private const int StorageFloats = 1 << 18; // 1 MiB of float32

    private readonly ITestOutputHelper output;

    public SharedStorageCostTests(ITestOutputHelper output)
    {
        this.output = output;
        LucentRuntime.EnsureInitialized();
    }

    private static long NativeBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GlibcHeap.Read() is { } heap ? heap.InUseBytes + heap.MappedBytes : 0;
    }

    /// <summary>Reads <paramref name="bytes"/> and returns the native heap growth while the result is alive, after checking it with <paramref name="check"/>.</summary>
    private long NativeGrowthWhileHeld(byte[] bytes, Action<StateDict> check, CheckpointReadOptions? options = null)
    {
        long before = NativeBytes();
        using var sd = PyTorchCheckpointTests.Read(bytes, options);
        long held = NativeBytes() - before;
        output.WriteLine($"file {bytes.Length:N0} bytes, {sd.Count} entries: native heap grew {held:N0} bytes while held");
        check(sd);
        return held;
    }

    [Theory]
    [InlineData(CheckpointFormat.Zip, "FloatStorage")]
    [InlineData(CheckpointFormat.Legacy, "FloatStorage")]
    [InlineData(CheckpointFormat.Zip, "HalfStorage")]
    public void Two_hundred_views_of_one_storage_cost_one_storage(CheckpointFormat format, string storageType)
    {
        // The issue's file: 200 entries that view one 1 MiB storage (1.06 MB on disk) became 210 MB of tensors.
        int elementSize = storageType == "HalfStorage" ? 2 : 4;
        var w = new TorchCheckpointWriter();
        var storage = w.AddStorage(storageType, elementSize, new byte[StorageFloats * elementSize]);
        for (int i = 0; i < 200; i++)
        {
            w.AddTensor($"v{i}", storage, i, [StorageFloats - 200]);
        }

        byte[] bytes = w.Write(format);
        long held = NativeGrowthWhileHeld(bytes, sd =>
        {
            sd.Count.Should().Be(200);
            sd["v0"].fill_(3f);
            sd["v199"][0].item<float>().Should().Be(3f, "entries that view one storage share its memory, as with torch.load");
        });

        if (GlibcHeap.Read() is not null)
        {
            // float16 becomes float32 once per storage: about twice the storage bytes. The margin (16 MB) covers
            // glibc heap noise (a CI run measured 7.8 MB for the float16 case); copies per entry would be 210 MB.
            held.Should().BeLessThan((2L * StorageFloats * 4) + (16L << 20), $"the file has {bytes.Length} bytes");
        }
    }

    [Fact]
    public void Sixty_thousand_memoized_entries_of_one_tensor_are_views_not_copies()
    {
        // One 1 MiB tensor, then 60,000 more keys that fetch the same tensor object from the memo (BINGET): a
        // 2 MB file that asked for ~60 GB when every entry was copied.
        const int copies = 60_000;
        var w = new TorchCheckpointWriter { IncludeMetadata = false };
        w.AddTensor("w", w.AddStorage("FloatStorage", 4, new byte[StorageFloats * 4]), 0, [StorageFloats]);
        w.ExtraItems = p =>
        {
            for (int i = 0; i < copies; i++)
            {
                p.Str("k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), memoize: false);
                p.TryGet("tensor:w").Should().BeTrue();
            }
        };

        byte[] bytes = w.Zip();
        var clock = Stopwatch.StartNew();
        long held = NativeGrowthWhileHeld(bytes, sd =>
        {
            sd.Count.Should().Be(copies + 1);
            sd["k59999"].shape.Should().Equal(StorageFloats);
        });
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20));
        if (GlibcHeap.Read() is not null)
        {
            // One storage (1 MiB) plus a tensor header per entry (a few hundred bytes each).
            held.Should().BeLessThan(128L << 20, $"the file has {bytes.Length} bytes (32 MB measured; copies would be ~60 GB)");
        }
    }

    [Fact]
    public void More_entries_than_the_cap_are_refused_before_any_tensor_is_made()
    {
        var w = new TorchCheckpointWriter { IncludeMetadata = false };
        w.AddFloat32("w", [1f], 1);
        w.ExtraItems = p =>
        {
            for (int i = 0; i < (1 << 16) + 1; i++)
            {
                p.Str("k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), memoize: false);
                p.TryGet("tensor:w");
            }
        };

        var clock = Stopwatch.StartNew();
        FluentActions.Invoking(() => PyTorchCheckpointTests.Read(w.Zip()).Dispose())
            .Should().Throw<CheckpointFormatException>().WithMessage("*65536*");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
    }
}
