using Lucent.Net.Expressions;
using Lucent.Net.Objectives;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Testing;
using Lucent.Net.Tests.TestSupport;
using Lucent.Net.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Devices;

/// <summary>
/// Renders, objectives, transforms, parameterisations and the batched API with the model on a non-CPU device
/// (LibTorch's lazy device, standing in for CUDA; see <see cref="StandInDevice"/>). A tensor the library makes
/// on the CPU for a model on another device fails these tests; the values are compared with the CPU's.
/// </summary>
[Collection(StandInDeviceCollection.Name)]
public class StandInDeviceRenderTests
{
    private const double Tolerance = 1e-4;

    private static TinyConvNet ModelOn(Device? device)
    {
        var model = new TinyConvNet(seed: 3);
        if (device is not null)
        {
            model.to(device);
        }

        return model;
    }

    [SkippableFact]
    public void Default_render_makes_its_image_on_the_model_device_and_matches_the_cpu_render()
    {
        var device = StandInDevice.Require();
        var options = new RenderOptions { Thresholds = [2, 3], Seed = 5 };
        RenderResult onCpu;
        using (var model = ModelOn(null))
        {
            onCpu = Renderer.Render(model, "conv2:3", options);
        }

        using var onDevice = ModelOn(device);
        var result = Renderer.Render(onDevice, "conv2:3", options);

        result.StopReason.Should().Be(RenderStopReason.Completed);
        result.Losses.Should().HaveCount(3);
        result.Losses.Should().Equal(onCpu.Losses, (a, b) => Math.Abs(a - b) <= Tolerance * Math.Max(1, Math.Abs(b)));
        result.Snapshots.Select(s => s.Step).Should().Equal(2, 3);
        MaxDifference(result.FinalImages.Pixels, onCpu.FinalImages.Pixels).Should().BeLessThan(1e-4f);
        onDevice.parameters().Should().OnlyContain(p => p.device_type == (DeviceType)StandInDevice.LazyDeviceType, "the render must not move the model");
    }

    [SkippableFact]
    public void Batched_render_runs_on_the_model_device()
    {
        var device = StandInDevice.Require();
        using var model = ModelOn(device);
        var result = Renderer.RenderChannels(model, "conv2", [0, 1, 2], new RenderOptions { Thresholds = [2], FixedImageSize = (32, 32), Parameterization = new ImageOptions(RenderOptions.DefaultImageSize) });

        result.StopReason.Should().Be(RenderStopReason.Completed);
        result.FinalImages.Batch.Should().Be(3);
        result.ImageLosses.Should().HaveCount(3).And.OnlyContain(l => l.Count == 2 && l.All(double.IsFinite));
    }

