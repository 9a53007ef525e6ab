using Lucent.Net.ModelZoo.InceptionV1;
using Lucent.Net.Modules;
using Lucent.Net.Runtime;
using Lucent.Net.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.InceptionV1;

public sealed class InceptionV1ModelTests
{
    public InceptionV1ModelTests() => LucentRuntime.EnsureInitialized();

    [Fact]
    public void Named_modules_are_Lucents_hook_names_in_Lucents_order()
    {
        using var model = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1 });
        var names = model.named_modules().Select(m => m.name).Where(n => n.Length > 0).ToList();

        names.Should().Equal(InceptionV1Layers.Names);
        names.Should().HaveCount(138);
        names.Take(3).Should().Equal("conv2d0_pre_relu_conv", "conv2d1_pre_relu_conv", "conv2d2_pre_relu_conv");
        names[56].Should().Be("mixed5b_5x5_pre_relu_conv");
        names[57].Should().Be("softmax2_pre_activation_matmul");
        names.Skip(58).Take(13).Should().Equal(
            "conv2d0", "maxpool0", "conv2d1", "conv2d2", "maxpool1",
            "mixed3a_pool", "mixed3a_1x1", "mixed3a_3x3_bottleneck", "mixed3a_5x5_bottleneck",
            "mixed3a_pool_reduce", "mixed3a_3x3", "mixed3a_5x5", "mixed3a");
        names.IndexOf("maxpool4").Should().Be(names.IndexOf("mixed4a_pool") - 1);
        names.IndexOf("maxpool10").Should().Be(names.IndexOf("mixed5a_pool") - 1);
        names[^1].Should().Be("softmax2");
        names.Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Every_layer_is_its_own_module_instance_and_children_are_flat()
    {
        using var model = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1 });
        var modules = model.named_children().Select(c => c.module).ToList();

        modules.Should().HaveCount(138);
        modules.Distinct(ReferenceEqualityComparer.Instance).Should().HaveCount(138);
        model.named_modules().Count(m => m.name.Length > 0).Should().Be(138, "no module has children of its own");
        modules.Should().AllBeAssignableTo<nn.Module<Tensor, Tensor>>("one hook signature reads every layer");
    }

    [Fact]
    public void Relus_are_redirected_by_default_and_plain_on_request()
    {
        using var redirected = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1 });
        using var plain = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1, UseRedirectedRelu = false });
        var reluNames = InceptionV1Layers.All.Where(l => l.Kind == InceptionV1LayerKind.Relu).Select(l => l.Name).ToHashSet();

        reluNames.Should().HaveCount(57);
        redirected.UsesRedirectedRelu.Should().BeTrue();
        plain.UsesRedirectedRelu.Should().BeFalse();
        redirected.named_children().Where(c => reluNames.Contains(c.name)).Select(c => c.module)
            .Should().HaveCount(57).And.AllBeOfType<RedirectedRelu>();
        plain.named_children().Where(c => reluNames.Contains(c.name)).Select(c => c.module)
            .Should().HaveCount(57).And.AllBeOfType<TorchSharp.Modules.ReLU>();
    }

    [Fact]
    public void State_dict_has_the_116_inception5h_keys_and_shapes_in_order()
    {
        using var model = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1 });
        var parameters = model.named_parameters().Select(p => (p.name, p.parameter.shape)).ToList();
        var expected = DeterministicInceptionV1.ExpectedParameters();

        parameters.Should().HaveCount(116);
        parameters.Select(p => p.name).Should().Equal(expected.Select(e => e.Key));
        for (var i = 0; i < expected.Count; i++)
        {
            parameters[i].shape.Should().Equal(expected[i].Shape, expected[i].Key);
        }

        model.named_buffers().Should().BeEmpty();
    }

    [Fact]
    public void Output_shapes_at_224_match_the_layer_table_and_hooks_fire_once_each_in_forward_order()
    {
        using var scope = NewDisposeScope();
        using var model = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1 });
        using var recorder = new LayerRecorder(model);
        using var input = rand(1, 3, 224, 224) * 255 - 117;

        using var output = model.call(input);

        output.shape.Should().Equal(1, 1008);
        recorder.FireOrder.Should().HaveCount(138).And.OnlyHaveUniqueItems();
        recorder.FireOrder[^1].Should().Be("softmax2");
        recorder.FireOrder.Take(5).Should().Equal("conv2d0_pre_relu_conv", "conv2d0", "maxpool0", "conv2d1_pre_relu_conv", "conv2d1");
        foreach (var layer in InceptionV1Layers.All)
        {
            recorder.Outputs[layer.Name].shape.Should().Equal(layer.OutputShapeAt224(), layer.Name);
        }

        var expectedSizes = new Dictionary<string, int>
        {
            ["conv2d0"] = 112, ["maxpool0"] = 56, ["conv2d1"] = 56, ["conv2d2"] = 56, ["maxpool1"] = 28,
            ["mixed3a"] = 28, ["mixed3b"] = 28, ["maxpool4"] = 14, ["mixed4a"] = 14, ["mixed4b"] = 14,
            ["mixed4c"] = 14, ["mixed4d"] = 14, ["mixed4e"] = 14, ["maxpool10"] = 7, ["mixed5a"] = 7, ["mixed5b"] = 7,
        };
        var expectedChannels = new Dictionary<string, int>
        {
            ["mixed3a"] = 256, ["mixed3b"] = 480, ["mixed4a"] = 508, ["mixed4b"] = 512, ["mixed4c"] = 512,
            ["mixed4d"] = 528, ["mixed4e"] = 832, ["mixed5a"] = 832, ["mixed5b"] = 1024,
        };
        foreach (var (name, size) in expectedSizes)
        {
            var shape = recorder.Outputs[name].shape;
            shape[2].Should().Be(size, name);
            shape[3].Should().Be(size, name);
        }

        foreach (var (name, channels) in expectedChannels)
        {
            recorder.Outputs[name].shape[1].Should().Be(channels, name);
        }

        recorder.Outputs["softmax2"].shape.Should().Equal(1, 1008);
        output.sum().item<float>().Should().BeApproximately(1f, 1e-4f);
    }

    [Fact]
    public void Layer_table_lookup_and_errors()
    {
        InceptionV1Layers.Get("mixed4d").Should().Be(new InceptionV1LayerInfo("mixed4d", InceptionV1LayerKind.Concatenation, 528, 14));
        InceptionV1Layers.Get("mixed4a_3x3_pre_relu_conv").Channels.Should().Be(204);
        InceptionV1Layers.Get("softmax2").OutputShapeAt224().Should().Equal(1, 1008);
        InceptionV1Layers.BlockNames.Should().HaveCount(9);

        var act = () => InceptionV1Layers.Get("mixed6a");
        act.Should().Throw<ArgumentException>().WithMessage("*mixed6a*InceptionV1Layers.Names*");
    }

    [Fact]
    public void Forward_rejects_input_that_is_not_a_batch_of_rgb_images()
    {
        using var model = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1 });
        using var gray = zeros(1, 1, 224, 224);

        var act = () => model.call(gray);

        act.Should().Throw<ArgumentException>().WithMessage("*(batch, 3, height, width)*[1, 1, 224, 224]*");
    }

    [Fact]
    public void Forward_below_224_pixels_fails_at_the_head_with_a_clear_message_after_the_hooks_fired()
    {
        using var scope = NewDisposeScope();
        using var model = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1 });
        using var recorder = new LayerRecorder(model);
        using var input = zeros(1, 3, 160, 160);

        var act = () => model.call(input);

        act.Should().Throw<ArgumentException>().WithMessage("*at least 224x224*got 160x160*mixed5b 5x5*");
        recorder.Outputs["mixed5b"].shape.Should().Equal(1, 1024, 5, 5);
        recorder.Outputs.Should().NotContainKey("softmax2");
    }

    [Fact]
    public void Preprocessing_travels_with_the_model()
    {
        using var model = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1 });
        IPreprocessingProvider provider = model;

        provider.Preprocessing.Should().BeOfType<InceptionV1PreprocessingTransform>();
    }

    [Fact]
    public void Forward_inside_a_dispose_scope_leaves_no_tensor_alive()
    {
        using var model = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1 });
        using var input = full(new long[] { 1, 3, 224, 224 }, 10f);
        using (var warmUp = NewDisposeScope())
        {
            model.call(input);
        }

        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var scope = NewDisposeScope())
        {
            var output = model.call(input);
            output.shape.Should().Equal(1, 1008);
        }

        DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(before);
    }

    [Fact]
    public void Redirected_relu_gives_gradient_where_plain_relu_gives_none()
    {
        using var scope = NewDisposeScope();
        using var redirected = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1 });
        using var plain = new InceptionV1Model(new InceptionV1Options { InitializationSeed = 1, UseRedirectedRelu = false });
        redirected.LoadStateDict(DeterministicInceptionV1.SharedStateDict);
        plain.LoadStateDict(DeterministicInceptionV1.SharedStateDict);

        // A black image: the stem convolution is negative in most places, so a plain ReLU blocks
        // most of the gradient of channel 0 of conv2d0; the redirected ReLU lets 0.1 of it through.
        // The hook stops the pass once conv2d0 is computed, as the renderer does.
        static (Tensor Value, Tensor Grad) Run(InceptionV1Model model)
        {
            var input = full(new long[] { 1, 3, 64, 64 }, -117f).requires_grad_(true);
            Tensor? activation = null;
            var conv = model.named_children().Single(c => c.name == "conv2d0").module as nn.Module<Tensor, Tensor>;
            var remover = conv!.register_forward_hook((_, _, output) =>
            {
                activation = output;
                throw new OperationCanceledException("stop after conv2d0");
            });
            var run = () => model.call(input);
            run.Should().Throw<OperationCanceledException>();
            remover.remove();
            var loss = activation!.index(TensorIndex.Colon, TensorIndex.Single(0)).mean();
            loss.backward();
            return (activation.detach().clone(), input.grad!.clone());
        }

        var (redirectedValue, redirectedGrad) = Run(redirected);
        var (plainValue, plainGrad) = Run(plain);

        redirectedValue.allclose(plainValue).Should().BeTrue("the redirected ReLU has the same forward values");
        var plainNonZero = plainGrad.ne(0).sum().item<long>();
        var redirectedNonZero = redirectedGrad.ne(0).sum().item<long>();
        redirectedNonZero.Should().BeGreaterThan(plainNonZero);
    }
}
