using Lucent.Net.Analysis;
using TorchSharp;
using static Lucent.Net.Tests.Analysis.AnalysisFixture;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Analysis;

/// <summary>Lucent's <c>ChannelReducer(3, "NMF").fit_transform(acts)</c> spellings (issue 21, item 5).</summary>
public class ChannelReducerOneLinerTests
{
    private static Tensor NonNegative(long seed, params long[] shape)
    {
        using var generator = new Generator((ulong)seed);
        return torch.rand(shape, dtype: ScalarType.Float32, generator: generator);
    }

    [Fact]
    public void Reduce_is_fit_transform_with_three_NMF_components_by_default()
    {
        using var acts = NonNegative(5, 2, 4, 4, 10);
        using var reduced = ChannelReducer.Reduce(acts);
        using var reducer = new ChannelReducer();
        using var expected = reducer.FitTransform(acts);

        reducer.ComponentCount.Should().Be(3, "Lucent's n_components default");
        reducer.Method.Should().Be(ChannelReductionMethod.Nmf, "Lucent's reduction_alg default");
        reduced.shape.Should().Equal([2, 4, 4, 3]);
        Flat(reduced).Should().Equal(Flat(expected));
    }

    [Theory]
    [InlineData("NMF", ChannelReductionMethod.Nmf)]
    [InlineData("nmf", ChannelReductionMethod.Nmf)]
    [InlineData(" PCA ", ChannelReductionMethod.Pca)]
    public void The_algorithm_is_named_as_in_Lucent_in_any_case(string name, ChannelReductionMethod method)
    {
        using var reducer = new ChannelReducer(2, name);
        reducer.Method.Should().Be(method);
        using var acts = NonNegative(6, 8, 5);
        using var byName = ChannelReducer.Reduce(acts, 2, name);
        using var enumReducer = new ChannelReducer(2, method);
        using var byEnum = enumReducer.FitTransform(acts);
        Flat(byName).Should().Equal(Flat(byEnum));
    }

    [Fact]
    public void An_unknown_algorithm_is_refused_listing_the_known_ones()
    {
        var act = () => new ChannelReducer(3, "FastICA");
        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain("'FastICA'").And.Contain("\"NMF\"").And.Contain("\"PCA\"");
    }

    [Fact]
    public void Calling_the_reducer_fits_once_then_transforms_as_Lucents_call_does()
    {
        using var first = NonNegative(8, 2, 6, 6, 10);
        using var second = NonNegative(9, 1, 6, 6, 10);
        using var reducer = new ChannelReducer();
        using var a = reducer.Apply(first);
        Flat(reducer.Components).Should().NotBeEmpty();
        using var fitted = reducer.Components.clone();
        using var b = reducer.Apply(second);

        Flat(reducer.Components).Should().Equal(Flat(fitted), "the second call transforms with the first call's components");
        using var expected = reducer.Transform(second);
        Flat(b).Should().Equal(Flat(expected));
        b.shape.Should().Equal([1, 6, 6, 3]);
    }
}
