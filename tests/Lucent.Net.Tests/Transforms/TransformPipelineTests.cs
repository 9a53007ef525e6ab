using Lucent.Net.Parameterization;
using Lucent.Net.Runtime;
using Lucent.Net.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Transforms;

public class TransformPipelineTests
{
    public TransformPipelineTests() => LucentRuntime.EnsureInitialized();

    [Fact]
    public void Standard_transforms_match_lucents_list()
    {
        var standard = TransformPipeline.Standard;
        standard.Transforms.Select(t => t.GetType()).Should().Equal(
            typeof(PadTransform), typeof(JitterTransform), typeof(RandomScaleTransform), typeof(RandomRotateTransform), typeof(JitterTransform));
        var pad = (PadTransform)standard.Transforms[0];
        (pad.Width, pad.Mode, pad.ConstantValue).Should().Be((12, PadMode.Constant, 0.5));
        ((JitterTransform)standard.Transforms[1]).Distance.Should().Be(8);
        ((RandomScaleTransform)standard.Transforms[2]).Scales.Should().Equal(
            Enumerable.Range(0, 11).Select(i => 1 + ((i - 5) / 50.0)));
        var angles = ((RandomRotateTransform)standard.Transforms[3]).Angles;
        angles.Should().HaveCount(26);
        angles.Take(21).Should().Equal(Enumerable.Range(-10, 21).Select(i => (double)i));
        angles.Skip(21).Should().OnlyContain(a => a == 0);
        ((JitterTransform)standard.Transforms[4]).Distance.Should().Be(4);
        standard.Name.Should().StartWith("compose([pad(12, constant, 0.5), jitter(8), random_scale([0.9, 0.92,").And.EndWith("jitter(4)])");
        StandardTransforms.Create().Name.Should().Be(standard.Name);
    }

    [Fact]
    public void Standard_transforms_give_a_square_image_of_an_expected_size_reproducibly()
    {
        using var image = torch.rand(1, 3, 32, 32, generator: new Generator(3));
        var sizes = new HashSet<long>();
        float[]? firstRun = null;
        for (int run = 0; run < 2; run++)
        {
            var context = TransformContext.FromSeed(99);
            var values = new List<float>();
            for (int i = 0; i < 4; i++)
            {
                using var output = TransformPipeline.Standard.Apply(image, context);
                output.shape[2].Should().Be(output.shape[3]);
                sizes.Add(output.shape[2]);
                values.AddRange(TensorAssert.Values(output));
            }

            context.Generator.Dispose();
            if (firstRun is null)
            {
                firstRun = values.ToArray();
            }
            else
            {
                values.Should().Equal(firstRun);
            }
        }

        // 32 + 24 = 56; scales 0.9..1.1 give ceil(s * 56) from 51 (padded to 57) up to 62.
        sizes.Should().OnlyContain(s => s >= 56 && s <= 62);
    }

    [Fact]
    public void Builder_composes_fluently_and_names_the_pipeline()
    {
        var pipeline = TransformPipeline.CreateBuilder()
            .Pad(2, PadMode.Constant, 0.5)
            .Jitter(2)
            .RandomScale(1.0)
            .RandomRotate([0])
            .Add("double", (img, _) => img * 2)
            .Build();
        pipeline.Name.Should().Be("compose([pad(2, constant, 0.5), jitter(2), random_scale([1]), random_rotate([0], degrees), double])");
        using var input = torch.ones(1, 3, 4, 4);
        using var output = pipeline.Apply(input, TransformContext.FromSeed(1));
        output.shape.Should().Equal(1, 3, 8, 8);
        TensorAssert.Values(output).Should().OnlyContain(v => v == 0f || v == 1f || v == 2f);
    }

    [Fact]
    public void Delegate_transforms_can_use_the_context_generator()
    {
        var noise = Transform.FromDelegate("noise", (img, ctx) => img + torch.randn(img.shape, generator: ctx.Generator));
        noise.Name.Should().Be("noise");
        using var input = torch.zeros(1, 1, 2, 2);
        using var a = noise.Apply(input, TransformContext.FromSeed(7));
        using var b = noise.Apply(input, TransformContext.FromSeed(7));
        TensorAssert.Equal(a, b);
    }

    [Fact]
    public void Delegate_that_returns_its_input_is_rejected()
    {
        var bad = Transform.FromDelegate("same", img => img);
        using var input = torch.zeros(1, 1, 2, 2);
        var act = () => bad.Apply(input, TransformContext.FromSeed(0));
        act.Should().Throw<InvalidOperationException>().WithMessage("*alias*");
    }

    [Fact]
    public void Empty_pipeline_passes_images_through_as_a_new_handle()
    {
        using var input = torch.ones(1, 3, 2, 2);
        using var output = TransformPipeline.Identity.Apply(input, TransformContext.FromSeed(0));
        ReferenceEquals(output, input).Should().BeFalse();
        TensorAssert.Equal(output, input);
    }

    [Fact]
    public void Append_and_compose_build_new_pipelines()
    {
        var composed = Transform.Compose(Transform.Pad(1), Transform.Jitter(2));
        var longer = composed.Append(Transform.Resize(4, 4));
        composed.Transforms.Should().HaveCount(2);
        longer.Transforms.Should().HaveCount(3);
        var nullStep = () => new TransformPipeline([Transform.Pad(1), null!]);
        nullStep.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Gradients_flow_through_the_standard_transforms_to_the_parameters()
    {
        using var parameterization = ImageParameterizations.Image(16, seed: 1);
        using var image = parameterization.CreateImage();
        using var transformed = TransformPipeline.Standard.Append(new ResizeTransform(24)).Apply(image, TransformContext.FromSeed(2));
        transformed.shape.Should().Equal(1, 3, 24, 24);
        using var loss = transformed.square().mean();
        loss.backward();
        using var grad = parameterization.Parameters[0].grad!;
        grad.abs().sum().item<float>().Should().BeGreaterThan(0f);
    }
}
