using Lucent.Net.Devices;
using Lucent.Net.ModelZoo.InceptionV1;
using Lucent.Net.ModelZoo.Tests.InceptionV1;
using Lucent.Net.Rendering;
using TorchSharp;

namespace Lucent.Net.ModelZoo.Tests.Gpu;

/// <summary>
/// Runs only where CUDA is available (an app or test build with -p:TorchBackend=cuda on a machine with an NVIDIA
/// GPU; docs/gpu.md); skipped, saying why, everywhere else. Select with <c>--filter Category=Gpu</c>.
/// </summary>
public class CudaRenderTests
{
    [SkippableFact]
    [Trait("Category", "Gpu")]
    public void InceptionV1_renders_on_cuda_and_its_first_steps_match_the_cpu_render()
    {
        Skip.IfNot(
            TorchDevices.IsCudaAvailable(),
            "CUDA is not available: these tests need the CUDA backend (dotnet test -p:TorchBackend=cuda) and an NVIDIA GPU.");
        var options = new RenderOptions { Thresholds = [1, 4], Seed = 3, FixedImageSize = (160, 160) };
        RenderResult onCpu;
        using (var cpuModel = new InceptionV1Model())
        {
            cpuModel.LoadStateDict(DeterministicInceptionV1.SharedStateDict);
            cpuModel.eval();
            onCpu = Renderer.Render(cpuModel, "mixed4a:5", options);
        }

        using var model = new InceptionV1Model();
        model.LoadStateDict(DeterministicInceptionV1.SharedStateDict);
        model.eval();
        model.to(torch.CUDA);
        var onCuda = Renderer.Render(model, "mixed4a:5", options with { Device = torch.CUDA });

        onCuda.StopReason.Should().Be(RenderStopReason.Completed);
        // Same seed, same initial image (drawn on the CPU and moved): the first step's image agrees closely;
        // later steps drift apart slowly because CUDA's convolutions round differently (docs/gpu.md).
        MaxDifference(onCuda.Snapshots[0].Images.Pixels, onCpu.Snapshots[0].Images.Pixels).Should().BeLessThan(1e-2f);
        onCuda.Losses[0].Should().BeApproximately(onCpu.Losses[0], 1e-3 * Math.Max(1, Math.Abs(onCpu.Losses[0])));
        for (int step = 0; step < 4; step++)
        {
            onCuda.Losses[step].Should().BeApproximately(onCpu.Losses[step], 0.05 * Math.Max(1, Math.Abs(onCpu.Losses[step])), $"step {step + 1}");
        }
    }

    private static float MaxDifference(float[] a, float[] b)
    {
        float max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }
}
