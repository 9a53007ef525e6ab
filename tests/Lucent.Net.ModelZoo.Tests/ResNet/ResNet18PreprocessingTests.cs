using Google.Protobuf;
using Lucent.Net.ModelZoo.ResNet;
using Lucent.Net.ModelZoo.Tests.Onnx;
using Lucent.Net.Transforms;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Lucent.Net.ModelZoo.Tests.ResNet;

/// <summary>
/// Evidence for the ResNet-18 preprocessing: the package's own preprocessing graph, and the first
/// BatchNorm's running statistics against conv1 outputs on natural photos.
/// </summary>
[Collection("ResNet18")]
public sealed class ResNet18PreprocessingTests
{
    private static readonly string[] Photos = ["astronaut", "chelsea", "coffee", "rocket"];
    private readonly ResNet18Model _model;
    private readonly ITestOutputHelper _output;

    public ResNet18PreprocessingTests(ResNet18Fixture fixture, ITestOutputHelper output)
    {
        _model = fixture.Model;
        _output = output;
    }

    private static string PackagePreprocessingPath =>
        Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNetPrepOnnx", "ResNetPreprocess.onnx");

    [Fact]
    public void Package_preprocessing_graph_reorders_rgb_to_bgr_and_subtracts_a_mean_image_with_our_channel_means()
    {
        var prep = ModelProto.Parser.ParseFrom(File.ReadAllBytes(PackagePreprocessingPath));
        prep.Graph.Node.Select(n => n.OpType).Should().Equal("Split", "Concat", "Sub");
        prep.Graph.Node[0].Output.Should().Equal("RInp", "GInp", "BInp");
        prep.Graph.Node[1].Input.Should().Equal("BInp", "GInp", "RInp");
        var meanImage = prep.Graph.Initializer.Single(i => i.Name == "MeanImage");
        meanImage.Dims.Should().Equal(1, 3, 224, 224);
        var values = meanImage.FloatData.ToArray();
        var channelMeans = Enumerable.Range(0, 3).Select(c => values.Skip(c * 224 * 224).Take(224 * 224).Average(v => (double)v)).ToArray();
        _output.WriteLine($"mean image channel means (B, G, R): {string.Join(", ", channelMeans.Select(m => m.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}");
        channelMeans.Zip(PretrainedResNet18.DefaultPreprocessing.Mean).Should().OnlyContain(p => Math.Abs(p.First - p.Second) < 0.01);
    }

    [Fact]
    public void Default_preprocessing_matches_the_package_pipeline_up_to_the_mean_image_spatial_variation()
    {
        // ML.NET feeds ExtractPixels output (planar RGB, 0..255) to ResNetPreprocess.onnx.
        var image = OnnxTestGraph.RandomValues(3 * 224 * 224, 3).Select(v => (v + 1f) / 2f).ToArray();
        var prep = ModelProto.Parser.ParseFrom(File.ReadAllBytes(PackagePreprocessingPath));
        using var session = new InferenceSession(prep.ToByteArray());
        var input = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(image.Select(v => v * 255f).ToArray(), [1, 3, 224, 224]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("OriginalInput", input)]);
        var packageOutput = results.First().AsTensor<float>().ToArray();

        using var scope = NewDisposeScope();
        var context = TransformContext.FromSeed(0);
        using var generator = context.Generator;
        var batch = torch.tensor(image, [1, 3, 224, 224]);
        var ours = PretrainedResNet18.DefaultPreprocessing.Apply(batch, context).data<float>().ToArray();
        var rgb = new ResNetPreprocessing(ChannelOrder.Rgb, [123.15, 115.90, 103.06]).Apply(batch, context).data<float>().ToArray();

        var bgrGap = Enumerable.Range(0, ours.Length).Average(i => Math.Abs(ours[i] - packageOutput[i]));
        var rgbGap = Enumerable.Range(0, rgb.Length).Average(i => Math.Abs(rgb[i] - packageOutput[i]));
        _output.WriteLine($"mean |ours - package|: BGR {bgrGap:F2}, RGB {rgbGap:F2} (0..255 scale)");
        bgrGap.Should().BeLessThan(5, "only the mean image's spatial variation (a few grey levels) separates them");
        rgbGap.Should().BeGreaterThan(40, "feeding RGB would swap red and blue");
    }

    [Fact]
    public void Zero_to_255_minus_mean_fits_the_first_batchnorm_statistics_far_better_than_unit_range_inputs()
    {
        using var scope = NewDisposeScope();
        var photos = torch.cat(Photos.Select(LoadPhoto).ToList(), 0);
        var conv1 = _model.Nodes[0];
        var batchNorm = _model.Nodes[1];
        conv1.OperatorType.Should().Be("Conv");
        batchNorm.OperatorType.Should().Be("BatchNormalization");
        var statistics = batchNorm.named_buffers().Select(b => b.buffer).ToArray();
        var runningVariance = statistics[3];
        var live = runningVariance > 1e-3;

        double Misfit(IImageTransform transform)
        {
            var context = TransformContext.FromSeed(0);
            using var generator = context.Generator;
            var response = conv1.call(transform.Apply(photos, context));
            var variance = response.var([0L, 2L, 3L]);
            return (variance / runningVariance).log().abs()[live].mean().item<float>();
        }

        var bgr = Misfit(PretrainedResNet18.DefaultPreprocessing);
        var rgb = Misfit(new ResNetPreprocessing(ChannelOrder.Rgb, [123.68, 116.78, 103.94]));
        var unit = Misfit(new Scale(1));
        var imagenet = Misfit(new ImageNetNormalise());
        _output.WriteLine($"mean |log(var / running var)| over conv1 channels: BGR-mean {bgr:F3}, RGB-mean {rgb:F3}, [0,1] {unit:F3}, ImageNet-normalised {imagenet:F3}");
        bgr.Should().BeLessThan(1.0);
        rgb.Should().BeLessThan(1.0);
        unit.Should().BeGreaterThan(5.0);
        imagenet.Should().BeGreaterThan(5.0);
    }

    private static Tensor LoadPhoto(string name)
    {
        using var image = Image.Load<Rgb24>(Path.Combine(AppContext.BaseDirectory, "ResNet", "Fixtures", "photos", name + ".png"));
        var size = image.Width * image.Height;
        var data = new float[3 * size];
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                var pixel = image[x, y];
                var i = (y * image.Width) + x;
                data[i] = pixel.R / 255f;
                data[size + i] = pixel.G / 255f;
                data[(2 * size) + i] = pixel.B / 255f;
            }
        }

        return torch.tensor(data, [1, 3, image.Height, image.Width]);
    }

    private sealed class Scale(double factor) : IImageTransform
    {
        public string Name => $"scale({factor})";

        public Tensor Apply(Tensor image, TransformContext context) => image * factor;
    }

    private sealed class ImageNetNormalise : IImageTransform
    {
        public string Name => "imagenet";

        public Tensor Apply(Tensor image, TransformContext context)
        {
            var mean = torch.tensor(new float[] { 0.485f, 0.456f, 0.406f }, [1, 3, 1, 1]);
            var std = torch.tensor(new float[] { 0.229f, 0.224f, 0.225f }, [1, 3, 1, 1]);
            return (image - mean) / std;
        }
    }
}
