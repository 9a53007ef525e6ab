using Lucent.Net.Runtime;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Runtime;

/// <summary>The convolution probe against float64, with LibTorch's kernels and with injected faults.</summary>
public sealed class ConvolutionProbeTests
{
    private static readonly ConvolutionCase[] SmallCases =
    [
        new("test 1x1", 1, 16, 8, 1, 1, 0, 6),
        new("test 3x3", 2, 8, 12, 3, 1, 1, 7),
        new("test 5x5 s2", 1, 6, 4, 5, 2, 2, 9),
    ];

    /// <summary>
    /// A convolution that is right on every CPU: computed in float64 (LibTorch's im2col + BLAS path, not
    /// oneDNN) and rounded to the input's type. The injected faults below start from it, so the tests do
    /// not depend on this machine's float32 kernels.
    /// </summary>
    internal static Tensor RightConvolution(Tensor input, Tensor weight, Tensor? bias, long stride, long padding) =>
        ConvolutionProbe.LibTorchConvolution(input.to(float64), weight.to(float64), bias?.to(float64), stride, padding).to(input.dtype);

    [Fact]
    public void The_kernels_this_process_runs_pass_the_full_float32_probe()
    {
        LucentRuntime.EnsureInitialized();
        var verdict = LucentRuntime.Kernels;
        verdict.Should().NotBeNull();
        verdict!.Float32Correct.Should().BeTrue(verdict.Description);

        var report = ConvolutionProbe.Run(bfloat16Cases: []);
        report.Failures.Should().BeEmpty($"the self-check chose {verdict.Configuration}: {verdict.Description}");
        report.MaxFloat32Error.Should().BeLessThan(ConvolutionProbe.Float32Tolerance);
        report.Float32Cases.Should().BeGreaterThan(50, "every InceptionV1 and ResNet-18 convolution shape is probed");
    }

    [Fact]
    public void The_reproduction_from_the_bug_report_is_right_in_a_process_that_references_Lucent_Net()
    {
        LucentRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        using var generator = new Generator(0, CPU);
        var x = randn([1, 508, 14, 14], generator: generator).relu();
        var w = randn([112, 508, 1, 1], generator: generator) * (1.0 / Math.Sqrt(508));
        var b = randn([112], generator: generator) * 0.1;
        var y64 = nn.functional.conv2d(x.to(float64), w.to(float64), b.to(float64));
        var channelsLast = x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        double error = (nn.functional.conv2d(channelsLast, w, b).to(float64) - y64).abs().max().item<double>();
        error.Should().BeLessThan(1e-4);

        var x2 = randn([1, 24, 14, 14], generator: generator);
        var w2 = randn([64, 24, 5, 5], generator: generator) * 0.05;
        var r2 = nn.functional.conv2d(x2.to(float64), w2.to(float64), padding: [2, 2]);
        double error2 = (nn.functional.conv2d(x2, w2, padding: [2, 2]).to(float64) - r2).abs().max().item<double>();
        error2.Should().BeLessThan(1e-4);
    }

    [Fact]
    public void Float_rounding_passes()
    {
        // A convolution computed in float64 and rounded to float32 is as right as float32 can be.
        var report = ConvolutionProbe.Run(RightConvolution, SmallCases, []);
        report.Failures.Should().BeEmpty();
        report.MaxFloat32Error.Should().BeLessThan(1e-6);
    }

    [Fact]
    public void A_forward_fault_in_one_layout_is_found()
    {
        var report = ConvolutionProbe.Run(
            (input, weight, bias, stride, padding) =>
            {
                var y = RightConvolution(input, weight, bias, stride, padding);
                return input.stride(1) == 1 ? y + (1e-3 * y.detach().abs().max()) : y;
            },
            SmallCases,
            []);

        report.Float32Correct.Should().BeFalse();
        report.Failures.Should().HaveCount(SmallCases.Length)
            .And.OnlyContain(f => f.Layout == "channels-last" && f.Pass == "forward" && f.DataType == "float32");
        report.Failures[0].RelativeError.Should().BeApproximately(1e-3, 2e-4);
        report.Failures[0].ToString().Should().Contain("channels-last").And.Contain("test 1x1 16->8");
    }

    [Fact]
    public void A_fault_only_in_the_input_gradient_is_found()
    {
        // Right values, gradient of a convolution with 10% larger weights.
        var report = ConvolutionProbe.Run(
            (input, weight, bias, stride, padding) =>
            {
                var right = RightConvolution(input.detach(), weight, bias, stride, padding);
                var skewed = RightConvolution(input, weight * 1.1, null, stride, padding);
                return right + skewed - skewed.detach();
            },
            SmallCases,
            []);

        report.Failures.Should().HaveCount(2 * SmallCases.Length).And.OnlyContain(f => f.Pass == "input gradient");
    }

    [Fact]
    public void Non_finite_and_misshapen_outputs_are_faults()
    {
        var nan = ConvolutionProbe.Run(
            (input, weight, bias, stride, padding) =>
            {
                var y = RightConvolution(input, weight, bias, stride, padding);
                return y.index_fill(1, tensor(new long[] { 0 }), double.NaN);
            },
            SmallCases[..1],
            []);
        nan.Failures.Should().Contain(f => f.Pass == "forward" && double.IsPositiveInfinity(f.RelativeError));

        var misshapen = ConvolutionProbe.Run(
            (input, weight, bias, stride, padding) => RightConvolution(input, weight, bias, stride, padding + 1),
            SmallCases[..1],
            []);
        misshapen.Float32Correct.Should().BeFalse();
    }

    [Fact]
    public void Bfloat16_is_checked_with_its_own_tolerance()
    {
        ConvolutionCase[] cases = [new("test bf16", 1, 16, 8, 3, 1, 1, 6)];
        var right = ConvolutionProbe.Run(RightConvolution, [], cases);
        right.BFloat16Correct.Should().BeTrue();
        right.MaxBFloat16Error.Should().BeLessThan(ConvolutionProbe.BFloat16Tolerance);

        var wrong = ConvolutionProbe.Run(
            (input, weight, bias, stride, padding) => RightConvolution(input, weight, bias, stride, padding) * 1.2,
            [],
            cases);
        wrong.BFloat16Correct.Should().BeFalse();
        wrong.Float32Correct.Should().BeTrue();
        wrong.Failures.Should().OnlyContain(f => f.DataType == "bfloat16");
    }
}
