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

    /// <summary>
    /// LibTorch allocates tensors with posix_memalign, whose freed blocks glibc before 2.38 seldom reuses:
    /// without the runtime's redirect (or its mmap fallback) the heap of this render grows by megabytes
    /// every few steps while the bytes in use stay flat.
    /// </summary>
    [Fact]
    public void An_inceptionv1_render_with_random_transforms_keeps_the_native_heap_flat()
    {
        if (GlibcHeap.Read() is null)
        {
            return;
        }

        using var model = new InceptionV1Model();
        model.LoadStateDict(DeterministicInceptionV1.SharedStateDict);
        const int sampleStep = 40, lastStep = 160;
        GlibcHeap atSample = default, atEnd = default;
        var options = new RenderOptions
        {
            Parameterization = g => ImageParameterizations.Image(64, generator: g),
            FixedImageSize = (112, 112),
            Thresholds = [lastStep],
            Seed = 1,
        };
        var progress = new InlineProgress(p =>
        {
            if (p.Step is sampleStep or lastStep)
            {
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

        var result = Renderer.Render(model, Objectives.Objectives.Channel("mixed3b", 3), options, progress);

        result.Losses.Should().HaveCount(lastStep);
        const double mb = 1024.0 * 1024.0;
        string numbers = $"step {sampleStep} -> {lastStep}: in use {atSample.InUseBytes / mb:F1} -> {atEnd.InUseBytes / mb:F1} MB, free in heap {atSample.FreeBytes / mb:F1} -> {atEnd.FreeBytes / mb:F1} MB, mapped {atSample.MappedBytes / mb:F1} -> {atEnd.MappedBytes / mb:F1} MB";
        _output.WriteLine(numbers);
        ((atEnd.FreeBytes - atSample.FreeBytes) / mb).Should().BeLessThan(3, $"freed tensor memory must be reused, not left in the heap ({numbers})");
        ((atEnd.InUseBytes + atEnd.MappedBytes - atSample.InUseBytes - atSample.MappedBytes) / mb).Should().BeLessThan(8, $"live native memory must stay flat ({numbers})");
    }

    private sealed class InlineProgress(Action<RenderProgress> report) : IProgress<RenderProgress>
    {
        public void Report(RenderProgress value) => report(value);
    }
}
