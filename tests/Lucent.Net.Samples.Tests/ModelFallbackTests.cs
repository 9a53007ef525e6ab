using ActivationMaximization;

namespace Lucent.Net.Samples.Tests;

public class ModelFallbackTests
{
    [Fact]
    public async Task Without_InceptionV1_weights_and_no_model_named_the_app_says_so_in_one_line_and_uses_ResNet18()
    {
        string folder = TestSupport.NewTempFolder("am-fallback");
        try
        {
            var (code, output) = await TestSupport.RunAppAsync(TestSupport.OfflineEnvironment(folder), "layers");

            code.Should().Be(0, output);
            var lines = output.Split('\n');
            lines.Count(l => l.Contains("InceptionV1 weights unavailable", StringComparison.Ordinal)).Should().Be(1);
            lines.Single(l => l.Contains("InceptionV1 weights unavailable", StringComparison.Ordinal))
                .Should().Contain(Path.Combine(folder, "inception5h.pth")).And.Contain("--weights").And.Contain("ResNet-18");
            output.Should().Contain("ResNet-18 (pretrained").And.Contain("layer3").And.Contain("1, 256, 14, 14").And.Contain("mixed4a");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Bf16_runs_the_model_in_bfloat16_and_still_writes_float_images()
    {
        string folder = TestSupport.NewTempFolder("am-bf16");
        try
        {
            string output = Path.Combine(folder, "out");
            var (code, text) = await TestSupport.RunAppAsync(TestSupport.OfflineEnvironment(folder), "part1", "--quick", "--bf16", "--no-progress", "--out", output);

            code.Should().Be(0, text);
            text.Should().Contain("ResNet-18 (pretrained").And.Contain(", in bfloat16, on cpu.");
            Directory.GetFiles(output, "*.png", SearchOption.AllDirectories).Should().HaveCountGreaterThanOrEqualTo(10);
            App.TryParse(["all"], out var plain, out _).Should().BeTrue();
            plain!.BFloat16.Should().BeFalse("float32 is the default");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Asking_for_InceptionV1_without_weights_fails_clearly_instead_of_rendering_random_weights()
    {
        string folder = TestSupport.NewTempFolder("am-noweights");
        try
        {
            var (code, output) = await TestSupport.RunAppAsync(TestSupport.OfflineEnvironment(folder), "part1", "--model", "inceptionv1", "--out", Path.Combine(folder, "out"));

            code.Should().Be(App.ErrorExitCode);
            output.Should().Contain("error: InceptionV1's pretrained weights are not available").And.Contain("--weights").And.Contain("--model resnet18");
            Directory.Exists(Path.Combine(folder, "out")).Should().BeFalse("nothing is rendered");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Random_weights_only_when_asked_explicitly()
    {
        string folder = TestSupport.NewTempFolder("am-random");
        try
        {
            var (code, output) = await TestSupport.RunAppAsync(TestSupport.OfflineEnvironment(folder), "layers", "--model", "inceptionv1", "--allow-random-weights");

            code.Should().Be(0, output);
            output.Should().Contain("RANDOM weights").And.Contain("mixed4a").And.Contain("1, 508, 14, 14");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
