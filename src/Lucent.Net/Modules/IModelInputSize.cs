namespace Lucent.Net.Modules;

/// <summary>
/// Implemented by models whose input has a declared image size (e.g. an ONNX graph whose input is
/// (batch, 3, 224, 224)). When <c>RenderOptions.FixedImageSize</c> is null, renders resize the transformed image
/// to this size before the model; an explicit <c>FixedImageSize</c> wins.
/// </summary>
public interface IModelInputSize
{
    /// <summary>The (height, width) the model's input is fixed to, or null when either side is not fixed.</summary>
    (int Height, int Width)? InputImageSize { get; }
}
