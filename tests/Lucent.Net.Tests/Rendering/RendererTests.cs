using Lucent.Net.Parameterization;
using Lucent.Net.Activations;
using Lucent.Net.Rendering;
using Lucent.Net.Testing;
using Lucent.Net.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Rendering;

public class RendererTests
{
    private static RenderOptions Options(int size = 16, IReadOnlyList<int>? thresholds = null, long seed = 0) => new()
    {
        Parameterization = ParameterizationFactory.From(g => new TestPixelParameterization(size, g)),
        Transforms = [],
        Thresholds = thresholds ?? [4, 8],
        FixedImageSize = (size, size),
        Seed = seed,
    };

    [Fact]
    public void Render_returns_one_snapshot_per_threshold_with_the_image_shape()
    {
        using var model = new TinyConvNet(seed: 1);
        var result = Renderer.Render(model, new ChannelMeanObjective("conv2", 3), Options(thresholds: [2, 5, 9]));

        result.StopReason.Should().Be(RenderStopReason.Completed);
        result.Snapshots.Select(s => s.Step).Should().Equal(2, 5, 9);
        foreach (var snapshot in result.Snapshots)
        {
            snapshot.Images.Batch.Should().Be(1);
            snapshot.Images.Height.Should().Be(16);
            snapshot.Images.Width.Should().Be(16);
            snapshot.Images.Channels.Should().Be(3);
            snapshot.Images.Pixels.Should().OnlyContain(v => v >= 0f && v <= 1f);
        }

        result.Losses.Should().HaveCount(9);
    }

    [Fact]
    public void Render_lowers_the_loss()
    {
        using var model = new TinyConvNet(seed: 1);
        var result = Renderer.Render(model, new ChannelMeanObjective("conv2", 1), Options(thresholds: [30]));
        result.FinalLoss.Should().BeLessThan(result.InitialLoss);
    }

    [Fact]
    public void Same_seed_gives_bit_identical_images_and_different_seeds_differ()
    {
        using var model = new TinyConvNet(seed: 1);
        var objective = new ChannelMeanObjective("conv2", 0);
        var a = Renderer.Render(model, objective, Options(seed: 7)).FinalImages.Pixels;
        var b = Renderer.Render(model, objective, Options(seed: 7)).FinalImages.Pixels;
        var c = Renderer.Render(model, objective, Options(seed: 8)).FinalImages.Pixels;

        a.Should().Equal(b);
        a.Should().NotEqual(c);
    }

    [Fact]
    public void Model_weights_are_unchanged_and_still_trainable_after_a_render()
    {
        using var model = new TinyConvNet(seed: 1);
        var before = model.parameters().Select(p => p.detach().clone()).ToList();
        model.parameters().Should().OnlyContain(p => p.requires_grad);

        var seenFrozen = false;
        var progress = new InlineProgress<RenderProgress>(_ => seenFrozen = model.parameters().All(p => !p.requires_grad));
        Renderer.Render(model, new ChannelMeanObjective("relu2", 2), Options(), progress);

        seenFrozen.Should().BeTrue("weights are frozen during the render");
        model.parameters().Should().OnlyContain(p => p.requires_grad);
        model.parameters().Zip(before).Should().OnlyContain(pair => pair.First.allclose(pair.Second, 0, 0, false));
        foreach (var t in before)
        {
            t.Dispose();
        }
    }

    [Fact]
    public void Forward_stops_once_the_objective_layers_are_computed()
    {
        using var model = new TinyConvNet(seed: 1);
        using var conv2 = model.CountCalls("conv2");
        Renderer.Render(model, new ChannelMeanObjective("conv1", 0), Options(thresholds: [5]));
        conv2.Count.Should().Be(0, "conv2 comes after conv1, the only layer the objective needs");

        Renderer.Render(model, new ChannelMeanObjective("conv2", 0), Options(thresholds: [5]));
        conv2.Count.Should().Be(5);
    }

    [Fact]
    public void Early_stop_can_be_turned_off()
    {
        using var model = new TinyConvNet(seed: 1);
        using var conv2 = model.CountCalls("conv2");
        Renderer.Render(model, new ChannelMeanObjective("conv1", 0), Options(thresholds: [3]) with { StopForwardEarly = false });
        conv2.Count.Should().Be(3);
    }

