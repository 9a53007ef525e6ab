using Lucent.Net.ModelZoo.Checkpoints;
using Lucent.Net.Runtime;
using TorchSharp;
using static TorchSharp.torch.nn;

namespace Lucent.Net.ModelZoo.Tests.Checkpoints;

public class StateDictLoaderTests
{
    public StateDictLoaderTests() => LucentRuntime.EnsureInitialized();

    private sealed class Tiny : torch.nn.Module<torch.Tensor, torch.Tensor>
    {
        private readonly TorchSharp.Modules.Conv2d conv;
        private readonly TorchSharp.Modules.BatchNorm2d bn;

        public Tiny()
            : base(nameof(Tiny))
        {
            conv = Conv2d(3, 2, 2);
            bn = BatchNorm2d(2);
            RegisterComponents();
        }

        public override torch.Tensor forward(torch.Tensor input) => bn.forward(conv.forward(input));
    }

    private static TorchCheckpointWriter TinyCheckpoint()
    {
        var w = new TorchCheckpointWriter();
        w.AddFloat32("conv.weight", Enumerable.Range(0, 24).Select(i => i / 10f).ToArray(), 2, 3, 2, 2);
        w.AddFloat16("conv.bias", [1f, -1f], 2);
        w.AddFloat32("bn.weight", [2f, 3f], 2);
        w.AddFloat32("bn.bias", [0.5f, 0.25f], 2);
        w.AddFloat32("bn.running_mean", [0.1f, 0.2f], 2);
        w.AddFloat64("bn.running_var", [4, 9], 2);
        w.AddInt64("bn.num_batches_tracked", [11]);
        return w;
    }

    [Fact]
    public void Loads_a_checkpoint_into_parameters_and_buffers()
    {
        using var module = new Tiny();
        using var sd = PyTorchCheckpointTests.Read(TinyCheckpoint().Zip());

        var result = StateDictLoader.Load(module, sd);

        result.MissingKeys.Should().BeEmpty();
        result.UnexpectedKeys.Should().BeEmpty();
        var state = module.state_dict();
        state["conv.weight"].data<float>().ToArray().Should().Equal(Enumerable.Range(0, 24).Select(i => i / 10f));
        state["conv.bias"].data<float>().ToArray().Should().Equal(1f, -1f);
        state["bn.running_var"].data<float>().ToArray().Should().Equal(4f, 9f);
        state["bn.num_batches_tracked"].item<long>().Should().Be(11);
        module.parameters().Should().OnlyContain(p => p.requires_grad);
    }

    [Fact]
    public void Strict_load_lists_missing_and_unexpected_keys_and_changes_nothing()
    {
        using var module = new Tiny();
        using var before = module.state_dict()["conv.weight"].clone();
        var w = TinyCheckpoint();
        w.Remove("bn.bias");
        w.AddFloat32("extra.weight", [1f], 1);
        using var sd = PyTorchCheckpointTests.Read(w.Zip());

        var e = FluentActions.Invoking(() => StateDictLoader.Load(module, sd)).Should().Throw<StateDictMismatchException>().Which;

        e.MissingKeys.Should().Equal("bn.bias");
        e.UnexpectedKeys.Should().Equal("extra.weight");
        e.ShapeMismatches.Should().BeEmpty();
        e.Message.Should().Contain("missing keys (1): bn.bias").And.Contain("unexpected keys (1): extra.weight");
        module.state_dict()["conv.weight"].data<float>().ToArray().Should().Equal(before.data<float>().ToArray());
    }

    [Fact]
    public void Non_strict_load_reports_missing_and_unexpected_keys()
    {
        using var module = new Tiny();
        var w = TinyCheckpoint();
        w.Remove("bn.bias");
        w.AddFloat32("extra.weight", [1f], 1);
        using var sd = PyTorchCheckpointTests.Read(w.Legacy());

        var result = StateDictLoader.Load(module, sd, strict: false);

        result.MissingKeys.Should().Equal("bn.bias");
        result.UnexpectedKeys.Should().Equal("extra.weight");
        module.state_dict()["bn.weight"].data<float>().ToArray().Should().Equal(2f, 3f);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Shape_mismatches_list_both_shapes_even_when_not_strict(bool strict)
    {
        using var module = new Tiny();
        var w = TinyCheckpoint();
        w.Remove("conv.weight");
        w.AddFloat32("conv.weight", new float[2 * 3 * 3 * 3], 2, 3, 3, 3);
        using var sd = PyTorchCheckpointTests.Read(w.Zip());

        var e = FluentActions.Invoking(() => StateDictLoader.Load(module, sd, strict)).Should().Throw<StateDictMismatchException>().Which;

        e.ShapeMismatches.Should().ContainSingle();
        e.ShapeMismatches[0].Key.Should().Be("conv.weight");
        e.ShapeMismatches[0].ModuleShape.Should().Equal(2, 3, 2, 2);
        e.ShapeMismatches[0].StateDictShape.Should().Equal(2, 3, 3, 3);
        e.Message.Should().Contain("conv.weight: module [2, 3, 2, 2], state dict [2, 3, 3, 3]");
    }
}
