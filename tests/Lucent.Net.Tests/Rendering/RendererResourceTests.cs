using System.Diagnostics;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Testing;
using Lucent.Net.Tests.TestSupport;
using TorchSharp;

namespace Lucent.Net.Tests.Rendering;

// Reads the process's resident size: runs alone, after the parallel tests.
[Collection(TestSupport.GlobalRandomStateCollection.Name)]
public class RendererResourceTests
{
    private static RenderOptions Options(int steps, long seed = 0) => new()
    {
        Parameterization = ParameterizationFactory.From(g => new TestPixelParameterization(16, g)),
        Transforms = [],
        Thresholds = [steps],
        FixedImageSize = (16, 16),
        Seed = seed,
    };

    [Fact]
    public void A_300_step_render_keeps_live_tensors_and_memory_flat()
    {
        using var model = new TinyConvNet(seed: 1);
        long liveAt50 = 0, liveAt300 = 0, rssAt50 = 0, rssAt300 = 0;
        var progress = new InlineProgress<RenderProgress>(p =>
        {
            if (p.Step == 50)
            {
                liveAt50 = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
                rssAt50 = Process.GetCurrentProcess().WorkingSet64;
            }
            else if (p.Step == 300)
            {
                liveAt300 = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
                rssAt300 = Process.GetCurrentProcess().WorkingSet64;
            }
        });

        long liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var result = Renderer.Render(model, new ChannelMeanObjective("conv2", 0), Options(300), progress);
        long liveAfter = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        result.Losses.Should().HaveCount(300);
        (liveAt300 - liveAt50).Should().Be(0, "every step's tensors are disposed at the end of the step");
        (liveAfter - liveBefore).Should().BeLessThanOrEqualTo(0, "the render leaves no tensors behind");
        (rssAt300 - rssAt50).Should().BeLessThan(64L * 1024 * 1024, "native memory must not grow with the number of steps");
    }

    [Fact]
    public async Task Renders_on_different_model_instances_run_in_parallel_and_match_sequential_results()
    {
        using var modelA = new TinyConvNet(seed: 1);
        using var modelB = new TinyConvNet(seed: 2);
        var objective = new ChannelMeanObjective("conv2", 0);
        var sequentialA = Renderer.Render(modelA, objective, Options(10, seed: 3)).FinalImages.Pixels;
        var sequentialB = Renderer.Render(modelB, objective, Options(10, seed: 4)).FinalImages.Pixels;

        var results = await Task.WhenAll(
            Renderer.RenderAsync(modelA, objective, Options(10, seed: 3)),
            Renderer.RenderAsync(modelB, objective, Options(10, seed: 4)));

        results[0].FinalImages.Pixels.Should().Equal(sequentialA);
        results[1].FinalImages.Pixels.Should().Equal(sequentialB);
    }

    [Fact]
    public async Task Two_renders_on_the_same_instance_are_serialised_and_do_not_corrupt_each_other()
    {
        using var model = new TinyConvNet(seed: 1);
        using var conv2 = model.CountCalls("conv2");
        var objectiveA = new ChannelMeanObjective("conv1", 0);
        var objectiveB = new ChannelMeanObjective("conv2", 5);
        var expectedA = Renderer.Render(model, objectiveA, Options(12, seed: 5));
        var expectedB = Renderer.Render(model, objectiveB, Options(12, seed: 6));

        var tasks = Enumerable.Range(0, 4)
            .Select(i => i % 2 == 0
                ? Renderer.RenderAsync(model, objectiveA, Options(12, seed: 5))
                : Renderer.RenderAsync(model, objectiveB, Options(12, seed: 6)))
            .ToArray();
        var results = await Task.WhenAll(tasks);

        for (int i = 0; i < results.Length; i++)
        {
            var expected = i % 2 == 0 ? expectedA : expectedB;
            results[i].FinalImages.Pixels.Should().Equal(expected.FinalImages.Pixels);
            results[i].Losses.Should().Equal(expected.Losses);
        }

        // No hook is left behind: a plain forward afterwards does not touch the recorders.
        conv2.Count.Should().Be(12 + (2 * 12));
    }
}
