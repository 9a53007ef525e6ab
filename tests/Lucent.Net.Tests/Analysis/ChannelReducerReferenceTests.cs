using System.Text.Json;
using Xunit.Abstractions;
using Lucent.Net.Analysis;
using static Lucent.Net.Tests.Analysis.AnalysisFixture;

namespace Lucent.Net.Tests.Analysis;

/// <summary>
/// <see cref="ChannelReducer"/> against Lucent's <c>ChannelReducer</c> running scikit-learn 1.2.1
/// (Fixtures/analysis/channel_reducer.json, made by Fixtures/make_fixtures.py).
/// </summary>
public class ChannelReducerReferenceTests(ITestOutputHelper output)
{
    private static readonly JsonElement Fixture = Load("channel_reducer.json");

    [Theory]
    [InlineData("nmf_dense")]
    [InlineData("nmf_relu")]
    public void Nmf_reconstruction_error_matches_scikit_learn(string name)
    {
        var c = Fixture.GetProperty(name);
        using var x = Tensor(c.GetProperty("input"));
        using var reducer = new ChannelReducer(c.GetProperty("components").GetInt32());
        using var w = reducer.FitTransform(x);

        double expected = c.GetProperty("reconstruction_err").GetDouble();
        reducer.ReconstructionError.Should().BeApproximately(expected, expected * 1e-9);
        using var reconstructed = w.reshape(-1, reducer.ComponentCount).mm(reducer.Components);
        using var flat = x.reshape(-1, reducer.Channels);
        using var residual = flat.sub(reconstructed);
        residual.norm().item<double>().Should().BeApproximately(reducer.ReconstructionError, 1e-9);
    }

    [Theory]
    [InlineData("nmf_dense")]
    [InlineData("nmf_relu")]
    public void Nmf_factors_and_sweeps_match_scikit_learn(string name)
    {
        var c = Fixture.GetProperty(name);
        using var x = Tensor(c.GetProperty("input"));
        using var reducer = new ChannelReducer(c.GetProperty("components").GetInt32(), ChannelReductionMethod.Nmf);
        using var w = reducer.FitTransform(x);

        double wDifference = MaxAbsDifference(w, c.GetProperty("fit_transform"));
        double hDifference = MaxAbsDifference(reducer.Components, c.GetProperty("components_"));
        output.WriteLine(FormattableString.Invariant($"{name}: max |W - W_sklearn| = {wDifference:E2}, max |H - H_sklearn| = {hDifference:E2}, error {reducer.ReconstructionError:R} vs {c.GetProperty("reconstruction_err").GetDouble():R}"));
        reducer.Iterations.Should().Be(c.GetProperty("n_iter").GetInt32());
        wDifference.Should().BeLessThan(1e-9);
        hDifference.Should().BeLessThan(1e-9);
    }

    [Theory]
    [InlineData("nmf_dense")]
    [InlineData("nmf_relu")]
    public void Nmf_transform_of_new_activations_matches_scikit_learn(string name)
    {
        var c = Fixture.GetProperty(name);
        using var x = Tensor(c.GetProperty("input"));
        using var y = Tensor(c.GetProperty("new"));
        using var reducer = new ChannelReducer(c.GetProperty("components").GetInt32());
        reducer.Fit(x);
        using var t = reducer.Transform(y);

        double difference = MaxAbsDifference(t, c.GetProperty("transform"));
        output.WriteLine(FormattableString.Invariant($"{name}: max |transform - transform_sklearn| = {difference:E2}"));
        difference.Should().BeLessThan(1e-9);
    }

    [Theory]
    [InlineData("nmf_dense")]
    [InlineData("nmf_relu")]
    public void Nmf_factors_are_non_negative_and_keep_the_leading_shape(string name)
    {
        var c = Fixture.GetProperty(name);
        using var x = Tensor(c.GetProperty("input"));
        int k = c.GetProperty("components").GetInt32();
        using var reducer = new ChannelReducer(k);
        using var w = reducer.FitTransform(x);

        var expectedShape = x.shape.ToArray();
        expectedShape[^1] = k;
        w.shape.Should().Equal(expectedShape);
        reducer.Components.shape.Should().Equal([k, x.shape[^1]]);
        Flat(w).Should().OnlyContain(v => v >= 0);
        Flat(reducer.Components).Should().OnlyContain(v => v >= 0);
    }

    [Fact]
    public void Pca_components_projections_and_variances_match_scikit_learn()
    {
        var c = Fixture.GetProperty("pca");
        using var x = Tensor(c.GetProperty("input"));
        using var y = Tensor(c.GetProperty("new"));
        using var reducer = new ChannelReducer(3, ChannelReductionMethod.Pca);
        using var z = reducer.FitTransform(x);
        using var t = reducer.Transform(y);

        double componentDifference = MaxAbsDifference(reducer.Components, c.GetProperty("components_"));
        output.WriteLine(FormattableString.Invariant($"pca: max |components - components_sklearn| = {componentDifference:E2}"));
        componentDifference.Should().BeLessThan(1e-6);
        MaxAbsDifference(z, c.GetProperty("fit_transform")).Should().BeLessThan(1e-6);
        MaxAbsDifference(t, c.GetProperty("transform")).Should().BeLessThan(1e-6);
        reducer.ExplainedVarianceRatio.Should().Equal(Doubles(c.GetProperty("explained_variance_ratio")), (a, e) => Math.Abs(a - e) < 1e-9);
        reducer.ExplainedVariance.Should().Equal(Doubles(c.GetProperty("explained_variance")), (a, e) => Math.Abs(a - e) < 1e-9);
        reducer.SingularValues.Should().Equal(Doubles(c.GetProperty("singular_values")), (a, e) => Math.Abs(a - e) < 1e-9);
    }

    [Fact]
    public void Pca_signs_follow_svd_flip_the_largest_projection_of_each_component_is_positive()
    {
        var c = Fixture.GetProperty("pca");
        using var x = Tensor(c.GetProperty("input"));
        using var reducer = new ChannelReducer(3, ChannelReductionMethod.Pca);
        using var z = reducer.FitTransform(x);
        using var flat = z.reshape(-1, 3);
        for (int j = 0; j < 3; j++)
        {
            using var column = flat.select(1, j);
            using var largest = column.abs().argmax();
            column[largest.item<long>()].item<double>().Should().BePositive($"component {j}'s largest-magnitude projection is positive (svd_flip on U)");
        }
    }
}
