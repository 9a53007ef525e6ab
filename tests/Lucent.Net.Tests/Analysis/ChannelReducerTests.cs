using Lucent.Net.Analysis;
using TorchSharp;
using static Lucent.Net.Tests.Analysis.AnalysisFixture;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Analysis;

/// <summary><see cref="ChannelReducer"/>'s shapes, types, determinism, ownership and errors.</summary>
public class ChannelReducerTests
{
    private static Tensor NonNegative(long seed, params long[] shape)
    {
        using var generator = new Generator((ulong)seed);
        return torch.rand(shape, dtype: ScalarType.Float32, generator: generator);
    }

    [Fact]
    public void FitTransform_keeps_every_leading_dimension_and_the_input_type()
    {
        using var acts = NonNegative(1, 2, 3, 4, 8);
        using var reducer = new ChannelReducer(3);
        using var reduced = reducer.FitTransform(acts);
        reduced.shape.Should().Equal([2, 3, 4, 3]);
        reduced.dtype.Should().Be(ScalarType.Float32);
        reducer.Components.dtype.Should().Be(ScalarType.Float64);
        reducer.Channels.Should().Be(8);
        reducer.IsFitted.Should().BeTrue();
    }

    [Fact]
    public void Integer_activations_give_float64_results()
    {
        using var acts = torch.randint(0, 5, [6, 4], dtype: ScalarType.Int64, generator: new Generator(3));
        using var reducer = new ChannelReducer(2, ChannelReductionMethod.Pca);
        using var reduced = reducer.FitTransform(acts);
        reduced.dtype.Should().Be(ScalarType.Float64);
    }

    [Theory]
    [InlineData(ChannelReductionMethod.Nmf)]
    [InlineData(ChannelReductionMethod.Pca)]
    public void Fitting_twice_on_the_same_activations_gives_identical_results(ChannelReductionMethod method)
    {
        using var acts = NonNegative(2, 5, 5, 12);
        using var first = new ChannelReducer(4, method);
        using var second = new ChannelReducer(4, method);
        using var a = first.FitTransform(acts);
        using var b = second.FitTransform(acts);
        Flat(a).Should().Equal(Flat(b));
        Flat(first.Components).Should().Equal(Flat(second.Components));
    }

    [Theory]
    [InlineData(ChannelReductionMethod.Nmf)]
    [InlineData(ChannelReductionMethod.Pca)]
    public void Transform_after_Fit_is_close_to_FitTransform(ChannelReductionMethod method)
    {
        using var acts = NonNegative(4, 4, 8, 8, 16);
        using var reducer = new ChannelReducer(5, method);
        using var fitted = reducer.FitTransform(acts);
        using var transformed = reducer.Transform(acts);
        // Lucent's own test asks for allclose(atol=1e-2) between the two.
        double[] f = Flat(fitted);
        double[] t = Flat(transformed);
        f.Zip(t, (x, y) => Math.Abs(x - y)).Max().Should().BeLessThan(1e-2);
    }

    [Fact]
    public void More_components_than_rows_uses_the_seeded_random_start_non_negative_and_reproducible()
    {
        using var acts = NonNegative(5, 3, 10);
        using var a = new ChannelReducer(6, ChannelReductionMethod.Nmf, seed: 7);
        using var b = new ChannelReducer(6, ChannelReductionMethod.Nmf, seed: 7);
        using var c = new ChannelReducer(6, ChannelReductionMethod.Nmf, seed: 8);
        using var wa = a.FitTransform(acts);
        using var wb = b.FitTransform(acts);
        using var wc = c.FitTransform(acts);

        Flat(wa).Should().Equal(Flat(wb));
        Flat(wa).Should().NotEqual(Flat(wc));
        Flat(wa).Should().OnlyContain(v => v >= 0);
        Flat(a.Components).Should().OnlyContain(v => v >= 0);
        using var norm = acts.to(ScalarType.Float64).norm();
        a.ReconstructionError.Should().BeLessThan(0.05 * norm.item<double>(), "six components can nearly reproduce three rows");
    }

