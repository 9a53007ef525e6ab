namespace Lucent.Net.ModelZoo.Onnx;

/// <summary>Options for <see cref="OnnxModel.Load(string, OnnxImportOptions?)"/>.</summary>
public sealed class OnnxImportOptions
{
    /// <summary>
    /// Whether <c>Relu</c> nodes use Lucid's redirected ReLU
    /// (<see cref="Lucent.Net.Modules.RedirectedRelu"/>): the forward pass is identical, but where the
    /// input is negative 0.1 of the gradient still flows, so a render from noise does not stall on
    /// channels that start at zero. Default <c>true</c> (as Lucent does for InceptionV1). It can be
    /// changed after loading with <see cref="OnnxGraphModule.UseRedirectedRelu"/>.
    /// </summary>
    public bool UseRedirectedRelu { get; set; } = true;

    /// <summary>
    /// Whether a 4-d input is reordered to channels-last (NHWC) memory before the first node, so that
    /// convolutions and pools run NHWC (faster on CPU with oneDNN). Values are those of the
    /// channels-first graph up to float rounding: every operation keeps its (batch, channels, height,
    /// width) meaning, only strides change. Default <c>false</c>; measure before turning it on (the
    /// pretrained ResNet-18 gained nothing). Can be changed after loading with <see cref="OnnxGraphModule.UseChannelsLast"/>.
    /// </summary>
    public bool UseChannelsLast { get; set; }

    /// <summary>
    /// Friendly layer names: alias to a hook name, ONNX node name or ONNX value name. Exposed through
    /// <see cref="Lucent.Net.Modules.ILayerAliases"/>. An alias may not equal an existing hook name.
    /// </summary>
    public IDictionary<string, string> LayerAliases { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// The graph input to feed, when the graph has more than one non-initializer input;
    /// <c>null</c> picks the only one.
    /// </summary>
    public string? InputName { get; set; }

    /// <summary>The graph output the module returns; <c>null</c> picks the first graph output.</summary>
    public string? OutputName { get; set; }

    /// <summary>The name of the top-level module (default <c>onnx_graph</c>).</summary>
    public string ModuleName { get; set; } = "onnx_graph";
}
