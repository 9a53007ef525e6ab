using TorchSharp;
using static TorchSharp.torch;

namespace Lucent.Net.Analysis;

/// <summary>Element types the analysis helpers accept and return.</summary>
internal static class AnalysisTypes
{
    /// <summary>Whether <paramref name="type"/> holds real numbers (floating point or integer, not bool or complex).</summary>
    public static bool IsReal(ScalarType type) =>
        type != ScalarType.Bool && !torch.is_complex(type) && (torch.is_floating_point(type) || torch.is_integral(type));

    /// <summary>The type of a result computed from <paramref name="input"/>: the input's floating type, float64 otherwise.</summary>
    public static ScalarType ResultType(ScalarType input) => torch.is_floating_point(input) ? input : ScalarType.Float64;
}
