namespace Lucent.Net.ModelZoo.InceptionV1;

/// <summary>One hookable layer of <see cref="InceptionV1Model"/>.</summary>
/// <param name="Name">The hook name, as in Lucent (e.g. <c>mixed4a</c>, <c>mixed4a_3x3_pre_relu_conv</c>).</param>
/// <param name="Kind">What the layer computes.</param>
/// <param name="Channels">Output channels (features, for the linear and softmax layers).</param>
/// <param name="SpatialSizeAt224">
/// Output height and width for a 224x224 input; <see langword="null"/> for the linear and softmax
/// layers, whose output is laid out (batch, features).
/// </param>
public sealed record InceptionV1LayerInfo(string Name, InceptionV1LayerKind Kind, int Channels, int? SpatialSizeAt224)
{
    /// <summary>The output shape for a batch of one 224x224 image.</summary>
    /// <returns>(1, channels, size, size), or (1, features) for the linear and softmax layers.</returns>
    public IReadOnlyList<long> OutputShapeAt224() =>
        SpatialSizeAt224 is int size ? [1, Channels, size, size] : [1, Channels];
}
