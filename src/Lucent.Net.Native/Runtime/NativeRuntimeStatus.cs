namespace Lucent.Net.Runtime;

/// <summary>What <see cref="LucentRuntime.EnsureInitialized"/> had to do to make TorchSharp load.</summary>
public enum NativeRuntimeAction
{
    /// <summary>Nothing: the native library loads as shipped (or the platform needs no preparation).</summary>
    None,

    /// <summary>A compatibility copy of <c>libLibTorchSharp.so</c> was written to the user cache and loaded.</summary>
    LoadedCompatibilityCopy,
}

/// <summary>The outcome of preparing TorchSharp's native runtime.</summary>
/// <param name="Action">What was done.</param>
/// <param name="LibraryPath">The native TorchSharp library that was loaded, when known.</param>
/// <param name="Description">A sentence describing what was done, suitable for logs.</param>
public sealed record NativeRuntimeStatus(NativeRuntimeAction Action, string? LibraryPath, string Description);

/// <summary>TorchSharp's native runtime cannot be loaded on this system; the message says why and what to do.</summary>
public sealed class NativeRuntimeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NativeRuntimeException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    public NativeRuntimeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    /// <param name="innerException">The underlying failure.</param>
    public NativeRuntimeException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