    [Fact]
    public void Input_and_labels_hooks_are_available()
    {
        using var model = new TinyConvNet(seed: 1);
        Tensor? seenInput = null;
        long[]? labelsShape = null;
        var objective = new LambdaObjective("input_and_labels", [IActivationLookup.Input, IActivationLookup.Labels], a =>
        {
            seenInput = a[IActivationLookup.Input];
            labelsShape = a[IActivationLookup.Labels].shape;
            return -a[IActivationLookup.Labels][.., 3].mean() + a[IActivationLookup.Input].mean();
        });

        var result = Renderer.Render(model, objective, Options(thresholds: [3]));

        labelsShape.Should().Equal(1, 10);
        seenInput.Should().NotBeNull();
        result.Losses.Should().HaveCount(3);
    }

    [Fact]
    public void Input_hook_is_the_image_before_transforms()
    {
        using var model = new TinyConvNet(seed: 1);
        long[]? inputShape = null;
        var objective = new LambdaObjective("input_shape", [IActivationLookup.Input, "conv1"], a =>
        {
            inputShape = a[IActivationLookup.Input].shape;
            return -a["conv1"].mean();
        });

        // 16 px image, upsampled to 224 for the model (no fixed size): input stays 16 px.
        Renderer.Render(model, objective, Options(thresholds: [1]) with { FixedImageSize = null });
        inputShape.Should().Equal(1, 3, 16, 16);
    }

    [Fact]
    public void Unknown_layer_lists_close_names()
    {
        using var model = new TinyConvNet(seed: 1);
        var act = () => Renderer.Render(model, new ChannelMeanObjective("conv4", 0), Options());
        act.Should().Throw<UnknownLayerException>()
            .WithMessage("*'conv4'*conv1*ModelLayers.Describe*");
    }

    [Theory]
    [InlineData(new int[0], "*at least one*")]
    [InlineData(new[] { 0, 4 }, "*positive*")]
    [InlineData(new[] { 8, -1, 4 }, "*positive*")]
    public void Bad_thresholds_are_rejected(int[] thresholds, string message)
    {
        using var model = new TinyConvNet(seed: 1);
        var act = () => Renderer.Render(model, new ChannelMeanObjective("conv1", 0), Options() with { Thresholds = thresholds });
        act.Should().Throw<InvalidRenderOptionsException>().WithMessage(message).Which.ParamName.Should().Be("Thresholds");
    }

    [Fact]
    public void Thresholds_in_any_order_with_duplicates_record_each_step_once_as_Lucent_does()
    {
        // Lucent's loop runs to max(thresholds) and records when `i in thresholds`.
        var options = Options(thresholds: [8, 4, 4, 8, 2]);
        options.Thresholds.Should().Equal(2, 4, 8);
        options.Steps.Should().Be(8);

        using var model = new TinyConvNet(seed: 1);
        var objective = new ChannelMeanObjective("conv2", 3);
        var unordered = Renderer.Render(model, objective, options);
        var ordered = Renderer.Render(model, objective, Options(thresholds: [2, 4, 8]));

        unordered.Snapshots.Select(s => s.Step).Should().Equal(2, 4, 8);
        unordered.Losses.Should().HaveCount(8);
        unordered.FinalImages.Pixels.Should().Equal(ordered.FinalImages.Pixels);
    }

    [Fact]
    public void Lbfgs_renders_through_a_closure_and_lowers_the_loss()
    {
        using var model = new TinyConvNet(seed: 1);
        int evaluations = 0;
        var objective = new LambdaObjective("conv2_mean", ["conv2"], a =>
        {
            evaluations++;
            return -a["conv2"][.., 3].mean();
        });
        var options = Options(thresholds: [3]) with { OptimizerFactory = p => optim.LBFGS(p, lr: 0.5, max_iter: 4) };

        var result = Renderer.Render(model, objective, options);

        result.StopReason.Should().Be(RenderStopReason.Completed);
        result.Losses.Should().HaveCount(3);
        result.FinalLoss.Should().BeLessThan(result.InitialLoss);
        evaluations.Should().BeGreaterThan(3, "L-BFGS evaluates the closure more than once per step");
        result.FinalImages.Pixels.Should().OnlyContain(v => float.IsFinite(v));
    }

