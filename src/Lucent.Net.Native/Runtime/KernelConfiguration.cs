namespace Lucent.Net.Runtime;

/// <summary>
/// Which convolution kernels LibTorch runs in this process. LibTorch's oneDNN (MKL-DNN) kernels are
/// wrong for some shapes on some CPUs (docs/cpu-correctness.md); the kernel self-check picks the
/// fastest configuration that computes convolutions correctly here.
/// </summary>
public enum KernelConfiguration
{
    /// <summary>LibTorch as shipped: oneDNN at the best instruction set the CPU offers (or at the cap the environment sets).</summary>
    AsShipped,

    /// <summary>oneDNN capped at AVX2 (<c>ONEDNN_MAX_CPU_ISA=AVX2</c>, set before its first primitive).</summary>
    OneDnnAvx2,

    /// <summary>oneDNN off (<c>torch.backends.mkldnn.enabled = False</c>): LibTorch's own im2col + BLAS convolutions.</summary>
    NativeKernels,
}
