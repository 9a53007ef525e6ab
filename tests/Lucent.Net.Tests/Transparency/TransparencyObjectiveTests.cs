using Lucent.Net.Activations;
using Lucent.Net.Expressions;
using Lucent.Net.Objectives;
using Lucent.Net.Runtime;
using Lucent.Net.Tests.Objectives;
using static Lucent.Net.Objectives.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Transparency;

/// <summary>
/// <see cref="Objectives.BlurAlphaEachStep"/> and <see cref="Objectives.PenalizeBoundaryComplexity"/> against Lucid's
/// formulas computed by real PyTorch (values and input gradients), negated as every Lucid objective is here.
/// </summary>
public sealed class TransparencyObjectiveTests
{
    public TransparencyObjectiveTests() => LucentRuntime.EnsureInitialized();

    public static TheoryData<int> BoundaryCases => [0, 1, 2];

    [Fact]
    public void Blur_alpha_each_step_is_minus_lucids_value_with_minus_lucids_gradient()
    {
        var reference = LucidTransparencyFixture.Data.GetProperty("blur_alpha_each_step");
        var (value, gradient) = Evaluate(BlurAlphaEachStep());

        value.Should().BeApproximately(-reference.GetProperty("lucid_value").GetDouble(), 1e-5);
        double[] expected = LucidTransparencyFixture.Doubles(reference.GetProperty("lucid_gradient"));
        AssertClose(gradient, expected, -1, 1e-5);

        // Only alpha (channel 3) receives a gradient: RGB are untouched by this objective.
        int plane = 7 * 9;
        for (int n = 0; n < 2; n++)
        {
            gradient.Skip(((n * 4) + 0) * plane).Take(3 * plane).Should().OnlyContain(g => g == 0f);
            gradient.Skip(((n * 4) + 3) * plane).Take(plane).Should().Contain(g => g != 0f);
        }
    }

    [Theory]
    [MemberData(nameof(BoundaryCases))]
    public void Penalize_boundary_complexity_is_minus_lucids_value_with_minus_lucids_gradient(int index)
    {
        var reference = LucidTransparencyFixture.Data.GetProperty("penalize_boundary_complexity")[index];
        int width = reference.GetProperty("w").GetInt32();
        double color = reference.GetProperty("C").GetDouble();
        var (value, gradient) = Evaluate(PenalizeBoundaryComplexity(width, color));

        value.Should().BeApproximately(-reference.GetProperty("lucid_value").GetDouble(), 1e-4);
        value.Should().BePositive("the negated Lucid objective is a penalty to add");
        AssertClose(gradient, LucidTransparencyFixture.Doubles(reference.GetProperty("lucid_gradient")), -1, 1e-5);
    }

    [Fact]
    public void Penalize_boundary_complexity_leaves_the_interior_alone_and_a_mask_replaces_the_border()
    {
        // w = 1 on 7x9: the border is rows 0 and 6 and columns 0 and 8. The 5x5 blur reaches two pixels, so the
        // pixels three or more from the border, (3, 3) to (3, 5), get no gradient; border pixels do.
        var (_, gradient) = Evaluate(PenalizeBoundaryComplexity(1, 0.5));
        for (int n = 0; n < 2; n++)
        {
            for (int c = 0; c < 4; c++)
            {
                for (int x = 3; x <= 5; x++)
                {
                    gradient[(((n * 4) + c) * 63) + (3 * 9) + x].Should().Be(0f, $"pixel (3, {x}) is out of the penalised border's reach");
                }

                gradient[((n * 4) + c) * 63].Should().NotBe(0f, "the corner is penalised");
            }
        }

        // An explicit all-ones mask equals a border that covers the whole image (2w >= the size, as in Lucid).
        using var ones = torch.ones(7, 9);
        var (masked, maskedGradient) = Evaluate(PenalizeBoundaryComplexity(mask: ones));
        var (whole, wholeGradient) = Evaluate(PenalizeBoundaryComplexity(4, 0.5));
        masked.Should().BeApproximately(whole, 1e-4);
        AssertClose(maskedGradient, [.. wholeGradient.Select(g => (double)g)], 1, 1e-6);

        // A zero mask penalises nothing.
        using var zeros = torch.zeros(1, 4, 7, 9);
        Evaluate(PenalizeBoundaryComplexity(mask: zeros)).Value.Should().Be(0);
    }

    [Fact]
    public void Bad_arguments_and_inputs_without_alpha_are_rejected_clearly()
    {
        var width = () => PenalizeBoundaryComplexity(0);
        width.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("width");
        var color = () => PenalizeBoundaryComplexity(color: double.NaN);
        color.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("color");

        using var scope = NewDisposeScope();
        var rgb = new DictionaryLookup(IActivationLookup.Input, torch.rand(1, 3, 5, 5));
        var blur = () => BlurAlphaEachStep().Compute(rgb);
        blur.Should().Throw<ObjectiveArgumentException>().WithMessage("*alpha channel (channel 3)*3 channels*ImageOptions.Alpha*");

        using var wrongMask = torch.ones(6, 6);
        var lookup = new DictionaryLookup(IActivationLookup.Input, torch.rand(1, 3, 5, 5));
        var mask = () => PenalizeBoundaryComplexity(mask: wrongMask).Compute(lookup);
        mask.Should().Throw<ObjectiveArgumentException>().WithMessage("The mask has shape [6, 6] but the input has shape [1, 3, 5, 5]*");
    }

    [Fact]
    public void Names_parse_back_to_the_same_objectives_in_the_expression_language()
    {
        BlurAlphaEachStep().Name.Should().Be("blur_alpha_each_step()");
        PenalizeBoundaryComplexity().Name.Should().Be("penalize_boundary_complexity(w=20, C=0.5)");
        PenalizeBoundaryComplexity(3, 0.25, batch: 1).Name.Should().Be("penalize_boundary_complexity(w=3, C=0.25, batch=1)");

        foreach (var objective in new[] { BlurAlphaEachStep(), PenalizeBoundaryComplexity(2, 0.3), BlurAlphaEachStep(batch: 1) })
        {
            var parsed = ObjectiveExpression.Parse(objective.Name);
            parsed.Name.Should().Be(objective.Name);
            Evaluate(parsed).Value.Should().BeApproximately(Evaluate(objective).Value, 1e-6);
        }

        var composed = ObjectiveExpression.Parse("channel(conv2, 1) - 0.5 * blur_alpha_each_step() + penalize_boundary_complexity(width: 2, color: 0.3)");
        composed.Layers.Should().Contain(IActivationLookup.Input);
        ObjectiveFunctionRegistry.Default.Names.Should().Contain(["blur_alpha_each_step", "penalize_boundary_complexity"]);
    }

    private static (double Value, float[] Gradient) Evaluate(IObjective objective)
    {
        using var scope = NewDisposeScope();
        using var input = torch.tensor(LucidTransparencyFixture.Input(), LucidTransparencyFixture.InputShape).requires_grad_(true);
        var loss = objective.Compute(new DictionaryLookup(new Dictionary<string, Tensor>
        {
            [IActivationLookup.Input] = input,
            ["conv2"] = input.mul(2),
        }));
        loss.backward();
        return (loss.ToDouble(), input.grad is { } g ? g.data<float>().ToArray() : new float[input.numel()]);
    }

    private static void AssertClose(float[] actual, double[] expected, double sign, double tolerance)
    {
        actual.Should().HaveCount(expected.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            ((double)actual[i]).Should().BeApproximately(sign * expected[i], tolerance, $"gradient element {i}");
        }
    }
}