    [Fact]
    public void A_closure_step_is_detected_and_can_be_forced_for_any_optimiser()
    {
        using var lbfgs = optim.LBFGS([new TorchSharp.Modules.Parameter(torch.zeros(1))]);
        using var adam = optim.Adam([new TorchSharp.Modules.Parameter(torch.zeros(1))]);
        Renderer.NeedsClosure(lbfgs).Should().BeTrue();
        Renderer.NeedsClosure(adam).Should().BeFalse();

        using var model = new TinyConvNet(seed: 1);
        var objective = new ChannelMeanObjective("conv2", 3);
        var plain = Renderer.Render(model, objective, Options());
        var closure = Renderer.Render(model, objective, Options() with { OptimizerNeedsClosure = true });
        closure.FinalImages.Pixels.Should().Equal(plain.FinalImages.Pixels, "Adam stepped with a closure evaluates it once, like the plain step");
    }

    [Fact]
    public void Errors_and_non_finite_losses_inside_an_lbfgs_closure_surface_as_in_the_plain_loop()
    {
        using var model = new TinyConvNet(seed: 1);
        int calls = 0;
        var throwing = new LambdaObjective("throws", ["conv2"], a => ++calls > 2 ? throw new InvalidOperationException("objective broke") : -a["conv2"].mean());
        var options = Options(thresholds: [5]) with { OptimizerFactory = p => optim.LBFGS(p, lr: 0.5, max_iter: 2) };
        var act = () => Renderer.Render(model, throwing, options);
        act.Should().Throw<InvalidOperationException>().WithMessage("objective broke");

        int steps = 0;
        var nan = new LambdaObjective("nan", ["conv2"], a => ++steps > 3 ? a["conv2"].mean() * double.NaN : -a["conv2"].mean());
        var result = Renderer.Render(model, nan, Options(thresholds: [5]) with { OptimizerFactory = p => optim.LBFGS(p, lr: 0.5, max_iter: 1, max_eval: 1) });
        result.StopReason.Should().Be(RenderStopReason.NonFiniteLoss);
        result.FinalImages.Pixels.Should().OnlyContain(v => float.IsFinite(v));
    }

    [Fact]
    public void Non_finite_loss_stops_and_returns_the_last_finite_images()
    {
        using var model = new TinyConvNet(seed: 1);
        int calls = 0;
        var objective = new LambdaObjective("nan_at_4", ["conv1"], a =>
        {
            calls++;
            var loss = -a["conv1"].mean();
            return calls >= 4 ? loss * double.NaN : loss;
        });

        var result = Renderer.Render(model, objective, Options(thresholds: [10]));

        result.StopReason.Should().Be(RenderStopReason.NonFiniteLoss);
        result.StopMessage.Should().Contain("step 4");
        result.Losses.Should().HaveCount(3).And.OnlyContain(l => double.IsFinite(l));
        result.Snapshots.Should().ContainSingle().Which.Step.Should().Be(3);
        result.FinalImages.Pixels.Should().OnlyContain(v => float.IsFinite(v));
    }

    [Fact]
    public void Cancellation_returns_the_images_so_far()
    {
        using var model = new TinyConvNet(seed: 1);
        using var cts = new CancellationTokenSource();
        var progress = new InlineProgress<RenderProgress>(p =>
        {
            if (p.Step == 5)
            {
                cts.Cancel();
            }
        });

        var result = Renderer.Render(model, new ChannelMeanObjective("conv1", 0), Options(thresholds: [2, 100]), progress, cts.Token);

        result.StopReason.Should().Be(RenderStopReason.Cancelled);
        result.Losses.Should().HaveCount(5);
        result.Snapshots.Select(s => s.Step).Should().Equal(2, 5);
    }

