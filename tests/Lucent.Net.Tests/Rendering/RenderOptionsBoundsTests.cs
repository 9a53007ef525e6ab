using Lucent.Net.Objectives;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;

namespace Lucent.Net.Tests.Rendering;

/// <summary>
/// Sizes and batch have upper bounds (issue 19, item 11): a render that would try to allocate gigabytes is refused
/// by <see cref="RenderOptions.Validate"/> naming the option, not by OutOfMemory or LibTorch on the first step.
/// </summary>
public sealed class RenderOptionsBoundsTests
{
    public static TheoryData<RenderOptions, string, string> Refused => new()
    {
        { new RenderOptions { Parameterization = new ImageOptions(4097) }, nameof(RenderOptions.Parameterization), "The image must be at most 4096x4096 pixels (RenderOptions.MaxImageSize); got 4097x4097." },
        { new RenderOptions { Parameterization = new ImageOptions(64) { Height = 30000 } }, nameof(RenderOptions.Parameterization), "The image must be at most 4096x4096 pixels (RenderOptions.MaxImageSize); got 64x30000." },
        { new RenderOptions { Parameterization = new ImageOptions(8) { Batch = 1025 } }, nameof(RenderOptions.Parameterization), "ImageOptions.Batch (the number of images rendered together) must be at most 1024 (RenderOptions.MaxBatchSize); got 1025. Render them in several batches." },
        { new RenderOptions { Parameterization = new ImageOptions(4096) { Batch = 5 } }, nameof(RenderOptions.Parameterization), "The image options hold 5 image(s) of 4096x4096, 83886080 pixels in all; at most 67108864 (RenderOptions.MaxImagePixels, width x height x batch). Use smaller images or fewer per batch." },
        { new RenderOptions { FixedImageSize = (224, 30000) }, nameof(RenderOptions.FixedImageSize), "FixedImageSize must be at most 4096x4096 (RenderOptions.MaxFixedImageSize); got 224x30000." },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Oversized_options_are_refused_naming_the_option_and_the_bound(RenderOptions options, string option, string message)
    {
        var error = FluentActions.Invoking(options.Validate).Should().Throw<InvalidRenderOptionsException>().Which;
        error.ParamName.Should().Be(option);
        error.Message.Should().StartWith(message);
    }

    [Fact]
    public void Options_at_the_bounds_are_accepted()
    {
        new RenderOptions { Parameterization = new ImageOptions(RenderOptions.MaxImageSize) { Batch = 4 }, Transforms = [] }.Validate();
        new RenderOptions { Parameterization = new ImageOptions(256) { Batch = RenderOptions.MaxBatchSize } }.Validate();
        new RenderOptions { FixedImageSize = (RenderOptions.MaxFixedImageSize, 1) }.Validate();
        ((long)256 * 256 * RenderOptions.MaxBatchSize).Should().Be(RenderOptions.MaxImagePixels, "the pixel bound admits the largest batch of 256 px images");
    }

    [Fact]
    public void A_batch_render_of_more_objectives_than_the_largest_batch_is_refused_before_anything_runs()
    {
        using var model = new Lucent.Net.Testing.TinyConvNet(seed: 1);
        var objectives = Enumerable.Range(0, RenderOptions.MaxBatchSize + 1).Select(i => (IObjective)Objective.Channel("conv1", 0, batch: i)).ToList();
        FluentActions.Invoking(() => Renderer.RenderBatch(model, objectives, new RenderOptions { Parameterization = new ImageOptions(8), Thresholds = [1] }))
            .Should().Throw<InvalidRenderOptionsException>().WithMessage("ImageOptions.Batch (the number of images rendered together) must be at most 1024*got 1025*");
    }
}
