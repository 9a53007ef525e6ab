using Lucent.Net.Images;
using Lucent.Net.Testing;

namespace Lucent.Net.Imaging.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SnapshotEnvironmentCollection
{
    // Tests that read or set LUCENT_ACCEPT_SNAPSHOTS must not run beside each other.
    public const string Name = "Snapshot environment";
}

[Collection(SnapshotEnvironmentCollection.Name)]
public sealed class ImageSnapshotTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string? _savedAccept = Environment.GetEnvironmentVariable(ImageSnapshot.AcceptEnvironmentVariable);

    public ImageSnapshotTests()
    {
        Environment.SetEnvironmentVariable(ImageSnapshot.AcceptEnvironmentVariable, null);
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(ImageSnapshot.AcceptEnvironmentVariable, _savedAccept);
        _folder.Dispose();
    }

    private string Baseline(string name = "render.png") => _folder.File(Path.Combine("snapshots", name));

    private static ImageBatch WithPixel(ImageBatch image, int x, int y, float value)
    {
        float[] pixels = (float[])image.Pixels.Clone();
        for (int c = 0; c < image.Channels; c++)
        {
            pixels[(((y * image.Width) + x) * image.Channels) + c] = value;
        }

        return new ImageBatch(pixels, image.Batch, image.Height, image.Width, image.Channels);
    }

    [Fact]
    public void Identical_image_matches_and_leaves_no_received_or_diff_files()
    {
        ImageBatch image = TestImages.Gradient(1, 8, 8, 3);
        image.SavePng(Baseline());
        File.WriteAllBytes(ImageSnapshot.ReceivedPathFor(Baseline()), [1]);
        File.WriteAllBytes(ImageSnapshot.DiffPathFor(Baseline()), [1]);

        ImageSnapshot.Match(image, Baseline());
        ImageSnapshot.Match(image.ToPngBytes(), Baseline());

        Directory.GetFiles(Path.GetDirectoryName(Baseline())!).Should().ContainSingle();
    }

    [Fact]
    public void Mismatch_writes_received_and_diff_files_and_names_them_with_the_difference()
    {
        ImageBatch baseline = TestImages.Constant(10, 10, 3, 0.5f);
        baseline.SavePng(Baseline());
        ImageBatch changed = WithPixel(WithPixel(baseline, 3, 4, 1f), 7, 1, 0.52f);

        var act = () => ImageSnapshot.Match(changed, Baseline());

        ImageSnapshotMismatchException error = act.Should().Throw<ImageSnapshotMismatchException>().Which;
        string received = ImageSnapshot.ReceivedPathFor(Baseline());
        string diff = ImageSnapshot.DiffPathFor(Baseline());
        received.Should().EndWith(Path.Combine("snapshots", "render.received.png"));
        diff.Should().EndWith(Path.Combine("snapshots", "render.diff.png"));
        error.Reason.Should().Be(SnapshotMismatchReason.PixelsDiffer);
        error.Message.Should().Contain(received).And.Contain(diff).And.Contain("2 of 100 pixels").And.Contain("2.00%")
            .And.Contain("largest channel difference 127 levels at (x=3, y=4)").And.Contain("LUCENT_ACCEPT_SNAPSHOTS=1");
        error.Comparison!.DifferingPixels.Should().Be(2);
        error.DiffPath.Should().Be(diff);

        SafePngLoader.Load(received).Pixels.Should().Equal(changed.Pixels.Select(v => PixelQuantization.ToFloat(PixelQuantization.ToByte(v))));
        ImageBatch diffImage = SafePngLoader.Load(diff);
        diffImage.Width.Should().Be(10);
        (diffImage[0, 4, 3, 0], diffImage[0, 4, 3, 1], diffImage[0, 4, 3, 2]).Should().Be((1f, 0f, 0f));
        (diffImage[0, 1, 7, 0], diffImage[0, 1, 7, 2]).Should().Be((1f, 0f));
        diffImage[0, 0, 0, 0].Should().Be(diffImage[0, 0, 0, 2]).And.BeGreaterThan(0.6f); // faded grey
    }

    [Fact]
    public void Tolerance_and_allowed_fraction_let_small_differences_pass()
    {
        ImageBatch baseline = TestImages.Constant(10, 10, 3, 0.5f);
        baseline.SavePng(Baseline());
        ImageBatch slightly = WithPixel(baseline, 7, 1, 0.52f);   // 5 levels off
        ImageBatch oneBad = WithPixel(baseline, 3, 4, 1f);        // 127 levels off, 1% of pixels

        ImageSnapshot.Match(slightly, Baseline(), new SnapshotOptions { Tolerance = 5 });
        ImageSnapshot.Match(oneBad, Baseline(), new SnapshotOptions { MaxDifferingPixelFraction = 0.01 });
        var tooStrict = () => ImageSnapshot.Match(slightly, Baseline(), new SnapshotOptions { Tolerance = 4 });
        tooStrict.Should().Throw<ImageSnapshotMismatchException>().WithMessage("*more than 4 levels*");
        var fraction = () => ImageSnapshot.Match(oneBad, Baseline(), new SnapshotOptions { MaxDifferingPixelFraction = 0.009 });
        fraction.Should().Throw<ImageSnapshotMismatchException>();
    }

    [Fact]
    public void Accept_environment_variable_writes_the_baseline_and_passes()
    {
        ImageBatch image = TestImages.Gradient(2, 6, 5, 1);
        TestImages.Constant(6, 10, 1, 0f).SavePng(Baseline());
        File.WriteAllBytes(ImageSnapshot.ReceivedPathFor(Baseline()), [1]);

        Environment.SetEnvironmentVariable(ImageSnapshot.AcceptEnvironmentVariable, "1");
        ImageSnapshot.Match(image, Baseline());
        Environment.SetEnvironmentVariable(ImageSnapshot.AcceptEnvironmentVariable, null);

        File.ReadAllBytes(Baseline()).Should().Equal(image.ToPngStripBytes());
        File.Exists(ImageSnapshot.ReceivedPathFor(Baseline())).Should().BeFalse();
        ImageSnapshot.Match(image, Baseline());
        var changed = () => ImageSnapshot.Match(TestImages.Gradient(2, 6, 5, 1).Select(1), Baseline());
        changed.Should().Throw<ImageSnapshotMismatchException>();
    }

    [Fact]
    public void Accept_option_creates_a_missing_baseline_without_the_environment()
    {
        ImageBatch image = TestImages.Gradient(1, 4, 4, 3);
        ImageSnapshot.Match(image, Baseline("new.png"), new SnapshotOptions { AcceptNewBaselines = true });
        File.ReadAllBytes(Baseline("new.png")).Should().Equal(image.ToPngBytes());

        Environment.SetEnvironmentVariable(ImageSnapshot.AcceptEnvironmentVariable, "1");
        var refused = () => ImageSnapshot.Match(TestImages.Constant(4, 4, 3, 0f), Baseline("new.png"), new SnapshotOptions { AcceptNewBaselines = false });
        refused.Should().Throw<ImageSnapshotMismatchException>();
    }

    [Fact]
    public void Missing_baseline_fails_with_instructions_and_writes_the_received_file()
    {
        ImageBatch image = TestImages.Gradient(1, 4, 6, 3);

        var act = () => ImageSnapshot.Match(image, Baseline("missing.png"));

        ImageSnapshotMismatchException error = act.Should().Throw<ImageSnapshotMismatchException>().Which;
        string received = ImageSnapshot.ReceivedPathFor(Baseline("missing.png"));
        error.Reason.Should().Be(SnapshotMismatchReason.MissingBaseline);
        error.Message.Should().Contain("No baseline image").And.Contain(received).And.Contain("LUCENT_ACCEPT_SNAPSHOTS=1").And.Contain("rename it");
        File.ReadAllBytes(received).Should().Equal(image.ToPngBytes());
        File.Exists(Baseline("missing.png")).Should().BeFalse();
    }

    [Fact]
    public void Baseline_of_another_size_fails_with_both_sizes()
    {
        TestImages.Constant(8, 12, 3, 0f).SavePng(Baseline());

        var act = () => ImageSnapshot.Match(TestImages.Constant(9, 10, 3, 0f), Baseline());

        ImageSnapshotMismatchException error = act.Should().Throw<ImageSnapshotMismatchException>().Which;
        error.Reason.Should().Be(SnapshotMismatchReason.SizeDiffers);
        error.Message.Should().Contain("baseline 12x8").And.Contain("received 10x9");
        File.Exists(ImageSnapshot.ReceivedPathFor(Baseline())).Should().BeTrue();
        File.Exists(ImageSnapshot.DiffPathFor(Baseline())).Should().BeFalse();
    }

    [Fact]
    public void Grey_and_rgb_with_equal_values_match_and_compare_reports_numbers()
    {
        TestImages.Constant(4, 4, 1, 0.25f).SavePng(Baseline());
        ImageSnapshot.Match(TestImages.Constant(4, 4, 3, 0.25f), Baseline());

        ImageComparison comparison = ImageSnapshot.Compare(TestImages.Constant(4, 4, 3, 0f), WithPixel(TestImages.Constant(4, 4, 3, 0f), 1, 2, 0.1f), tolerance: 3);
        comparison.DifferingPixels.Should().Be(1);
        comparison.DifferingPixelFraction.Should().Be(1 / 16.0);
        comparison.MaxChannelDifference.Should().Be(26);
        (comparison.MaxDifferenceX, comparison.MaxDifferenceY).Should().Be((1, 2));
    }

    [Fact]
    public void Oversize_baseline_is_rejected_by_the_decode_limits()
    {
        TestImages.Constant(40, 40, 3, 0f).SavePng(Baseline());
        var act = () => ImageSnapshot.Match(TestImages.Constant(40, 40, 3, 0f), Baseline(), new SnapshotOptions { DecodeLimits = new ImageDecodeLimits { MaxWidth = 32 } });
        act.Should().Throw<ImageTooLargeException>();
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        var tolerance = () => ImageSnapshot.Match(TestImages.Constant(2, 2, 3, 0f), Baseline(), new SnapshotOptions { Tolerance = 256 });
        tolerance.Should().Throw<ArgumentOutOfRangeException>();
        var fraction = () => ImageSnapshot.Match(TestImages.Constant(2, 2, 3, 0f), Baseline(), new SnapshotOptions { MaxDifferingPixelFraction = 1.5 });
        fraction.Should().Throw<ArgumentOutOfRangeException>();
    }
}
