using Lucent.Net.Devices;
using Lucent.Net.Expressions;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Testing;
using Lucent.Net.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Devices;

/// <summary>Device mistakes get a <see cref="DeviceMismatchException"/> naming both devices, not "use a larger image".</summary>
[Collection(StandInDeviceCollection.Name)]
public class DeviceMismatchTests
{
    [Fact]
    public void A_model_on_meta_rendered_with_a_cpu_device_option_names_both_devices()
    {
        using var model = new TinyConvNet(seed: 3);
        model.to(torch.device("meta"));

        var act = () => Renderer.Render(model, "conv2:1", new RenderOptions { Device = torch.CPU, Thresholds = [1] });

        var error = act.Should().Throw<DeviceMismatchException>().Which;
        error.Message.Should().Contain("meta").And.Contain("cpu").And.Contain("model.to(device)");
        error.ExpectedDevice.Should().Be("cpu");
        error.ActualDevice.Should().Be("meta");
    }

    [Fact]
    public void A_cpu_model_rendered_with_a_meta_device_option_names_both_devices()
    {
        using var model = new TinyConvNet(seed: 3);

        var act = () => Renderer.RenderChannels(model, "conv2", [0, 1], new RenderOptions { Device = torch.device("meta"), Thresholds = [1] });

        var error = act.Should().Throw<DeviceMismatchException>().Which;
        error.ExpectedDevice.Should().Be("meta");
        error.ActualDevice.Should().Be("cpu");
    }

    [Fact]
    public void Objective_evaluation_checks_the_device_option_too()
    {
        using var model = new TinyConvNet(seed: 3);
        using var images = torch.full([1, 3, 16, 16], 0.5f);

        var act = () => ObjectiveEvaluator.Evaluate(model, ObjectiveExpression.Parse("conv2:1"), images, new RenderOptions { Transforms = [], Device = torch.device("meta") });

        act.Should().Throw<DeviceMismatchException>().WithMessage("*meta*cpu*");
    }

    [Fact]
    public void A_model_split_across_devices_is_refused_naming_both()
    {
        using var a = nn.Linear(2, 2);
        using var b = nn.Linear(2, 2);
        b.to(torch.device("meta"));
        using var model = nn.Sequential(("a", a), ("b", b));

        var act = () => TorchDevices.ModelDevice(model);

        act.Should().Throw<DeviceMismatchException>().WithMessage("*'a.weight' is on cpu and 'b.weight' on meta*");
    }

    [SkippableFact]
    public void A_custom_parameterisation_on_the_cpu_for_a_model_elsewhere_is_a_device_error_not_a_size_error()
    {
        var device = StandInDevice.Require();
        using var model = new TinyConvNet(seed: 3);
        model.to(device);
        var options = new RenderOptions { Parameterization = ParameterizationFactory.From(g => new TestPixelParameterization(16, g)), Transforms = [], Thresholds = [1] };

        var act = () => Renderer.Render(model, "conv2:1", options);

        var error = act.Should().Throw<DeviceMismatchException>().Which;
        error.Message.Should().Contain("test_pixel").And.Contain("cpu").And.Contain("lazy:0").And.Contain("device:");
    }

    [SkippableFact]
    public void A_transform_that_moves_the_image_to_the_cpu_is_a_device_error()
    {
        var device = StandInDevice.Require();
        using var model = new TinyConvNet(seed: 3);
        model.to(device);
        var options = new RenderOptions
        {
            Parameterization = ParameterizationFactory.From(g => ImageParameterizations.Image(16, generator: g, device: device)),
            Transforms = [Lucent.Net.Transforms.Transform.FromDelegate("to_cpu", (image, _) => image.cpu())],
            Thresholds = [1],
        };

        var act = () => Renderer.Render(model, "conv2:1", options);

        act.Should().Throw<DeviceMismatchException>().WithMessage("*input at step 1*cpu*lazy:0*");
    }

    [Fact]
    public void Device_text_is_parsed_and_bad_text_or_missing_cuda_is_a_clear_error()
    {
        TorchDevices.Parse("cpu").type.Should().Be(DeviceType.CPU);
        TorchDevices.Parse(" CPU ").type.Should().Be(DeviceType.CPU);
        TorchDevices.Parse("auto").type.Should().Be(torch.cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU);
        TorchDevices.Parse(null).type.Should().Be(torch.cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU);
        TorchDevices.Describe(torch.CPU).Should().Be("cpu");
        TorchDevices.Describe(torch.device("meta")).Should().Be("meta");

        foreach (string bad in new[] { "gpu", "cuda:", "cuda:-1", "cuda:x", "cpu:0" })
        {
            var parse = () => TorchDevices.Parse(bad);
            parse.Should().Throw<ArgumentException>().WithMessage($"Unknown device '{bad}': use auto, cpu, cuda or cuda:N*");
            TorchDevices.IsWellFormed(bad).Should().BeFalse(bad);
        }

        foreach (string? good in new[] { "auto", " CPU ", "cuda", "CUDA:3", "", null })
        {
            TorchDevices.IsWellFormed(good).Should().BeTrue(good ?? "null means auto");
        }

        if (!torch.cuda.is_available())
        {
            var cuda = () => TorchDevices.Parse("cuda:1");
            cuda.Should().Throw<DeviceUnavailableException>().WithMessage("CUDA is not available*-p:TorchBackend=cuda*").Which.Device.Should().Be("cuda:1");
        }
    }
}
