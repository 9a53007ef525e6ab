// Feature accentuation (Hamblin et al. 2024) and MACO on public-domain photos: for each photo, find the layer3
// channel of a pretrained ResNet-18 that the photo excites most, then change the photo (FFT and MACO
// parameterisations, with a penalty on the distance to the photo) until that channel fires harder.
//   dotnet run -c Release --project samples/FeatureAccentuation [-- <steps> <output folder> <penalty>]
using System.Globalization;
using Lucent.Net.Images;
using Lucent.Net.Imaging;
using Lucent.Net.ModelZoo.Catalog;
using Lucent.Net.Objectives;
using Lucent.Net.Rendering;

int steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 32;
string outputFolder = args.Length > 1 ? args[1] : Path.Combine("artifacts", "accentuation");
double penalty = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 1.0;
const string Layer = "layer3";
Directory.CreateDirectory(outputFolder);

using var model = await ModelCatalog.LoadAsync(ModelCatalog.ResNet18);
var photoFolder = Path.Combine(AppContext.BaseDirectory, "photos");
var cells = new List<FigureCell>();
foreach (string file in Directory.GetFiles(photoFolder, "*.png").Order(StringComparer.Ordinal))
{
    string name = Path.GetFileNameWithoutExtension(file);
    var photo = SafePngLoader.Load(file);
    using var tensor = TensorImages.ToTensor(photo);

    // The channel this photo excites most (mean activation over the first 64 channels of layer3).
    var evaluation = new RenderOptions { Transforms = [], FixedImageSize = (224, 224) };
    var activations = Enumerable.Range(0, 64)
        .Select(c => -ObjectiveEvaluator.Evaluate(model, Objective.Channel(Layer, c), tensor, evaluation)[0])
        .ToList();
    int channel = activations.IndexOf(activations.Max());
    var objective = Objective.Channel(Layer, channel);
    var options = new RenderOptions { Thresholds = [steps], FixedImageSize = (224, 224), Seed = 1 };

    var fft = FeatureAccentuation.Render(model, objective, tensor, new AccentuationOptions { Penalty = penalty }, options);
    var maco = FeatureAccentuation.Render(
        model,
        objective,
        tensor,
        new AccentuationOptions { Parameterization = AccentuationParameterization.Maco, Penalty = penalty },
        options with { Transforms = [new Lucent.Net.Transforms.MacoCropTransform(crops: 4, startBoxSize: 1.0, endBoxSize: 0.5)] });

    double Reached(ImageBatch image)
    {
        using var t = TensorImages.ToTensor(image);
        return -ObjectiveEvaluator.Evaluate(model, objective, t, evaluation)[0];
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}: {Layer}:{channel} photo {activations[channel]:F2}, FFT accentuation {Reached(fft.FinalImages):F2}, MACO accentuation {Reached(maco.FinalImages):F2}"));
    fft.FinalImages.SavePng(Path.Combine(outputFolder, $"{name}_fft.png"));
    maco.FinalImages.SavePng(Path.Combine(outputFolder, $"{name}_maco.png"));
    cells.Add(new FigureCell(photo, $"{name} {Layer}:{channel}"));
    cells.Add(new FigureCell(fft.FinalImages, "FFT"));
    cells.Add(new FigureCell(maco.FinalImages, "MACO"));
    if (maco.Transparency is { } transparency)
    {
        TransparencyMaps.SaveHeatMapPng(Path.Combine(outputFolder, $"{name}_maco_heat.png"), transparency);
        cells.Add(new FigureCell(TransparencyMaps.HeatMap(transparency), "gradient (MACO)"));
    }
}

string figure = Path.Combine(outputFolder, "accentuation.png");
FigureGrid.SavePng(figure, cells, new FigureGridOptions { Columns = 4 });
Console.WriteLine($"Saved {figure}");
