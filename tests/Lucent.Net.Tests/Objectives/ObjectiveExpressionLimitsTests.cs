using System.Diagnostics;
using Lucent.Net.Expressions;
using Lucent.Net.Objectives;
using Xunit.Abstractions;
using static Lucent.Net.Objectives.Objective;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Objectives;

/// <summary>Hostile objective expressions and algebra: long chains cost linear time and memory, limits are typed errors, constants stay finite.</summary>
public class ObjectiveExpressionLimitsTests(ITestOutputHelper output)
{
    private static readonly Tensor Acts = T.Range(2, 3, 2, 2);

    private static string FlatSum(int terms) => string.Join("+", Enumerable.Repeat("l:0", terms));

    /// <summary>Managed bytes allocated and time taken by parsing <paramref name="text"/> and reading its name.</summary>
    private static (long Bytes, TimeSpan Time, Objective Objective) Measure(string text)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        Objective objective = ObjectiveExpression.Parse(text);
        _ = objective.Name;
        _ = objective.Layers;
        clock.Stop();
        return (GC.GetAllocatedBytesForCurrentThread() - before, clock.Elapsed, objective);
    }

    [Fact]
    public void A_flat_sum_of_thousands_of_terms_costs_linear_memory_and_time()
    {
        Measure(FlatSum(10)); // warm up
        string text = FlatSum(4_000); // 16 kB: 263 MB and 2.4 s before
        text.Length.Should().BeGreaterThan(15_000);

        (long small, _, _) = Measure(FlatSum(2_000));
        (long bytes, TimeSpan time, Objective objective) = Measure(text);
        output.WriteLine($"{text.Length} characters: {bytes / 1024.0 / 1024.0:F1} MiB allocated, {time.TotalMilliseconds:F0} ms");

        bytes.Should().BeLessThan(24L << 20, "each node must not hold a copy of the whole name so far");
        ((double)bytes / small).Should().BeLessThan(3, "doubling the terms must not quadruple the memory");
        time.Should().BeLessThan(TimeSpan.FromSeconds(2));
        objective.Name.Should().Be(string.Join(" + ", Enumerable.Repeat("channel(l, 0)", 4_000)));
        objective.Layers.Should().Equal("l");
        ObjectiveExpression.Parse(objective.Name).Name.Should().Be(objective.Name, "the name of a long chain still parses back");

        double one = T.Compute(Channel("l", 0), new DictionaryLookup("l", Acts));
        T.Compute(objective, new DictionaryLookup("l", Acts)).Should().BeApproximately(4_000 * one, 1e-2, "the chain is computed in a loop, not by recursion");
    }

    [Fact]
    public void Long_chains_built_in_code_cost_linear_memory_and_do_not_recurse_per_term()
    {
        var terms = Enumerable.Range(0, 8).Select(i => Channel("l", i % 3)).ToArray();
        _ = (terms[0] + terms[1] - 2).Name; // warm up

        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        Objective sum = terms[0];
        Objective product = terms[0];
        for (int i = 1; i < 20_000; i++)
        {
            sum = i % 3 == 0 ? sum - terms[i % 8] : i % 3 == 1 ? sum + terms[i % 8] : sum + 0.5;
            product = i % 2 == 0 ? product * 1.0001 : product / 1.0001;
        }

        string name = sum.Name;
        string productName = product.Name;
        clock.Stop();
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"20,000-term chains: {bytes / 1024.0 / 1024.0:F1} MiB allocated, {clock.ElapsedMilliseconds} ms");

        bytes.Should().BeLessThan(64L << 20);
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3));
        name.Should().StartWith("channel(l, 0) + channel(l, 1) + 0.5 - channel(l, 0) + channel(l, 1) + 0.5 - ");
        productName.Should().StartWith("channel(l, 0) / 1.0001 * 1.0001 / 1.0001");
        sum.Layers.Should().BeEquivalentTo(["l"]);
        sum.Description.Should().Contain("channel(l, 2): ");

        var lookup = new DictionaryLookup("l", Acts);
        double expected = T.Compute(terms[0], lookup);
        for (int i = 1; i < 20_000; i++)
        {
            expected = i % 3 == 0 ? expected - T.Compute(terms[i % 8], lookup) : i % 3 == 1 ? expected + T.Compute(terms[i % 8], lookup) : expected + 0.5;
        }

        T.Compute(sum, lookup).Should().BeApproximately(expected, Math.Abs(expected) * 1e-4 + 1e-2);
        T.Compute(product, lookup).Should().BeApproximately(T.Compute(terms[0], lookup), 1e-2);
    }

    [Fact]
    public void Expressions_over_the_length_token_or_depth_limits_are_refused_with_the_limit_named()
    {
        var tooLong = () => ObjectiveExpression.Parse("l:0+" + new string(' ', ObjectiveExpression.MaxLength) + "l:0");
        tooLong.Should().Throw<ObjectiveExpressionException>().WithMessage("*characters long*over the limit of 100000*MaxLength*");

        string manyTokens = FlatSum((ObjectiveExpression.MaxTokens / 4) + 10);
        manyTokens.Length.Should().BeLessThan(ObjectiveExpression.MaxLength);
        var tooMany = () => ObjectiveExpression.Parse(manyTokens);
        tooMany.Should().Throw<ObjectiveExpressionException>().WithMessage("*tokens*over the limit of 50000*MaxTokens*");

        ObjectiveExpression.Parse(FlatSum((ObjectiveExpression.MaxTokens / 4) - 10)).Should().NotBeNull("just under the limit is fine");

        string longWithError = FlatSum(5_000) + "+#";
        var error = FluentActions.Invoking(() => ObjectiveExpression.Parse(longWithError)).Should().Throw<ObjectiveExpressionException>().Which;
        error.Column.Should().Be(longWithError.Length);
        error.Message.Length.Should().BeLessThan(1_000, "a long expression is shown as an excerpt around the error");
        error.Message.Should().Contain("in an expression of 20001 characters").And.Contain("  ...l:0+").And.Contain("l:0+l:0+#\n");

        foreach (string deep in new[]
        {
            new string('(', 101) + "l:0" + new string(')', 101),
            new string('-', 101) + "l:0",
            string.Concat(Enumerable.Repeat("sum(", 101)) + "l:0" + new string(')', 101),
        })
        {
            var act = () => ObjectiveExpression.Parse(deep);
            act.Should().Throw<ObjectiveExpressionException>().WithMessage("*nested more than 100 levels deep*");
        }
    }

    [Theory]
    [InlineData("l:0 * 1e308 * 1e308")]
    [InlineData("1e308 * l:0 * 1e308")]
    [InlineData("1e308 * 1e308 * l:0")]
    [InlineData("(l:0 * 1e308) * 1e308")]
    [InlineData("1e308 * (1e308 * l:0)")]
    [InlineData("l:0 / 1e-308 / 1e-308")]
    [InlineData("l:0 * 1e200 * (l:0 * 1e200)")]
    [InlineData("l:0 + 1e308 + 1e308")]
    [InlineData("1e308 + l:0 - 1e308")]
    [InlineData("-(l:0 * 1e308) * -1e308")]
    [InlineData("sum(l:0 * 1e308, l:0 * 1e308)")]
    [InlineData("2 * l:0 * 1e308")]
    public void Constants_that_combine_to_a_non_finite_number_are_refused_in_any_operand_order(string text)
    {
        var act = () => ObjectiveExpression.Parse(text);

        act.Should().Throw<ObjectiveExpressionException>().WithMessage("*finite*");
    }

    [Fact]
    public void Finite_combinations_of_large_constants_are_still_accepted_and_code_gets_a_typed_error()
    {
        ObjectiveExpression.Parse("l:0 * 1e300 / 1e300 * 1e300").Name.Should().Be("channel(l, 0) * 1E+300 / 1E+300 * 1E+300");
        ObjectiveExpression.Parse("l:0 * 1e308 + l:1").Should().NotBeNull();

        var code = () => Channel("l", 0) * 1e308 * 1e308;
        code.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*beyond the range of a double*finite*");
        var sum = () => Objective.Sum([Channel("l", 0) * 1e308, Channel("l", 1) * 1e308]);
        sum.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*finite*");
    }
}
