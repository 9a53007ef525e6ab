namespace Lucent.Net.Runtime;

/// <summary>
/// What the kernel self-check decided for this process: which convolution kernels run, and whether
/// they were found correct against float64 (docs/cpu-correctness.md).
/// </summary>
/// <param name="Configuration">The kernels in use.</param>
/// <param name="Checked">False when the check was turned off (<c>LUCENT_NET_KERNEL_CHECK=0</c>): nothing was verified.</param>
/// <param name="Float32Correct">Whether float32 convolutions were right in <paramref name="Configuration"/>.</param>
/// <param name="BFloat16Correct">Whether bfloat16 convolutions were right in <paramref name="Configuration"/>; null until a bfloat16 model is first rendered (bfloat16 is probed then, once per machine).</param>
/// <param name="FromCache">Whether the decision came from the per-machine cache (confirmed by a short probe) rather than a full probe in this process.</param>
/// <param name="AsShippedFailures">What LibTorch as shipped got wrong on this machine (found by this process or an earlier one); empty when it was right or not probed.</param>
/// <param name="Probe">The full probe this process ran of <paramref name="Configuration"/>, or null when the decision was cached or the check was off.</param>
/// <param name="NextStartTries">A faster configuration that could not be tried in this process (oneDNN reads its instruction-set cap once) and will be probed at the next start; null when none is left.</param>
/// <param name="Description">One line for logs saying what was found and done.</param>
public sealed record KernelVerdict(
    KernelConfiguration Configuration,
    bool Checked,
    bool Float32Correct,
    bool? BFloat16Correct,
    bool FromCache,
    IReadOnlyList<KernelProbeFailure> AsShippedFailures,
    KernelProbeReport? Probe,
    KernelConfiguration? NextStartTries,
    string Description)
{
    /// <summary>Whether LibTorch runs differently from how it ships, because its kernels were wrong here.</summary>
    public bool IsWorkaroundActive => Configuration != KernelConfiguration.AsShipped;
}

/// <summary>
/// LibTorch's convolutions compute wrong results on this machine in every configuration tried (or in
/// the one forced by <c>LUCENT_NET_KERNELS</c>), so Lucent.Net refuses to render rather than return a
/// wrong image. The message lists what was wrong and the overrides.
/// </summary>
public sealed class KernelCheckException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KernelCheckException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong and what to do.</param>
    public KernelCheckException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What was wrong and what to do.</param>
    /// <param name="innerException">The underlying failure.</param>
    public KernelCheckException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
