namespace Lucent.Net.ModelZoo.Checkpoints;

/// <summary>Options for <see cref="PyTorchCheckpoint.ReadStateDict(string, CheckpointReadOptions?)"/>.</summary>
public sealed class CheckpointReadOptions
{
    /// <summary>Options with every default: floating-point tensors become float32.</summary>
    public static CheckpointReadOptions Default { get; } = new();

    /// <summary>
    /// When false (the default), floating-point tensors (float16, bfloat16, float64) are converted to float32,
    /// the type Lucent.Net's models compute in; integer and bool tensors keep their type either way. When true,
    /// every tensor keeps the type it was saved with.
    /// </summary>
    public bool KeepOriginalDType { get; init; }
}