    [Fact]
    public void Nmf_needs_fewer_iterations_with_a_looser_tolerance_and_respects_MaxIterations()
    {
        using var acts = NonNegative(6, 40, 10);
        using var strict = new ChannelReducer(3, new ChannelReducerOptions { Tolerance = 0, MaxIterations = 30 });
        using var loose = new ChannelReducer(3, new ChannelReducerOptions { Tolerance = 0.1 });
        strict.Fit(acts);
        loose.Fit(acts);
        strict.Iterations.Should().Be(30);
        loose.Iterations.Should().BeLessThan(30);
        strict.ReconstructionError.Should().BeLessThanOrEqualTo(loose.ReconstructionError + 1e-12);
    }

    [Fact]
    public void All_zero_activations_give_zero_groups_without_nan()
    {
        // A dead layer: scikit-learn starts from W = H = 0 (NNDSVDa of zeros) and stops at once.
        using var acts = torch.zeros([3, 4, 6]);
        using var reducer = new ChannelReducer(2);
        using var reduced = reducer.FitTransform(acts);
        Flat(reduced).Should().OnlyContain(v => v == 0);
        Flat(reducer.Components).Should().OnlyContain(v => v == 0);
        reducer.ReconstructionError.Should().Be(0);
        reducer.Iterations.Should().Be(1);
    }

    [Fact]
    public void Components_outlive_the_dispose_scope_they_were_fitted_in()
    {
        using var acts = NonNegative(9, 20, 6);
        using var reducer = new ChannelReducer(2);
        using (torch.NewDisposeScope())
        {
            reducer.Fit(acts);
        }

        reducer.Components.IsInvalid.Should().BeFalse();
        using var reduced = reducer.Transform(acts);
        reduced.shape.Should().Equal([20, 2]);
    }

    [Fact]
    public void Refitting_replaces_the_components()
    {
        using var six = NonNegative(10, 20, 6);
        using var eight = NonNegative(11, 20, 8);
        using var reducer = new ChannelReducer(2, ChannelReductionMethod.Pca);
        reducer.Fit(six);
        reducer.Fit(eight);
        reducer.Channels.Should().Be(8);
    }

    [Fact]
    public void Negative_activations_are_refused_by_nmf_and_accepted_by_pca()
    {
        using var acts = torch.randn([10, 4], generator: new Generator(12));
        using var nmf = new ChannelReducer(2);
        var act = () => nmf.Fit(acts);
        act.Should().Throw<ArgumentException>().WithMessage("*non-negative*minimum*ReLU*Pca*").And.ParamName.Should().Be("activations");
        using var pca = new ChannelReducer(2, ChannelReductionMethod.Pca);
        pca.Invoking(p => p.Fit(acts)).Should().NotThrow();
    }

    [Fact]
    public void Negative_activations_are_refused_by_nmf_transform()
    {
        using var acts = NonNegative(13, 10, 4);
        using var negative = acts.neg();
        using var reducer = new ChannelReducer(2);
        reducer.Fit(acts);
        reducer.Invoking(r => r.Transform(negative)).Should().Throw<ArgumentException>().WithMessage("*non-negative*transformed*");
    }

    [Theory]
    [InlineData(ChannelReductionMethod.Nmf)]
    [InlineData(ChannelReductionMethod.Pca)]
    public void More_components_than_channels_is_refused(ChannelReductionMethod method)
    {
        using var acts = NonNegative(14, 10, 4);
        using var reducer = new ChannelReducer(5, method);
        reducer.Invoking(r => r.Fit(acts)).Should().Throw<ArgumentException>().WithMessage("*5 components*only 4 channels*at most 4*");
        reducer.IsFitted.Should().BeFalse();
    }

    [Fact]
    public void Pca_with_more_components_than_rows_is_refused()
    {
        using var acts = NonNegative(15, 2, 6);
        using var reducer = new ChannelReducer(3, ChannelReductionMethod.Pca);
        reducer.Invoking(r => r.Fit(acts)).Should().Throw<ArgumentException>().WithMessage("*at least 3 rows*have 2*");
    }

