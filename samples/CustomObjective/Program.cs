// A plugin objective in a few lines, two ways, used from code and from an expression string.
// The model is Lucent.Net.Testing's TinyConvNet with RANDOM (seeded) weights: the images show what its
// random filters respond to, not a trained network's features.
using System.Globalization;
using CustomObjectiveSample;
using Lucent.Net.Expressions;
using Lucent.Net.Imaging;
using Lucent.Net.Objectives;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Testing;
using Lucent.Net.Transforms;
using TorchSharp;
using static TorchSharp.torch;

int steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 32;
string outputFolder = Path.Combine(AppContext.BaseDirectory, "output");
Directory.CreateDirectory(outputFolder);

using var model = new TinyConvNet(seed: 0, width: 16); // conv1 16 channels, conv2 and conv3 32
Console.WriteLine("Model: Lucent.Net.Testing's TinyConvNet (width 16) with random weights (seed 0); the images are what its random filters like.");

// 1. A plugin as a delegate: maximise a channel, weighting the centre of the image most.
Objective CenterChannel(string layer, int channel, double sigma) => Objective.FromDelegate(
    string.Create(CultureInfo.InvariantCulture, $"center_channel({layer}, {channel}, sigma={sigma})"),
    [layer],
    activations =>
    {
        using var scope = torch.NewDisposeScope();
        Tensor a = activations[layer].select(1, channel); // (batch, height, width)
        long h = a.shape[1], w = a.shape[2];
        Tensor ys = torch.arange(h, dtype: ScalarType.Float32).sub((h - 1) / 2.0).div(h * sigma).square();
        Tensor xs = torch.arange(w, dtype: ScalarType.Float32).sub((w - 1) / 2.0).div(w * sigma).square();
        Tensor weight = ys.unsqueeze(1).add(xs.unsqueeze(0)).mul(-0.5).exp(); // a Gaussian bump
        return a.mul(weight).sum([1L, 2L]).div(weight.sum()).mean().neg().MoveToOuterDisposeScope();
    },
    "Minus the Gaussian-weighted mean of one channel, centred on the image.");

// 2. The same idea as a class implementing IObjective (see CenterChannelObjective.cs).
// Register both as named functions so expression strings can use them.
var functions = new ObjectiveFunctionRegistry()
    .Register("center_channel", ["layer", "n_channel", "sigma?"], a =>
        CenterChannel(a.GetLayer("layer"), a.GetInt32("n_channel"), a.GetOptionalDouble("sigma") ?? 0.25))
    .Register("center_channel_class", ["layer", "n_channel"], a =>
        Objective.From(new CenterChannelObjective(a.GetLayer("layer"), a.GetInt32("n_channel"))));

var renders = new (string File, Objective Objective)[]
{
    ("channel.png", Lucent.Net.Objectives.Objective.Channel("conv3", 4)),
    ("center_channel.png", ObjectiveExpression.Parse("center_channel(conv3, 4, sigma: 0.2)", functions)),
    ("center_class_minus_tv.png", ObjectiveExpression.Parse("center_channel_class(conv3, 4) - 0.001 * total_variation()", functions)),
};

foreach (var (file, objective) in renders)
{
    var options = new RenderOptions
    {
        Steps = steps,
        Parameterization = new ImageOptions(48),
        Transforms = TransformPipeline.CreateBuilder().Pad(4, PadMode.Constant, 0.5).Jitter(4).Build().Transforms,
        FixedImageSize = (48, 48),
        Seed = 0,
    };
    var result = Renderer.Render(model, objective, options);
    string path = Path.Combine(outputFolder, file);
    result.FinalImages.SavePng(path);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{objective.Name,-60} loss {result.InitialLoss,9:F4} -> {result.FinalLoss,9:F4} in {result.Elapsed.TotalSeconds:F1} s -> {path}"));
}
