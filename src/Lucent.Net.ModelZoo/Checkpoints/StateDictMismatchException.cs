namespace Lucent.Net.ModelZoo.Checkpoints;

/// <summary>A tensor whose shape in the state dict differs from the module's.</summary>
/// <param name="Key">The parameter or buffer name.</param>
/// <param name="ModuleShape">The shape the module has.</param>
/// <param name="StateDictShape">The shape the state dict has.</param>
public sealed record TensorShapeMismatch(string Key, IReadOnlyList<long> ModuleShape, IReadOnlyList<long> StateDictShape)
{
    /// <summary>The mismatch as text, for example <c>conv.weight: module [4, 3, 3, 3], state dict [4, 3, 5, 5]</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
        => $"{Key}: module [{string.Join(", ", ModuleShape)}], state dict [{string.Join(", ", StateDictShape)}]";
}

/// <summary>
/// A state dict does not match a module: keys are missing or unexpected (in strict mode), or shapes differ
/// (always). Nothing was copied when this is thrown.
/// </summary>
public sealed class StateDictMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StateDictMismatchException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong.</param>
    public StateDictMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public StateDictMismatchException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception from the lists of problems.</summary>
    /// <param name="missingKeys">Module keys the state dict lacks.</param>
    /// <param name="unexpectedKeys">State dict keys the module lacks.</param>
    /// <param name="shapeMismatches">Keys present in both with different shapes.</param>
    public StateDictMismatchException(IReadOnlyList<string> missingKeys, IReadOnlyList<string> unexpectedKeys, IReadOnlyList<TensorShapeMismatch> shapeMismatches)
        : base(BuildMessage(missingKeys, unexpectedKeys, shapeMismatches))
    {
        MissingKeys = missingKeys;
        UnexpectedKeys = unexpectedKeys;
        ShapeMismatches = shapeMismatches;
    }

    /// <summary>Module parameters and buffers that the state dict lacks.</summary>
    public IReadOnlyList<string> MissingKeys { get; } = [];

    /// <summary>State dict entries that the module lacks.</summary>
    public IReadOnlyList<string> UnexpectedKeys { get; } = [];

    /// <summary>Entries present in both whose shapes differ.</summary>
    public IReadOnlyList<TensorShapeMismatch> ShapeMismatches { get; } = [];

    private static string BuildMessage(IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<TensorShapeMismatch> shapes)
    {
        var parts = new List<string>();
        if (missing.Count > 0)
        {
            parts.Add($"missing keys ({missing.Count}): {string.Join(", ", missing)}");
        }

        if (unexpected.Count > 0)
        {
            parts.Add($"unexpected keys ({unexpected.Count}): {string.Join(", ", unexpected)}");
        }

        if (shapes.Count > 0)
        {
            parts.Add($"shape mismatches ({shapes.Count}): {string.Join("; ", shapes)}");
        }

        return "The state dict does not match the module, so nothing was loaded: " + string.Join(". ", parts)
            + ". Check that the checkpoint belongs to this architecture; pass strict: false to ignore missing and unexpected keys (shapes must always match).";
    }
}
