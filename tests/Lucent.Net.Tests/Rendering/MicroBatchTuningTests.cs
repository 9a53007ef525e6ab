using Lucent.Net.Objectives;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Testing;

namespace Lucent.Net.Tests.Rendering;

/// <summary>
/// The micro-batch measurement inside a real render (docs/performance.md, "Measured defaults"): whatever it chooses
/// (which depends on this machine's timings and cache, so no test asserts the choice), the render's images and losses
/// are exactly those of a render with one of the candidate sizes set explicitly, and a second render of the same
/// workload in the same process gives the same bytes.
/// </summary>
public sealed class MicroBatchTuningTests
{
    [Fact]
    public void A_render_that_measures_its_micro_batch_leaves_no_trace_in_its_images_or_losses()
    {
        using var model = new TinyConvNet(seed: 1);
        var options = new RenderOptions
        {
            Thresholds = [5],
            FixedImageSize = (24, 24),
            Parameterization = ParameterizationFactory.From(g => ImageParameterizations.Image(16, batch: 3, generator: g)),
            Seed = 11,
        };
        IObjective[] perImage =
        [
            Objective.Channel("conv2", 1, batch: 0),
            Objective.Channel("conv1", 4, batch: 1),
            Objective.Neuron("conv2", 7, batch: 2),
        ];

        var measured = Renderer.RenderBatch(model, perImage, options);
        var again = Renderer.RenderBatch(model, perImage, options);

        measured.Losses.Should().HaveCount(5);
        measured.ImageLosses.Should().OnlyContain(l => l.Count == 5, "the measurement's passes record no losses");
        again.FinalImages.Pixels.Should().Equal(measured.FinalImages.Pixels, "every render of a workload in one process uses the same setting");
        again.Losses.Should().Equal(measured.Losses);

        // The measurement draws no random numbers and puts no gradient on the image: the render equals the render with
        // one of the candidates set explicitly (the chosen one), to the last bit.
        var explicitRenders = new int[] { 3, 1, 2 }.Select(size => Renderer.RenderBatch(model, perImage, options with { MicroBatchSize = size })).ToList();
        explicitRenders.Should().Contain(
            r => r.FinalImages.Pixels.SequenceEqual(measured.FinalImages.Pixels) && r.Losses.SequenceEqual(measured.Losses),
            "the measured render must equal a render with its chosen size");

        // The result says which size it used and how it was chosen; the explicit renders name their own size and no tuning.
        measured.MicroBatchTuning.Should().NotBeNull("a batched CPU render that leaves the size unset uses the measured default");
        measured.MicroBatchSize.Should().Be(measured.MicroBatchTuning!.MicroBatchFor(3));
        var same = explicitRenders.Single(r => r.MicroBatchSize == measured.MicroBatchSize);
        same.FinalImages.Pixels.Should().Equal(measured.FinalImages.Pixels, "the reported size is the one the render ran");
        explicitRenders.Select(r => r.MicroBatchSize).Should().Equal(3, 1, 2);
        explicitRenders.Should().OnlyContain(r => r.MicroBatchTuning == null);
        Renderer.Render(model, Objective.Channel("conv2", 1), options with { Parameterization = ParameterizationFactory.From(g => ImageParameterizations.Image(16, generator: g)) })
            .MicroBatchTuning.Should().BeNull("a single image is never micro-batched");
    }

    [Fact]
    public void The_workload_names_the_model_its_size_and_weight_type_the_layers_and_the_input()
    {
        Lucent.Net.Runtime.LucentRuntime.EnsureInitialized();
        using var model = new TinyConvNet(seed: 1);
        using var input = TorchSharp.torch.zeros(4, 3, 24, 24);
        string text = MicroBatchTuning.Describe(model, [Objective.Channel("conv2", 1, batch: 0), Objective.Channel("conv1", 1, batch: 1)], input, stopEarly: true);
        long parameters = model.parameters().Sum(p => p.numel());
        text.Should().Be($"{typeof(TinyConvNet).FullName} params={parameters} weights=Float32 layers=conv1,conv2 input=4x3x24x24 Float32 stop-early");
    }
}
