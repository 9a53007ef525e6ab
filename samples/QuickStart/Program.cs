// Quick start: render what three channels of a pretrained ResNet-18 "see" and save them as PNGs.
//   dotnet run -c Release --project samples/QuickStart [-- <steps> <output folder>]
using System.Diagnostics;
using System.Globalization;
using Lucent.Net.Imaging;
using Lucent.Net.ModelZoo.Catalog;
using Lucent.Net.Rendering;

int steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 128;
string outputFolder = args.Length > 1 ? args[1] : Path.Combine("artifacts", "quickstart");
Directory.CreateDirectory(outputFolder);

// The ImageNet-trained ResNet-18 that ships in a NuGet package: no download needed.
using var model = await ModelCatalog.LoadAsync(ModelCatalog.ResNet18);
Console.WriteLine($"Model: ResNet-18 (pretrained), {ModelCatalog.DescribeLayers(model).Count} hookable layers.");

string[] objectives = ["layer3:7", "layer3:21", "layer4_0:11"];
foreach (string text in objectives)
{
    var clock = Stopwatch.StartNew();
    var progress = new Progress<RenderProgress>(p =>
    {
        if (p.Step % 32 == 0 || p.Step == p.TotalSteps)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {text}: step {p.Step}/{p.TotalSteps}, loss {p.Loss:F3}"));
        }
    });

    // Lucent's defaults: 128 px FFT image with colour decorrelation, standard transforms, Adam 0.05.
    var result = Renderer.Render(model, text, new RenderOptions { Steps = steps }, progress);
    string file = Path.Combine(outputFolder, text.Replace(':', '_') + ".png");
    result.FinalImages.SavePng(file);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{text}: activation {-result.InitialLoss:F2} -> {-result.FinalLoss:F2} in {clock.Elapsed.TotalSeconds:F1} s, saved {file}"));
}
