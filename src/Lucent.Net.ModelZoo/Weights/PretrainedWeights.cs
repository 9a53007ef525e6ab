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

    /// <summary>
    /// The git blob id of Lucent's <c>inception5h.pth</c> in ProGamerGov/pytorch-old-tensorflow-models (branch master,
    /// unchanged since April 2020): the SHA-1 of <c>"blob " + size + "\0"</c> followed by the file's bytes.
    /// </summary>
    public const string InceptionV1GitBlobSha1 = "119f77db85c8352960933e025312b507d9a96ed7";

    /// <summary>
    /// The most bytes accepted for <c>inception5h.pth</c>: 32 MiB. Its 7,066,380 float32 parameters take 28,265,520
    /// bytes; the legacy format adds a few kilobytes.
    /// </summary>
    public const long InceptionV1MaxSize = 32L << 20;

    /// <summary>Describes a weight file.</summary>
    /// <param name="name">A short name such as <c>InceptionV1</c>; it also names the environment variable <c>LUCENT_NET_WEIGHTS_&lt;NAME&gt;</c>.</param>
    /// <param name="fileName">The file name used in folders and the cache, such as <c>inception5h.pth</c>.</param>
    /// <param name="url">Where to download the file from.</param>
    /// <param name="copyFrom">The descriptor whose pins and validator are copied.</param>
    private PretrainedWeights(string name, string fileName, Uri url, PretrainedWeights copyFrom)
        : this(name, fileName, url)
    {
        ExpectedSize = copyFrom.ExpectedSize;
        MaxSize = copyFrom.MaxSize;
        Sha256 = copyFrom.Sha256;
        GitBlobSha1 = copyFrom.GitBlobSha1;
        Validator = copyFrom.Validator;
    }

    /// <summary>
    /// The weights of Lucent's InceptionV1 (Lucid's GoogLeNet, "inception5h"), as a PyTorch state dict of 116 tensors,
    /// pinned by its git blob id (<see cref="InceptionV1GitBlobSha1"/>) and at most <see cref="InceptionV1MaxSize"/> bytes.
    /// </summary>
    public static PretrainedWeights InceptionV1 { get; } = new(
        "InceptionV1",
        "inception5h.pth",
        new Uri("https://github.com/ProGamerGov/pytorch-old-tensorflow-models/raw/master/inception5h.pth"))
    {
        GitBlobSha1 = InceptionV1GitBlobSha1,
        MaxSize = InceptionV1MaxSize,
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
    /// The file's git blob id as hexadecimal when pinned (the SHA-1 of <c>"blob " + size + "\0"</c> and the bytes, as
    /// <c>git hash-object</c> prints it); null when not checked. Lets a file be pinned from its repository alone.
    /// </summary>
    public string? GitBlobSha1 { get; init; }

    /// <summary>
    /// The most bytes the file may have when its exact size (<see cref="ExpectedSize"/>) is not pinned; null for the
    /// store's <see cref="WeightStoreOptions.MaxDownloadBytes"/>. A download stops as soon as it passes this.
    /// </summary>
    public long? MaxSize { get; init; }

    /// <summary>Whether the file is pinned by a hash (<see cref="Sha256"/> or <see cref="GitBlobSha1"/>).</summary>
    public bool IsPinned => Sha256 is not null || GitBlobSha1 is not null;

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

    /// <summary>
    /// The same file (name, pins, validator) from another address, for example a mirror inside a network without
    /// internet access. The pins still decide what is accepted.
    /// </summary>
    /// <param name="url">Where to download the file from.</param>
    /// <returns>A copy of this descriptor with <paramref name="url"/>.</returns>
    public PretrainedWeights WithUrl(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return new PretrainedWeights(Name, FileName, url, this);
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
