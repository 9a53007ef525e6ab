using ActivationMaximization;

namespace Lucent.Net.Samples.Tests;

public class DepthClaimTests
{
    private static ImageInfo Depth(string layer, double coherence, double png) => new()
    {
        Part = 4,
        Id = $"part4_{layer}_3",
        File = $"images/part4_{layer}_3.png",
        Title = $"{layer}:3",
        Objective = $"channel({layer}, 3)",
        TutorialObjective = "channel(mixed4a, 3)",
        Parameterization = "image(128, fft=True, decorrelate=True)",
        Transforms = "standard_transforms",
        ObjectiveFirst = 0.5,
        ObjectiveLast = 5,
        ObjectiveFinalImage = 5,
        HighFrequencyShare = 0.3,
        PngBytesPerPixel = png,
        StructureScale = 6,
        EdgeCoherence = coherence,
        Seconds = 1,
    };

    [Fact]
    public void Part4_claim_is_judged_by_edge_coherence_which_separates_depths_that_png_bytes_do_not()
    {
        // The 256-step ResNet-18 run's numbers: PNG bytes/pixel 2.78, 2.64, 2.76, 2.76 separate nothing.
        var claim = Claims.Evaluate([Depth("layer1", 0.85, 2.78), Depth("layer2", 0.29, 2.64), Depth("layer3", 0.35, 2.76), Depth("layer4", 0.37, 2.76)]).Single(c => c.Part == 4);
        claim.Supported.Should().BeTrue();
        claim.Verdict.Should().Contain("layer1:3 0.85").And.Contain("clearly the most edge-like (2.3x").And.Contain("the later layers are not ordered by it");
        claim.Values.Should().ContainKey("layer4:3 edgeCoherence").And.ContainKey("layer4:3 pngBytesPerPixel");

        var flat = Claims.Evaluate([Depth("layer1", 0.4, 2.78), Depth("layer2", 0.35, 2.64)]).Single(c => c.Part == 4);
        flat.Supported.Should().BeFalse();
        flat.Verdict.Should().Contain("not supported");
    }
}
