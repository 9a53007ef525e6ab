using Lucent.Net.ModelZoo.InceptionV1;
using Lucent.Net.Objectives;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.InceptionV1;

/// <summary>A mixed layer computing only the branches its read channels need (IPrunableModel).</summary>
public sealed class InceptionV1PruningTests
{
    public InceptionV1PruningTests() => LucentRuntime.EnsureInitialized();

    [Theory]
    [InlineData(3, false)] // the 1x1 branch
    [InlineData(200, false)] // the 3x3 branch (192..395)
    [InlineData(450, true)] // the pool branch (444..507), channels-first network
    public void The_read_channel_and_the_input_gradient_are_bit_identical_and_unread_branches_are_zero(int channel, bool channelsFirst)
    {
        using var model = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1, UseChannelsLast = !channelsFirst });
        model.LoadStateDict(DeterministicInceptionV1.SharedStateDict);
        model.eval();
        using var scope = NewDisposeScope();
        using var generator = new Generator(9, torch.CPU);
        var image = torch.rand([2, 3, 64, 64], generator: generator);

        var (full, fullGradient, fullFired) = Mixed4a(model, image, channel);
        Tensor pruned, prunedGradient;
        List<string> prunedFired;
        using (model.ComputeOnly("mixed4a", new HashSet<int> { channel }))
        {
            (pruned, prunedGradient, prunedFired) = Mixed4a(model, image, channel);
        }

        pruned.shape.Should().Equal(full.shape);
        pruned.select(1, channel).Equals(full.select(1, channel)).Should().BeTrue("the channel read is computed exactly as in the whole layer");
        prunedGradient.Equals(fullGradient).Should().BeTrue("the skipped branches only ever passed back zeros");
        long[] starts = [0, 192, 396, 444, 508];
        int branch = Array.FindLastIndex(starts, s => s <= channel);
        for (int b = 0; b < 4; b++)
        {
            var part = pruned.narrow(1, starts[b], starts[b + 1] - starts[b]);
            if (b == branch)
            {
                part.Equals(full.narrow(1, starts[b], starts[b + 1] - starts[b])).Should().BeTrue();
            }
            else
            {
                part.abs().max().ToDouble().Should().Be(0, $"branch {b} is not read");
            }
        }

        prunedFired.Count.Should().BeLessThan(fullFired.Count, "the modules of the skipped branches do not run");
        prunedFired.Should().Contain("mixed4a");

        // The scope restores the whole layer.
        var (again, _, againFired) = Mixed4a(model, image, channel);
        again.Equals(full).Should().BeTrue();
        againFired.Should().Equal(fullFired);
    }

    [Fact]
    public void A_layer_that_is_not_a_concatenation_or_channels_out_of_range_are_computed_whole()
    {
        using var model = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1 });
        model.LoadStateDict(DeterministicInceptionV1.SharedStateDict);
        model.eval();
        using var scope = NewDisposeScope();
        using var generator = new Generator(2, torch.CPU);
        var image = torch.rand([1, 3, 64, 64], generator: generator);
        var (full, _, _) = Mixed4a(model, image, 0);
        foreach (var (layer, channels) in new[] { ("conv2d2", new HashSet<int> { 0 }), ("mixed4a", new HashSet<int> { 508 }), ("mixed4a", new HashSet<int> { -1 }), ("nope", new HashSet<int> { 0 }) })
        {
            using (model.ComputeOnly(layer, channels))
            {
                Mixed4a(model, image, 0).Output.Equals(full).Should().BeTrue($"{layer} {string.Join(",", channels)} is computed whole");
            }
        }
    }

    [Fact]
    public void A_render_of_channels_on_a_mixed_layer_gives_the_same_images_with_and_without_pruning()
    {
        using var model = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1 });
        model.LoadStateDict(DeterministicInceptionV1.SharedStateDict);
        var objective = Objective.Channel("mixed4a", 1, batch: 0) + Objective.Channel("mixed4a", 250, batch: 1);
        var options = new RenderOptions
        {
            Parameterization = new ImageOptions(48) { Batch = 2 },
            FixedImageSize = (96, 96),
            Thresholds = [3],
            Seed = 4,
        };

        var pruned = Renderer.Render(model, objective, options);
        // Without early stop the renderer neither stops after mixed4a nor prunes it: the reference.
        var whole = Renderer.Render(model, objective, options with { StopForwardEarly = false });

        pruned.FinalImages.Pixels.ToArray().Should().Equal(whole.FinalImages.Pixels.ToArray());
        pruned.Losses.Should().Equal(whole.Losses);
    }

    [Fact]
    public void Objectives_name_the_channels_they_read_only_when_they_read_named_channels()
    {
        ObjectiveChannels.Read(Objective.Channel("mixed4a", 3) + Objective.Neuron("mixed4a", 7) - Objective.Channel("mixed3a", 1), "mixed4a")
            .Should().BeEquivalentTo(new[] { 3, 7 });
        ObjectiveChannels.Read(Objective.Sum(Enumerable.Range(0, 10).Select(c => Objective.Channel("mixed4a", c, batch: c))), "mixed4a")
            .Should().BeEquivalentTo(Enumerable.Range(0, 10));
        ObjectiveChannels.Read(Objective.Channel("mixed4a", 3) + Objective.Direction("mixed4a", new float[508]), "mixed4a").Should().BeNull("direction reads every channel");
        ObjectiveChannels.Read(Objective.Channel("mixed4a", 3, layout: ActivationLayout.Nhwc), "mixed4a").Should().BeNull("the channel is on another axis");
        ObjectiveChannels.Read(Objective.Channel("mixed3a", 3), "mixed4a").Should().BeNull("nothing read there");
    }

    private static (Tensor Output, Tensor Gradient, List<string> Fired) Mixed4a(InceptionV1Model model, Tensor image, int channel)
    {
        var fired = new List<string>();
        Tensor? output = null;
        var handles = new List<Action>();
        foreach (var (name, module) in model.named_modules())
        {
            if (name.Length == 0 || module is not nn.Module<Tensor, Tensor> hookable)
            {
                continue;
            }

            string layer = name;
            var remover = hookable.register_forward_hook((_, _, o) =>
            {
                fired.Add(layer);
                if (layer == "mixed4a")
                {
                    output = o;
                    throw new StopForward();
                }

                return null!;
            });
            handles.Add(remover.remove);
        }

        try
        {
            var input = image.clone().requires_grad_(true);
            try
            {
                model.call(input);
            }
            catch (StopForward)
            {
                // mixed4a computed: the rest of the network needs 224 px images.
            }

            var gradient = torch.autograd.grad([output!.select(1, channel).mean().neg()], [input])[0];
            return (output!.detach(), gradient, fired);
        }
        finally
        {
            handles.ForEach(remove => remove());
        }
    }

    private sealed class StopForward : Exception
    {
    }
}
