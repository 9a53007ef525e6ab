using Lucent.Net.Activations;
using Lucent.Net.Objectives;
using static Lucent.Net.Objectives.Objective;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Objectives;

/// <summary>Arguments that do not fit the activations raise typed exceptions with helpful messages.</summary>
public class ObjectiveValidationTests
{
    private static readonly Tensor Mixed4a = T.Range(1, 508, 14, 14);

    private static Action Computing(Objective objective, Tensor? activation = null, string layer = "mixed4a") =>
        () => T.Compute(objective, layer, activation ?? Mixed4a);

    [Fact]
    public void A_channel_out_of_range_names_the_layer_its_shape_and_the_valid_range()
    {
        var error = FluentActions.Invoking(Computing(Channel("mixed4a", 600))).Should().Throw<ObjectiveArgumentException>().Which;
        error.Message.Should().StartWith("Channel 600 is out of range for layer 'mixed4a' with shape [1, 508, 14, 14]: valid channels are 0..507.");
        error.ParamName.Should().Be("channel");
        error.Layer.Should().Be("mixed4a");
        error.Shape.Should().Equal(1, 508, 14, 14);
        error.Should().BeAssignableTo<ArgumentException>();
    }

    [Fact]
    public void Every_channel_objective_checks_its_channel()
    {
        FluentActions.Invoking(Computing(Neuron("mixed4a", 508))).Should().Throw<ObjectiveArgumentException>().WithMessage("Channel 508 is out of range*0..507*");
        FluentActions.Invoking(Computing(ChannelInterpolate("mixed4a", 0, "mixed4a", 999))).Should().Throw<ObjectiveArgumentException>().WithMessage("Channel 999*");
    }

    [Fact]
    public void Neuron_positions_out_of_range_are_reported_with_the_valid_range()
    {
        FluentActions.Invoking(Computing(Neuron("mixed4a", 0, x: 14))).Should().Throw<ObjectiveArgumentException>()
            .WithMessage("Position x 14 is out of range for layer 'mixed4a' with shape [1, 508, 14, 14]: valid x positions are 0..13 (x indexes the width, the last axis).*")
            .Which.ParamName.Should().Be("x");
        FluentActions.Invoking(Computing(NeuronWeight("mixed4a", (Tensor?)null, y: 20))).Should().Throw<ObjectiveArgumentException>()
            .WithMessage("Position y 20 is out of range*valid y positions are 0..13 (y indexes the height*");
        FluentActions.Invoking(Computing(DirectionNeuron("mixed4a", new float[508], x: 30))).Should().Throw<ObjectiveArgumentException>().WithMessage("Position x 30*");
        FluentActions.Invoking(Computing(LocalGroupWeight("mixed4a", (Tensor?)null, x: 0, y: 14))).Should().Throw<ObjectiveArgumentException>().WithMessage("Position y 14*");
    }

    [Fact]
    public void A_batch_index_out_of_range_is_reported_with_the_batch_size()
    {
        using var acts = T.Range(2, 3, 2, 2);
        FluentActions.Invoking(Computing(Channel("l", 0, batch: 2), acts, "l")).Should().Throw<ObjectiveArgumentException>()
            .WithMessage("Batch element 2 is out of range for layer 'l' with shape [2, 3, 2, 2]: valid batch indices are 0..1*")
            .Which.ParamName.Should().Be("batch");
        FluentActions.Invoking(Computing(L2("l", batch: 5), acts, "l")).Should().Throw<ObjectiveArgumentException>().WithMessage("Batch element 5*");
    }

    [Fact]
    public void A_weight_or_direction_vector_of_the_wrong_length_is_reported()
    {
        FluentActions.Invoking(Computing(ChannelWeight("mixed4a", new float[10]))).Should().Throw<ObjectiveArgumentException>()
            .WithMessage("The weights vector has 10 elements but layer 'mixed4a' with shape [1, 508, 14, 14] has 508 channels: pass one value per channel.*");
        using var direction = zeros(512);
        FluentActions.Invoking(Computing(Direction("mixed4a", direction))).Should().Throw<ObjectiveArgumentException>()
            .WithMessage("The direction vector has 512 elements*508 channels*");
        FluentActions.Invoking(Computing(NeuronWeight("mixed4a", new float[3]))).Should().Throw<ObjectiveArgumentException>().WithMessage("The weights vector has 3 elements*");
        FluentActions.Invoking(Computing(LocalGroupWeight("mixed4a", new float[3], 0, 0))).Should().Throw<ObjectiveArgumentException>().WithMessage("The weights vector has 3 elements*");
    }

    [Fact]
    public void Objectives_that_need_positions_refuse_flat_layers()
    {
        using var flat = T.Range(1, 10);
        FluentActions.Invoking(Computing(Neuron("fc", 1), flat, "fc")).Should().Throw<ObjectiveArgumentException>()
            .WithMessage("Neuron needs activations laid out (batch, channels, height, width), but layer 'fc' has shape [1, 10]*");
    }

    [Fact]
    public void Class_logit_checks_the_class_index()
    {
        using var labels = T.Range(1, 1008);
        FluentActions.Invoking(Computing(ClassLogit(1008), labels, IActivationLookup.Labels)).Should().Throw<ObjectiveArgumentException>()
            .WithMessage("Class 1008 is out of range for layer 'labels' with shape [1, 1008]: valid classes are 0..1007.*");
    }

    [Fact]
    public void Channel_interpolate_needs_a_batch_of_two()
    {
        FluentActions.Invoking(Computing(ChannelInterpolate("mixed4a", 0, "mixed4a", 1))).Should().Throw<ObjectiveArgumentException>()
            .WithMessage("*batch of at least 2*");
    }

    [Fact]
    public void Input_diff_checks_the_original_images_shape()
    {
        using var input = T.Range(1, 3, 4, 4);
        using var original = zeros(3, 5, 5);
        FluentActions.Invoking(Computing(InputDiff(original), input, IActivationLookup.Input)).Should().Throw<ObjectiveArgumentException>()
            .WithMessage("The original image has shape [3, 5, 5] but the input has shape [1, 3, 4, 4]*");
    }

    [Fact]
    public void Unknown_layers_are_reported_by_the_lookup()
    {
        FluentActions.Invoking(Computing(Channel("mixed4z", 0))).Should().Throw<UnknownLayerException>().WithMessage("Unknown layer 'mixed4z'*mixed4a*");
    }

    [Fact]
    public void Arguments_that_are_wrong_whatever_the_model_are_refused_at_once()
    {
        FluentActions.Invoking(() => Channel("l", -1)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Channel(" ", 0)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => Neuron("l", 0, x: -1)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("x");
        FluentActions.Invoking(() => Channel("l", 0, batch: -1)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("batch");
        FluentActions.Invoking(() => LocalGroupWeight("l", (Tensor?)null, 0, 0, wx: 0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Alignment("l", decayRatio: 0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => ChannelWeight("l", [])).Should().Throw<ArgumentException>().WithMessage("*empty*");
        FluentActions.Invoking(() => Direction("l", [1f, float.NaN])).Should().Throw<ArgumentException>().WithMessage("*non-finite*");
        FluentActions.Invoking(() => Direction("l", [1f], cossimPow: -1)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
