using Lucent.Net.Rendering;

namespace Lucent.Net.Tests.Rendering;

/// <summary>
/// <see cref="RenderOptions.Steps"/> is settable (issue 21, item 5) and its relation to <see cref="RenderOptions.Thresholds"/>
/// is defined: unset means the largest threshold; set means the render runs that many steps and records its last image.
/// </summary>
public sealed class RenderStepsTests
{
    [Fact]
    public void Steps_alone_runs_that_many_steps_and_records_the_last_image()
    {
        var options = new RenderOptions { Steps = 256 };
        options.Validate();
        (options.Steps, options.Thresholds).Should().BeEquivalentTo((256, new[] { 256 }));
    }

    [Fact]
    public void Thresholds_alone_run_to_the_largest_as_in_Lucent()
    {
        var options = new RenderOptions { Thresholds = [128, 64] };
        options.Validate();
        options.Steps.Should().Be(128);
        options.Thresholds.Should().Equal(64, 128);
        new RenderOptions().Steps.Should().Be(512, "Lucent's default thresholds are (512,)");
    }

    [Fact]
    public void Steps_with_earlier_thresholds_records_at_each_and_at_the_end()
    {
        var options = new RenderOptions { Thresholds = [64, 128], Steps = 256 };
        options.Validate();
        options.Thresholds.Should().Equal(64, 128, 256);
        (options with { Steps = 128 }).Thresholds.Should().Equal(64, 128);
    }

    [Fact]
    public void A_threshold_after_the_last_step_is_refused_naming_both()
    {
        var options = new RenderOptions { Thresholds = [64, 512], Steps = 256 };
        var error = FluentActions.Invoking(options.Validate).Should().Throw<InvalidRenderOptionsException>().Which;
        error.ParamName.Should().Be(nameof(RenderOptions.Thresholds));
        error.Message.Should().Contain("step 512").And.Contain("Steps is 256").And.Contain("Raise Steps");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Steps_must_be_positive(int steps)
    {
        var error = FluentActions.Invoking(new RenderOptions { Steps = steps }.Validate).Should().Throw<InvalidRenderOptionsException>().Which;
        error.ParamName.Should().Be(nameof(RenderOptions.Steps));
        error.Message.Should().Contain($"got {steps}");
    }

    [Fact]
    public void Empty_thresholds_without_steps_are_refused_and_with_steps_mean_the_last_image_only()
    {
        FluentActions.Invoking(new RenderOptions { Thresholds = [] }.Validate).Should().Throw<InvalidRenderOptionsException>()
            .Which.ParamName.Should().Be(nameof(RenderOptions.Thresholds));
        new RenderOptions { Thresholds = [], Steps = 3 }.Thresholds.Should().Equal(3);
    }
}
