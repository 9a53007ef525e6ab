using ActivationMaximization;
using Lucent.Net.ModelZoo.Weights;

namespace Lucent.Net.Samples.Tests;

/// <summary>Helpers shared by the sample's tests.</summary>
internal static class TestSupport
{
    /// <summary>A fresh empty folder under the system temp folder.</summary>
    public static string NewTempFolder(string prefix)
    {
        string path = Path.Combine(Path.GetTempPath(), prefix + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>An environment where InceptionV1's weights are certainly missing and nothing is downloaded.</summary>
    public static AppEnvironment OfflineEnvironment(string cacheFolder) => new()
    {
        AllowLiveDisplay = false,
        WeightStore = new WeightStoreOptions
        {
            CacheDirectory = cacheFolder,
            AllowDownload = false,
            GetEnvironmentVariable = _ => null,
        },
    };

    /// <summary>Runs the app in-process and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAppAsync(AppEnvironment environment, params string[] args)
    {
        using var writer = new StringWriter();
        int code = await App.RunAsync(args, writer, environment, CancellationToken.None);
        return (code, writer.ToString());
    }

    /// <summary>Width and height from a PNG file's IHDR chunk.</summary>
    public static (int Width, int Height) PngSize(string path)
    {
        byte[] header = new byte[24];
        using (var stream = File.OpenRead(path))
        {
            stream.ReadExactly(header);
        }

        header.AsSpan(0, 8).ToArray().Should().Equal([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], $"{path} must be a PNG file");
        int width = (header[16] << 24) | (header[17] << 16) | (header[18] << 8) | header[19];
        int height = (header[20] << 24) | (header[21] << 16) | (header[22] << 8) | header[23];
        return (width, height);
    }
}
