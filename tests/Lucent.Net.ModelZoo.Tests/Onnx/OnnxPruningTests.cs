using Lucent.Net.ModelZoo.Onnx;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.Onnx;

/// <summary>An imported graph computing only the branches of a channel concatenation that the channels read need.</summary>
public sealed class OnnxPruningTests
{
    // x -> stem (Conv 3->6, Relu) -> a = Relu(Conv 6->4) ; b = Relu(Conv 6->5) ; c = Conv 5->3 of b
    // cat = Concat(a, c) (7 channels: a 0..3, c 4..6) ; y = Concat(Relu(cat), b) (b read after the concatenation)
    private static (ModelProto Model, string Cat, string[] BranchA, string[] OnlyC, string[] B) Graph()
    {
        var g = new OnnxTestGraph([1, 3, 8, 8]);
        string Conv(string input, long cin, long cout, string name) =>
            g.Node("Conv", [input, g.Initializer([cout, cin, 3, 3]), g.Initializer([cout])], n => n.Ints("kernel_shape", 3, 3).Ints("pads", 1, 1, 1, 1), name: name);
        var stem = g.Node("Relu", [Conv("x", 3, 6, "stem_conv")], name: "stem_relu");
        var a = g.Node("Relu", [Conv(stem, 6, 4, "a_conv")], name: "a_relu");
        var b = g.Node("Relu", [Conv(stem, 6, 5, "b_conv")], name: "b_relu");
        var c = Conv(b, 5, 3, "c_conv");
        var cat = g.Node("Concat", [a, c], n => n.Int("axis", 1), name: "cat");
        var y = g.Node("Concat", [g.Node("Relu", [cat], name: "after"), b], n => n.Int("axis", 1), name: "out");
        return (g.Build(y), cat, ["a_conv", "a_relu"], ["c_conv"], ["b_conv", "b_relu"]);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(5, false)]
    [InlineData(1, true)]
    public void Unread_branches_are_not_run_and_the_read_channels_and_the_input_gradient_are_unchanged(int channel, bool channelsLast)
    {
        var (model, cat, branchA, onlyC, b) = Graph();
        using var module = OnnxModel.Load(model, new OnnxImportOptions { UseChannelsLast = channelsLast });
        string catLayer = module.GetLayerName(cat);
        using var scope = NewDisposeScope();
        using var generator = new Generator(4, torch.CPU);
        var image = torch.rand([1, 3, 8, 8], generator: generator);

        var (full, fullGradient, fullFired) = Run(module, image, catLayer, channel);
        List<string> firstFired, secondFired;
        Tensor pruned, prunedGradient;
        using (module.ComputeOnly(catLayer, new HashSet<int> { channel }))
        {
            (_, _, firstFired) = Run(module, image, catLayer, channel);
            (pruned, prunedGradient, secondFired) = Run(module, image, catLayer, channel);
        }

        firstFired.Should().Equal(fullFired, "the first pass runs whole and records the inputs' channel counts");
        var skipped = (channel < 4 ? onlyC : branchA).Select(module.GetLayerName).ToList();
        secondFired.Should().NotContain(skipped, "nodes that feed only the unread input do not run");
        secondFired.Should().Contain(b.Select(module.GetLayerName), "b is read after the concatenation, so it runs");
        pruned.select(1, channel).Equals(full.select(1, channel)).Should().BeTrue();
        prunedGradient.Equals(fullGradient).Should().BeTrue("the skipped nodes only passed back zeros");
        var unread = channel < 4 ? pruned.narrow(1, 4, 3) : pruned.narrow(1, 0, 4);
        unread.abs().max().ToDouble().Should().Be(0);

        // Restored.
        var (again, _, againFired) = Run(module, image, catLayer, channel);
        again.Equals(full).Should().BeTrue();
        againFired.Should().Equal(fullFired);
    }

    [Fact]
    public void A_layer_that_is_not_a_concatenation_or_channels_beyond_it_are_computed_whole()
    {
        var (model, cat, _, _, _) = Graph();
        using var module = OnnxModel.Load(model);
        string catLayer = module.GetLayerName(cat);
        using var scope = NewDisposeScope();
        var image = torch.ones([1, 3, 8, 8]);
        var (full, _, fired) = Run(module, image, catLayer, 0);
        foreach (var (layer, channel) in new[] { (module.GetLayerName("a_relu_out"), 0), (catLayer, 7), (catLayer, 100) })
        {
            using (module.ComputeOnly(layer, new HashSet<int> { channel }))
            {
                for (int pass = 0; pass < 2; pass++)
                {
                    var (output, _, firedNow) = Run(module, image, catLayer, 0);
                    output.Equals(full).Should().BeTrue($"{layer} channel {channel}");
                    firedNow.Should().Equal(fired);
                }
            }
        }
    }

    [Fact]
    public void A_token_concatenation_is_computed_whole()
    {
        // (batch, tokens, features): a class token joined to the patch tokens along axis 1, as in a vision transformer.
        var g = new OnnxTestGraph([1, 4, 6]);
        var cls = g.Initializer([1, 1, 6]);
        var patches = g.Node("Relu", ["x"], name: "patches");
        var tokens = g.Node("Concat", [cls, patches], n => n.Int("axis", 1), name: "tokens");
        using var module = OnnxModel.Load(g.Build(g.Node("Relu", [tokens], name: "after")));
        using var scope = NewDisposeScope();
        var image = torch.rand([1, 4, 6]);
        var whole = module.call(image);
        using (module.ComputeOnly(module.GetLayerName(tokens), new HashSet<int> { 0 }))
        {
            module.call(image);
            module.call(image).Equals(whole).Should().BeTrue("a channel objective reads the features of a token layer, not its tokens");
        }
    }

    private static (Tensor Cat, Tensor Gradient, List<string> Fired) Run(OnnxGraphModule module, Tensor image, string catLayer, int channel)
    {
        var fired = new List<string>();
        Tensor? cat = null;
        var removers = new List<Action>();
        foreach (var (name, child) in module.named_modules())
        {
            if (name.Length == 0 || child is not nn.Module<Tensor, Tensor> hookable)
            {
                continue;
            }

            string layer = name;
            removers.Add(hookable.register_forward_hook((_, _, output) =>
            {
                fired.Add(layer);
                if (layer == catLayer)
                {
                    cat = output;
                }

                return null!;
            }).remove);
        }

        try
        {
            var input = image.clone().requires_grad_(true);
            module.call(input);
            var gradient = torch.autograd.grad([cat!.select(1, channel).mean().neg()], [input])[0];
            return (cat!.detach(), gradient, fired);
        }
        finally
        {
            removers.ForEach(remove => remove());
        }
    }
}
