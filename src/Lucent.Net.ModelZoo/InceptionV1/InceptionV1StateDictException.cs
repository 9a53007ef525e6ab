namespace Lucent.Net.ModelZoo.InceptionV1;

/// <summary>
/// A state dict does not fit <see cref="InceptionV1Model"/>: keys are missing or unexpected, or
/// tensors have the wrong shape. Nothing was loaded.
/// </summary>
public sealed class InceptionV1StateDictException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public InceptionV1StateDictException()
        : this("The state dict does not fit InceptionV1.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public InceptionV1StateDictException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public InceptionV1StateDictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception from the differences found.</summary>
    /// <param name="missingKeys">Model parameters the state dict lacks.</param>
    /// <param name="unexpectedKeys">State dict keys that are not model parameters.</param>
    /// <param name="mismatchedShapes">One line per parameter whose shape differs.</param>
    public InceptionV1StateDictException(
        IReadOnlyList<string> missingKeys,
        IReadOnlyList<string> unexpectedKeys,
        IReadOnlyList<string> mismatchedShapes)
        : base(BuildMessage(missingKeys, unexpectedKeys, mismatchedShapes))
    {
        MissingKeys = missingKeys;
        UnexpectedKeys = unexpectedKeys;
        MismatchedShapes = mismatchedShapes;
    }

    /// <summary>Model parameters the state dict lacks.</summary>
    public IReadOnlyList<string> MissingKeys { get; } = [];

    /// <summary>State dict keys that are not model parameters.</summary>
    public IReadOnlyList<string> UnexpectedKeys { get; } = [];

    /// <summary>One line per parameter whose shape differs: name, expected and given shape.</summary>
    public IReadOnlyList<string> MismatchedShapes { get; } = [];

    private static string BuildMessage(
        IReadOnlyList<string> missingKeys,
        IReadOnlyList<string> unexpectedKeys,
        IReadOnlyList<string> mismatchedShapes)
    {
        ArgumentNullException.ThrowIfNull(missingKeys);
        ArgumentNullException.ThrowIfNull(unexpectedKeys);
        ArgumentNullException.ThrowIfNull(mismatchedShapes);
        var lines = new List<string>
        {
            "The state dict does not fit InceptionV1 (Lucent's inception5h: keys '<layer>_pre_relu_conv.weight'/'.bias' and 'softmax2_pre_activation_matmul.weight'/'.bias', 116 tensors); nothing was loaded.",
        };
        AddSection(lines, "Missing keys", missingKeys);
        AddSection(lines, "Unexpected keys", unexpectedKeys);
        AddSection(lines, "Shape mismatches", mismatchedShapes);
        lines.Add("Check that the file is Lucent's inception5h.pth; pass strict: false to load a partial state dict.");
        return string.Join(Environment.NewLine, lines);
    }

    private static void AddSection(List<string> lines, string title, IReadOnlyList<string> items)
    {
        if (items.Count == 0)
        {
            return;
        }

        const int Shown = 20;
        lines.Add($"{title} ({items.Count}): {string.Join(", ", items.Take(Shown))}{(items.Count > Shown ? ", ..." : string.Empty)}");
    }
}
