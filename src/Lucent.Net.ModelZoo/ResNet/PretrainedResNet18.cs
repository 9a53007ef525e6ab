using Lucent.Net.ModelZoo.Onnx;
using Onnx;

namespace Lucent.Net.ModelZoo.ResNet;

/// <summary>
/// Loads the ImageNet-trained ResNet-18 that installs with NuGet: the ONNX file of package
/// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> 0.23.1 (a dependency of Lucent.Net.ModelZoo, of
/// which only the file is used), imported with <see cref="OnnxModel"/>.
/// </summary>
public static class PretrainedResNet18
{
    /// <summary>The NuGet package that ships the model file.</summary>
    public const string PackageId = "Microsoft.ML.DnnImageFeaturizer.ResNet18";

    /// <summary>The package version Lucent.Net.ModelZoo references.</summary>
    public const string PackageVersion = "0.23.1";

    /// <summary>The file's path relative to the application folder (where the package's build props copy it).</summary>
    public static readonly string RelativePath = Path.Combine("DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");

    /// <summary>
    /// The preprocessing this model was trained with: channels reordered to BGR, scaled to 0..255,
    /// minus the per-channel mean (B 103.06, G 115.90, R 123.15), the channel means of the mean image in
    /// the package's own <c>ResNetPreprocess.onnx</c>. See docs/onnx-and-resnet18.md for the evidence.
    /// </summary>
    public static ResNetPreprocessing DefaultPreprocessing { get; } = new(ChannelOrder.Bgr, [103.06, 115.90, 123.15]);

    /// <summary>Loads the model.</summary>
    /// <param name="options">Options; <c>null</c> for the defaults.</param>
    /// <returns>A new module in evaluation mode on the CPU; the caller owns (disposes) it.</returns>
    /// <exception cref="FileNotFoundException">The model file was not found; the message lists where it was looked for.</exception>
    /// <exception cref="OnnxImportException">The file is not the expected ResNet graph.</exception>
    public static ResNet18Model Load(ResNet18Options? options = null)
    {
        options ??= new ResNet18Options();
        var path = FindModelFile(options.ModelPath);
        ModelProto model;
        using (var stream = File.OpenRead(path))
        {
            try
            {
                model = ModelProto.Parser.ParseFrom(stream);
            }
            catch (Google.Protobuf.InvalidProtocolBufferException ex)
            {
                throw new OnnxImportException($"'{path}' is not a valid ONNX model ({ex.Message}). Delete it so that NuGet restores it again.", ex);
            }
        }

        var importOptions = new OnnxImportOptions { UseRedirectedRelu = options.UseRedirectedRelu, UseChannelsLast = options.UseChannelsLast, ModuleName = "resnet18" };
        return new ResNet18Model(model, importOptions, options.Preprocessing ?? DefaultPreprocessing, path);
    }

    /// <summary>
    /// Finds <c>ResNet18.onnx</c>: the explicit path when given; else the application folder
    /// (<c>DnnImageModels/ResNet18Onnx/ResNet18.onnx</c>, copied there at build time), then the NuGet
    /// package cache (<c>NUGET_PACKAGES</c> or <c>~/.nuget/packages</c>).
    /// </summary>
    /// <param name="explicitPath">A path to use instead of searching; it must exist.</param>
    /// <returns>The full path of the file.</returns>
    /// <exception cref="FileNotFoundException">No file was found; the message lists the places searched and how to fix it.</exception>
    public static string FindModelFile(string? explicitPath = null)
    {
        if (explicitPath is not null)
        {
            return File.Exists(explicitPath)
                ? Path.GetFullPath(explicitPath)
                : throw new FileNotFoundException($"ResNet-18 model file '{explicitPath}' (ResNet18Options.ModelPath) does not exist.", explicitPath);
        }

        var candidates = CandidatePaths().ToList();
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(
            "The pretrained ResNet-18 file (ResNet18.onnx) was not found. Looked in: " + string.Join("; ", candidates) + ". " +
            $"It comes from NuGet package {PackageId} {PackageVersion}, which Lucent.Net.ModelZoo references: restore and build the " +
            $"application so that it is copied to '{RelativePath}' in the output folder, or add <PackageReference Include=\"{PackageId}\" " +
            $"Version=\"{PackageVersion}\" IncludeAssets=\"build\" /> to the application, or set ResNet18Options.ModelPath.",
            "ResNet18.onnx");
    }

    private static IEnumerable<string> CandidatePaths()
    {
        yield return Path.Combine(AppContext.BaseDirectory, RelativePath);
        var packageRelative = Path.Combine(PackageId.ToLowerInvariant(), PackageVersion, "tools", "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");
        var nugetPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (!string.IsNullOrEmpty(nugetPackages))
        {
            yield return Path.Combine(nugetPackages, packageRelative);
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!string.IsNullOrEmpty(home))
        {
            yield return Path.Combine(home, ".nuget", "packages", packageRelative);
        }
    }
}