    [Fact]
    public async Task A_token_cancelled_before_the_call_returns_the_cancelled_result_from_every_entry_point()
    {
        using var model = new TinyConvNet(seed: 1);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var options = Options(thresholds: [2]);
        var batchOptions = options with { Parameterization = new ImageOptions(RenderOptions.DefaultImageSize) };
        var objective = new ChannelMeanObjective("conv1", 0);

        var results = new (string Entry, RenderResult Result, int Images)[]
        {
            ("Render", Renderer.Render(model, objective, options, cancellationToken: cts.Token), 1),
            ("Render(text)", Renderer.Render(model, "conv1:0", options, cancellationToken: cts.Token), 1),
            ("RenderAsync", await Renderer.RenderAsync(model, objective, options, cancellationToken: cts.Token), 1),
            ("RenderChannels", Renderer.RenderChannels(model, "conv1", [0, 1, 2], batchOptions, cancellationToken: cts.Token), 3),
            ("RenderBatch", Renderer.RenderBatch(model, [Lucent.Net.Objectives.Objective.Channel("conv1", 0, batch: 0), Lucent.Net.Objectives.Objective.Channel("conv2", 1, batch: 1)], batchOptions, cancellationToken: cts.Token), 2),
        };

        var started = Renderer.Render(model, objective, options).Snapshots[0];
        foreach (var (entry, result, images) in results)
        {
            result.StopReason.Should().Be(RenderStopReason.Cancelled, entry);
            result.StopMessage.Should().Contain("Cancelled before step 1", entry);
            result.Losses.Should().BeEmpty(entry);
            result.Snapshots.Should().ContainSingle(entry).Which.Step.Should().Be(0);
            result.FinalImages.Batch.Should().Be(images, entry);
        }

        results[0].Result.FinalImages.Height.Should().Be(started.Images.Height, "the starting image has the parameterisation's shape");
        results[0].Result.FinalImages.Width.Should().Be(started.Images.Width);
        results[3].Result.ImageLosses.Should().HaveCount(3).And.OnlyContain(l => l.Count == 0);
        model.training.Should().BeTrue("a cancelled render leaves the model as it was");
    }

    [Fact]
    public async Task A_render_cancelled_while_waiting_for_the_model_returns_the_cancelled_result()
    {
        using var model = new TinyConvNet(seed: 1);
        using var cts = new CancellationTokenSource();
        Task<RenderResult> waiting;
        using (ModelLock.Acquire(model, CancellationToken.None))
        {
            waiting = Task.Run(() => Renderer.Render(model, new ChannelMeanObjective("conv1", 0), Options(), cancellationToken: cts.Token));
            Thread.Sleep(100);
            waiting.IsCompleted.Should().BeFalse("another render holds the model");
            cts.Cancel();
            (await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(30)))).Should().BeSameAs(waiting, "cancellation stops the wait");
        }

        RenderResult result = await waiting;
        result.StopReason.Should().Be(RenderStopReason.Cancelled);
        result.Snapshots.Should().ContainSingle().Which.Step.Should().Be(0);
        Renderer.Render(model, new ChannelMeanObjective("conv1", 0), Options()).StopReason.Should().Be(RenderStopReason.Completed, "the model is free again");
    }

    [Fact]
    public void Layers_after_the_needed_ones_that_fail_only_warn()
    {
        using var model = new TinyConvNet(seed: 1);
        using var failing = model.FailBefore("conv3");
        var result = Renderer.Render(model, new ChannelMeanObjective("relu2", 0), Options(thresholds: [3]) with { StopForwardEarly = false });
        result.StopReason.Should().Be(RenderStopReason.Completed);
        result.Warnings.Should().ContainSingle().Which.Should().Contain("cannot be computed");
    }

    [Fact]
    public void A_needed_layer_that_cannot_be_computed_fails_clearly()
    {
        using var model = new TinyConvNet(seed: 1);
        using var failing = model.FailBefore("conv3");
        var act = () => Renderer.Render(model, new ChannelMeanObjective("fc", 0), Options(thresholds: [3]));
        act.Should().Throw<LayerNotComputableException>().WithMessage("*'fc'*input too small*");
    }

    [Fact]
    public void Objective_returning_a_non_scalar_is_a_clear_error()
    {
        using var model = new TinyConvNet(seed: 1);
        var objective = new LambdaObjective("not_scalar", ["conv1"], a => a["conv1"].mean([1]));
        var act = () => Renderer.Render(model, objective, Options(thresholds: [1]));
        act.Should().Throw<InvalidOperationException>().WithMessage("*must return a scalar*");
    }

    [Fact]
    public void Small_images_are_upsampled_to_224_for_the_model()
    {
        using var model = new TinyConvNet(seed: 1);
        long[]? conv1Shape = null;
        var objective = new LambdaObjective("shape", ["conv1"], a =>
        {
            conv1Shape = a["conv1"].shape;
            return -a["conv1"].mean();
        });
        Renderer.Render(model, objective, Options(thresholds: [1]) with { FixedImageSize = null });
        conv1Shape.Should().Equal(1, 8, 224, 224);
    }
}

/// <summary>An IProgress that runs its callback synchronously on the reporting thread.</summary>
public sealed class InlineProgress<T>(Action<T> callback) : IProgress<T>
{
    public void Report(T value) => callback(value);
}
