using System.Globalization;
using System.Text;
using Lucent.Net.ModelZoo.Checkpoints;

namespace Lucent.Net.ModelZoo.Weights;

/// <summary>
/// Describes a pretrained weight file that <see cref="WeightStore"/> can find or download: its name, file
/// name, download URL and how to recognise a good copy.
/// </summary>
public sealed class PretrainedWeights
{
    /// <summary>Number of tensors in Lucent's InceptionV1 state dict (inception5h.pth).</summary>
    public const int InceptionV1TensorCount = 116;

    /// <summary>Describes a weight file.</summary>
    /// <param name="name">A short name such as <c>InceptionV1</c>; it also names the environment variable <c>LUCENT_NET_WEIGHTS_&lt;NAME&gt;</c>.</param>
    /// <param name="fileName">The file name used in folders and the cache, such as <c>inception5h.pth</c>.</param>
    /// <param name="url">Where to download the file from.</param>
    public PretrainedWeights(string name, string fileName, Uri url)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        ArgumentNullException.ThrowIfNull(url);
        if (fileName != Path.GetFileName(fileName) || fileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            throw new ArgumentException($"'{fileName}' is not a plain file name.", nameof(fileName));
        }

        Name = name;
        FileName = fileName;
        Url = url;
        EnvironmentVariable = "LUCENT_NET_WEIGHTS_" + ToEnvironmentName(name);
    }

    /// <summary>The weights of Lucent's InceptionV1 (Lucid's GoogLeNet, "inception5h"), as a PyTorch state dict of 116 tensors.</summary>
    public static PretrainedWeights InceptionV1 { get; } = new(
        "InceptionV1",
        "inception5h.pth",
        new Uri("https://github.com/ProGamerGov/pytorch-old-tensorflow-models/raw/master/inception5h.pth"))
    {
        Validator = path => RequireStateDict(path, InceptionV1TensorCount),
    };

    /// <summary>The short name, for example <c>InceptionV1</c>.</summary>
    public string Name { get; }

    /// <summary>The file name, for example <c>inception5h.pth</c>.</summary>
    public string FileName { get; }

    /// <summary>The download URL.</summary>
    public Uri Url { get; }

    /// <summary>The exact size in bytes when pinned; null when any size is accepted.</summary>
    public long? ExpectedSize { get; init; }

    /// <summary>The SHA-256 of the file as hexadecimal when pinned; null when not checked.</summary>
    public string? Sha256 { get; init; }

    /// <summary>
    /// Checks the structure of a downloaded file before it is put into the cache (for example that it reads as
    /// a state dict with the right number of tensors). It receives the file's path and throws any exception to
    /// reject it; the exception's message is shown to the user. Null when no check is needed.
    /// </summary>
    public Action<string>? Validator { get; init; }

    /// <summary>The environment variable that may hold this file's full path: <c>LUCENT_NET_WEIGHTS_</c> + the upper-case name.</summary>
    public string EnvironmentVariable { get; }

    /// <summary>
    /// A validator body: throws <see cref="CheckpointFormatException"/> unless the file at <paramref name="path"/>
    /// reads as a PyTorch state dict with <paramref name="tensorCount"/> tensors.
    /// </summary>
    /// <param name="path">The file to check.</param>
    /// <param name="tensorCount">The number of tensors required.</param>
    /// <exception cref="CheckpointFormatException">The file is not such a state dict.</exception>
    public static void RequireStateDict(string path, int tensorCount)
    {
        using var stateDict = PyTorchCheckpoint.ReadStateDict(path);
        if (stateDict.Count != tensorCount)
        {
            throw new CheckpointFormatException(
                $"The file is a state dict of {stateDict.Count} tensors, but {tensorCount} were expected.");
        }
    }

    /// <summary>The name as <see cref="Name"/>.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    private static string ToEnvironmentName(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (char c in name.ToUpperInvariant())
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        return builder.ToString();
    }

    internal static string FormatBytes(long bytes) => bytes.ToString("N0", CultureInfo.InvariantCulture) + " bytes";
}
