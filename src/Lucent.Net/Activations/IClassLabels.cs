namespace Lucent.Net.Activations;

/// <summary>
/// A model that knows the names of its output classes (InceptionV1's ImageNet labels), so that objectives
/// can name a class (<c>Objective.ClassLogit("tabby")</c>, <c>labels:tabby</c>). The render's activation
/// lookup implements it too, passing on the model's labels.
/// </summary>
public interface IClassLabels
{
    /// <summary>The names of the model's output classes, or null when they are not known.</summary>
    ClassLabels? ClassLabels { get; }
}