    [SkippableFact]
    public void Built_in_objectives_render_on_the_model_device()
    {
        var device = StandInDevice.Require();
        using var model = ModelOn(device);
        var objectives = new[]
        {
            Objective.Neuron("conv2", 1),
            Objective.ChannelWeight("conv2", [1f, 0f, -1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 2f]),
            Objective.NeuronWeight("conv2", [1f, 0f, -1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 2f]),
            Objective.LocalGroupWeight("conv2", [1f, 0f, -1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 2f], x: 2, y: 2, wx: 2, wy: 2),
            Objective.Direction("conv2", [1f, 0f, -1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 2f], cossimPow: 1),
            Objective.DirectionNeuron("conv2", [1f, 0f, -1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 2f]),
            Objective.ChannelInterpolate("conv1", 0, "conv2", 1),
            Objective.Alignment("conv2"),
            Objective.Diversity("conv2"),
            // Objectives on the input layer (BlurInputEachStep, L1/L2/TotalVariation, InputDiff) are left out: the lazy
            // backend's TorchScript lowering of those renders (two gradient paths into the colour-decorrelation matmul) fails inside LibTorch with "expected m1 and m2 to have the same dtype, but
            // got: double != float" (a stand-in quirk: their constants follow the input's device and dtype).
            Objective.DeepDream("conv1"),
            Objective.ClassLogit(4),
        };

        var failures = new List<string>();
        foreach (var objective in objectives)
        {
            var options = new RenderOptions
            {
                Thresholds = [2],
                FixedImageSize = (32, 32),
                Parameterization = ParameterizationFactory.From(g => ImageParameterizations.Image(32, batch: 2, generator: g, device: device)),
            };
            try
            {
                var result = Renderer.Render(model, objective, options);
                if (result.StopReason != RenderStopReason.Completed || !result.Losses.All(double.IsFinite))
                {
                    failures.Add($"{objective.Name}: {result.StopReason} {result.StopMessage}");
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                failures.Add($"{objective.Name}: {ex.GetType().Name}: {ex.Message}");
            }
        }

        failures.Should().BeEmpty();
    }

    [SkippableFact]
    public void Objective_evaluation_accepts_cpu_images_for_a_model_on_another_device()
    {
        var device = StandInDevice.Require();
        using var images = torch.full([1, 3, 32, 32], 0.25f);
        double onCpu;
        using (var model = ModelOn(null))
        {
            onCpu = ObjectiveEvaluator.Evaluate(model, ObjectiveExpression.Parse("conv2:3"), images)[0];
        }

        using var onDevice = ModelOn(device);
        double value = ObjectiveEvaluator.Evaluate(onDevice, ObjectiveExpression.Parse("conv2:3"), images, new RenderOptions { Transforms = [TransformPipeline.Standard], Seed = 1 })[0];
        double plain = ObjectiveEvaluator.Evaluate(onDevice, ObjectiveExpression.Parse("conv2:3"), images)[0];

        double.IsFinite(value).Should().BeTrue();
        plain.Should().BeApproximately(onCpu, Tolerance);
    }

    [SkippableFact]
    public void Transforms_keep_images_on_their_device_and_give_the_cpu_values()
    {
        var device = StandInDevice.Require();
        var transforms = new IImageTransform[]
        {
            TransformPipeline.Standard,
            new PadTransform(3, PadMode.Reflect),
            new RandomRotateTransform([17.0]),
            new RandomScaleTransform([1.1]),
            new JitterTransform(2),
            new ImageNetNormalizeTransform(),
            new ResizeTransform(24),
        };
        using var generatorCpu = new Generator(11, torch.CPU);
        using var generatorDevice = new Generator(11, torch.CPU);
        using var scope = NewDisposeScope();
        var image = torch.rand([1, 3, 20, 20], generator: new Generator(2, torch.CPU));
        var onDevice = image.to(device);
        foreach (var transform in transforms)
        {
            var expected = transform.Apply(image, new TransformContext(generatorCpu));
            var actual = transform.Apply(onDevice, new TransformContext(generatorDevice));
            actual.device_type.Should().Be((DeviceType)StandInDevice.LazyDeviceType, transform.Name);
            actual.cpu().sub(expected).abs().max().ToSingle().Should().BeLessThan(1e-4f, transform.Name);
        }
    }

    [SkippableFact]
    public void Parameterizations_make_their_tensors_on_the_requested_device_with_the_cpu_initial_image()
    {
        var device = StandInDevice.Require();
        var factories = new (string Name, Func<Device?, IImageParameterization> Make)[]
        {
            ("fft decorrelated", d => ImageParameterizations.Image(12, seed: 4, device: d)),
            ("pixel", d => ImageParameterizations.Image(12, fft: false, seed: 4, device: d)),
            ("fft odd width, 4 channels", d => ImageParameterizations.Image(11, height: 9, channels: 4, seed: 4, device: d)),
            ("cppn", d => ImageParameterizations.Cppn(12, new CppnOptions { Device = d }, seed: 4)),
            ("low resolution", d => ImageParameterizations.LowResolution(new LowResolutionOptions(new ImageShape(1, 3, 12, 12), new ImageShape(1, 3, 4, 4)) { Device = d }, seed: 4)),
        };
        foreach (var (name, make) in factories)
        {
            using var cpu = make(null);
            using var other = make(device);
            using var scope = NewDisposeScope();
            var expected = cpu.CreateImage();
            var actual = other.CreateImage();
            actual.device_type.Should().Be((DeviceType)StandInDevice.LazyDeviceType, name);
            other.Parameters.Should().OnlyContain(p => p.device_type == (DeviceType)StandInDevice.LazyDeviceType, name);
            actual.sum().backward();
            actual.cpu().sub(expected).abs().max().ToSingle().Should().BeLessThan(1e-5f, name);
        }
    }

    private static float MaxDifference(float[] a, float[] b)
    {
        a.Should().HaveSameCount(b);
        float max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }
}
