namespace Lucent.Net.Activations;

/// <summary>An objective or hook asked for a layer the model does not have.</summary>
public sealed class UnknownLayerException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public UnknownLayerException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong.</param>
    public UnknownLayerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public UnknownLayerException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="layer"/>, listing the closest of <paramref name="knownLayers"/>.</summary>
    /// <param name="layer">The name asked for.</param>
    /// <param name="knownLayers">Every valid name.</param>
    public UnknownLayerException(string layer, IEnumerable<string> knownLayers)
        : base(BuildMessage(layer, knownLayers))
    {
        Layer = layer;
    }

    /// <summary>The name that was asked for.</summary>
    public string? Layer { get; }

    private static string BuildMessage(string layer, IEnumerable<string> knownLayers)
    {
        var known = knownLayers.ToList();
        var closest = LayerNameMatcher.Closest(layer, known, 5);
        string suggestion = closest.Count > 0 ? $" Did you mean: {string.Join(", ", closest)}?" : string.Empty;
        return $"Unknown layer '{layer}'.{suggestion} The model has {known.Count} layers; list them all with ModelLayers.Describe(model, ...) (or the sample's 'layers' command).";
    }
}
