using TorchSharp;

namespace Lucent.Net.ModelZoo.Onnx.Operators;

/// <summary>Checks an operator's axis against the rank of the tensor it meets, so a wrong axis fails with the node's name.</summary>
internal static class AxisCheck
{
    /// <summary>Fails unless <paramref name="axis"/> is in [-rank, rank) (or [-rank, rank] when <paramref name="inclusiveEnd"/>).</summary>
    public static void Require(torch.nn.Module node, long axis, long rank, bool inclusiveEnd)
    {
        long high = inclusiveEnd ? rank : rank - 1;
        if (axis < -rank || axis > high)
        {
            throw new InvalidOperationException(
                $"Node '{node.GetName()}': axis {axis} is out of range for a rank-{rank} input (allowed {-rank} to {high}).");
        }
    }
}
