namespace Lucent.Net.ModelZoo.Weights;

/// <summary>How far a weight download has come.</summary>
/// <param name="BytesReceived">Bytes received so far.</param>
/// <param name="TotalBytes">The full size when the server said it (Content-Length); otherwise null.</param>
public readonly record struct DownloadProgress(long BytesReceived, long? TotalBytes)
{
    /// <summary>The fraction done between 0 and 1, or null when the total is unknown.</summary>
    public double? Fraction => TotalBytes is > 0 ? (double)BytesReceived / TotalBytes.Value : null;
}