    [Fact]
    public void A_one_dimensional_tensor_is_refused_with_the_expected_layout()
    {
        using var acts = NonNegative(16, 8);
        using var reducer = new ChannelReducer(2);
        reducer.Invoking(r => r.Fit(acts)).Should().Throw<ArgumentException>().WithMessage("*at least 2 dimensions*[..., channels]*[8]*unsqueeze*");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Non_finite_activations_are_refused(double bad)
    {
        using var acts = NonNegative(17, 5, 3);
        acts[2, 1] = torch.tensor((float)bad);
        using var reducer = new ChannelReducer(2, ChannelReductionMethod.Pca);
        reducer.Invoking(r => r.FitTransform(acts)).Should().Throw<ArgumentException>().WithMessage("*NaN or infinite*");
    }

    [Fact]
    public void Complex_and_bool_activations_are_refused()
    {
        using var flags = torch.ones([4, 3], dtype: ScalarType.Bool);
        using var complex = torch.ones([4, 3], dtype: ScalarType.ComplexFloat32);
        using var reducer = new ChannelReducer(2);
        reducer.Invoking(r => r.Fit(flags)).Should().Throw<ArgumentException>().WithMessage("*real numbers*Bool*");
        reducer.Invoking(r => r.Fit(complex)).Should().Throw<ArgumentException>().WithMessage("*real numbers*");
    }

    [Fact]
    public void Empty_activations_are_refused()
    {
        using var acts = torch.zeros([0, 4]);
        using var reducer = new ChannelReducer(2);
        reducer.Invoking(r => r.Fit(acts)).Should().Throw<ArgumentException>().WithMessage("*empty*");
    }

    [Fact]
    public void Transform_before_fit_and_fitted_properties_before_fit_are_refused()
    {
        using var acts = NonNegative(18, 4, 3);
        using var reducer = new ChannelReducer(2);
        reducer.Invoking(r => r.Transform(acts)).Should().Throw<InvalidOperationException>().WithMessage("*not fitted*Fit*");
        reducer.Invoking(r => r.Components).Should().Throw<InvalidOperationException>();
        reducer.Invoking(r => r.ReconstructionError).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Transform_with_other_channel_counts_is_refused()
    {
        using var acts = NonNegative(19, 4, 8, 8, 16);
        using var other = NonNegative(20, 4, 8, 8, 5);
        using var reducer = new ChannelReducer(5);
        reducer.Fit(acts);
        reducer.Invoking(r => r.Transform(other)).Should().Throw<ArgumentException>().WithMessage("*5 channels*fitted on 16*");
    }

    [Fact]
    public void Method_specific_properties_say_which_method_they_need()
    {
        using var acts = NonNegative(21, 10, 4);
        using var nmf = new ChannelReducer(2);
        using var pca = new ChannelReducer(2, ChannelReductionMethod.Pca);
        nmf.Fit(acts);
        pca.Fit(acts);
        nmf.Invoking(r => r.ExplainedVarianceRatio).Should().Throw<InvalidOperationException>().WithMessage("*Pca only*uses Nmf*");
        pca.Invoking(r => r.ReconstructionError).Should().Throw<InvalidOperationException>().WithMessage("*Nmf only*uses Pca*");
        pca.ExplainedVarianceRatio.Sum().Should().BeLessThanOrEqualTo(1 + 1e-12);
    }

    [Fact]
    public void Bad_settings_are_refused_at_construction()
    {
        var zero = () => new ChannelReducer(0);
        zero.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*at least 1 component*");
        var method = () => new ChannelReducer(2, (ChannelReductionMethod)7);
        method.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Unknown reduction method*");
        var iterations = () => new ChannelReducer(2, new ChannelReducerOptions { MaxIterations = 0 });
        iterations.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*MaxIterations*");
        var tolerance = () => new ChannelReducer(2, new ChannelReducerOptions { Tolerance = double.NaN });
        tolerance.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Tolerance*");
        var options = () => new ChannelReducer(2, null!);
        options.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void A_disposed_reducer_is_refused()
    {
        using var acts = NonNegative(22, 4, 3);
        var reducer = new ChannelReducer(2);
        reducer.Fit(acts);
        reducer.Dispose();
        reducer.Dispose();
        reducer.Invoking(r => r.Transform(acts)).Should().Throw<ObjectDisposedException>();
    }
}
