using System.Globalization;

namespace Lucent.Net.Runtime;

/// <summary>One convolution the kernel probe found wrong.</summary>
/// <param name="Case">The shape, e.g. <c>mixed4b 508->112 1x1 s1 p0 @14 x1</c>.</param>
/// <param name="Layout"><c>channels-first</c> or <c>channels-last</c> input.</param>
/// <param name="Pass"><c>forward</c> or <c>input gradient</c>.</param>
/// <param name="DataType"><c>float32</c> or <c>bfloat16</c>.</param>
/// <param name="RelativeError">Largest absolute error divided by the largest magnitude of the float64 result.</param>
/// <param name="Tolerance">The largest relative error accepted for this data type.</param>
public sealed record KernelProbeFailure(string Case, string Layout, string Pass, string DataType, double RelativeError, double Tolerance)
{
    /// <summary>A one-line description.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{DataType} {Pass} {Layout} {Case}: relative error {RelativeError:G3} (tolerance {Tolerance:G3})");
}

/// <summary>What one run of the convolution probe found.</summary>
/// <param name="Failures">Every convolution that was wrong; empty when all were right.</param>
/// <param name="MaxFloat32Error">The largest float32 relative error seen.</param>
/// <param name="MaxBFloat16Error">The largest bfloat16 relative error seen; null when bfloat16 was not probed.</param>
/// <param name="Float32Cases">How many float32 shapes were checked (each in two layouts, forward and input gradient).</param>
/// <param name="BFloat16Cases">How many bfloat16 shapes were checked.</param>
/// <param name="Threads">LibTorch's intra-op thread count during the probe.</param>
/// <param name="Duration">How long the probe took.</param>
public sealed record KernelProbeReport(
    IReadOnlyList<KernelProbeFailure> Failures,
    double MaxFloat32Error,
    double? MaxBFloat16Error,
    int Float32Cases,
    int BFloat16Cases,
    int Threads,
    TimeSpan Duration)
{
    /// <summary>Whether every float32 convolution was right.</summary>
    public bool Float32Correct => !Failures.Any(f => f.DataType == "float32");

    /// <summary>Whether every bfloat16 convolution was right (true when none was probed).</summary>
    public bool BFloat16Correct => !Failures.Any(f => f.DataType == "bfloat16");
}
