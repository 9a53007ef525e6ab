using Lucent.Net.Activations;
using Lucent.Net.ModelZoo.InceptionV1;
using Lucent.Net.ModelZoo.Labels;
using Lucent.Net.ModelZoo.ResNet;

namespace Lucent.Net.ModelZoo.Tests.Labels;

public class ImageNetLabelsTests
{
    [Fact]
    public void InceptionV1_labels_follow_lucents_old_imagenet_labels_over_its_1008_outputs()
    {
        var labels = ImageNetLabels.InceptionV1;
        labels.Count.Should().Be(InceptionV1Layers.ClassCount);
        labels[0].Should().BeNull("output 0 has no class (Lucid's 'dummy')");
        labels[1].Should().Be("kit fox");
        labels[1000].Should().Be("dumbbell");
        Enumerable.Range(1001, 7).Select(i => labels[i]).Should().OnlyContain(n => n == null);
        labels.IndexOf("tabby").Should().Be(174);
        labels.IndexOf("Siberian husky").Should().Be(3);
        Enumerable.Range(1, 1000).Should().OnlyContain(i => labels[i] != null);
    }

    [Fact]
    public void TorchVision_labels_follow_lucents_imagenet_labels()
    {
        var labels = ImageNetLabels.TorchVision;
        labels.Count.Should().Be(1000);
        labels[0].Should().Be("tench, Tinca tinca");
        labels.IndexOf("tabby").Should().Be(281);
        labels.IndexOf("tabby cat").Should().Be(281);
        labels.ShortName(999).Should().Be("toilet tissue");
        FluentActions.Invoking(() => labels.IndexOf("tabyy")).Should().Throw<UnknownClassLabelException>().WithMessage("*'tabby'*");
    }

    [Fact]
    public void InceptionV1_exposes_its_labels_and_the_featurizer_ResNet18_has_none()
    {
        typeof(IClassLabels).IsAssignableFrom(typeof(InceptionV1Model)).Should().BeTrue();
        typeof(IClassLabels).IsAssignableFrom(typeof(ResNet18Model)).Should().BeFalse("the NuGet ResNet-18 ends at the average pool: it has no classifier, so no class outputs to name");
    }
}
