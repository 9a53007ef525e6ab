using ActivationMaximization;

namespace Lucent.Net.Samples.Tests;

public class DeviceOptionTests
{
    private static readonly AppEnvironment Environment = new() { AllowLiveDisplay = false };

    [Theory]
    [InlineData(new string[0], "auto")]
    [InlineData(new[] { "--device", "cpu" }, "cpu")]
    [InlineData(new[] { "all", "--device", "cuda:1" }, "cuda:1")]
    [InlineData(new[] { "--device", "CUDA" }, "CUDA")]
    public void Device_defaults_to_auto_and_parses(string[] args, string expected)
    {
        App.TryParse(args, out var settings, out var errors).Should().BeTrue(string.Join("; ", errors));
        settings!.Device.Should().Be(expected);
    }

    [Fact]
    public void A_bad_device_is_a_usage_error()
    {
        App.TryParse(["--device", "gpu"], out _, out var errors).Should().BeFalse();
        errors.Should().Contain("--device must be auto, cpu, cuda or cuda:N; got 'gpu'.");
    }

    [SkippableFact]
    public async Task Cuda_without_cuda_exits_non_zero_with_one_line_saying_how_to_get_the_backend()
    {
        Skip.If(TorchSharp.torch.cuda.is_available(), "CUDA is available here, so --device cuda does not fail.");

        var (code, output) = await TestSupport.RunAppAsync(Environment, "layers", "--device", "cuda", "--model", "resnet18");

        code.Should().Be(App.ErrorExitCode);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.Should().ContainSingle(l => l.StartsWith("error: CUDA is not available", StringComparison.Ordinal))
            .Which.Should().Contain("-p:TorchBackend=cuda").And.Contain("TorchSharp-cuda-linux");
    }
}
