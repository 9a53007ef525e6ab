using Lucent.Net.Objectives;
using Lucent.Net.ModelZoo.InceptionV1;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Runtime;
using Xunit.Abstractions;

namespace Lucent.Net.ModelZoo.Tests.InceptionV1;

/// <summary>Tests that read process-wide native heap numbers: run alone, never beside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeHeapCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Native heap";
}

[Collection(NativeHeapCollection.Name)]
public sealed class NativeHeapTests
{
    private readonly ITestOutputHelper _output;

    public NativeHeapTests(ITestOutputHelper output)
    {
        _output = output;
        LucentRuntime.EnsureInitialized();
    }

    /// <summary>A long InceptionV1 render with random transforms: the native heap (in use + free) stays flat.</summary>
    [Fact]
    public void An_inceptionv1_render_with_random_transforms_keeps_the_native_heap_flat()
    {
        if (GlibcHeap.Read() is null)
        {
            return;
        }

        using var model = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1 });
        model.LoadStateDict(DeterministicInceptionV1.SharedStateDict);
        const int sampleStep = 80, lastStep = 200;
        GlibcHeap atSample = default, atEnd = default;
        var options = new RenderOptions
        {
            Parameterization = ParameterizationFactory.From(g => ImageParameterizations.Image(128, generator: g)),
            FixedImageSize = (224, 224),
            Thresholds = [lastStep],
            Seed = 1,
        };
        var progress = new InlineProgress(p =>
        {
            if (p.Step is sampleStep or lastStep)
            {
                // Earlier tests' garbage must not be freed in between: settle the managed heap (and the
                // native memory its finalizers release) before each reading.
                SettleManagedHeap();
                var heap = GlibcHeap.Read()!.Value;
                if (p.Step == sampleStep)
                {
                    atSample = heap;
                }
                else
                {
                    atEnd = heap;
                }
            }
        });

        SettleManagedHeap();
        var result = Renderer.Render(model, Objective.Channel("mixed3a", 3), options, progress);

        result.Losses.Should().HaveCount(lastStep);
        const double mb = 1024.0 * 1024.0;
        string numbers = $"step {sampleStep} -> {lastStep}: in use {atSample.InUseBytes / mb:F1} -> {atEnd.InUseBytes / mb:F1} MB, free in heap {atSample.FreeBytes / mb:F1} -> {atEnd.FreeBytes / mb:F1} MB, mapped {atSample.MappedBytes / mb:F1} -> {atEnd.MappedBytes / mb:F1} MB";
        _output.WriteLine(numbers);
        ((atEnd.HeapBytes - atSample.HeapBytes) / mb).Should().BeLessThan(10, $"freed tensor memory must be reused, so the heap must not grow ({numbers})");
        ((atEnd.InUseBytes + atEnd.MappedBytes - atSample.InUseBytes - atSample.MappedBytes) / mb).Should().BeLessThan(8, $"live native memory must stay flat ({numbers})");
    }

    private static void SettleManagedHeap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private sealed class InlineProgress(Action<RenderProgress> report) : IProgress<RenderProgress>
    {
        public void Report(RenderProgress value) => report(value);
    }
}
