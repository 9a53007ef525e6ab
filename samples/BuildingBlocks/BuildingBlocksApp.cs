using System.Globalization;
using Lucent.Net.Activations;
using Lucent.Net.Analysis;
using Lucent.Net.Images;
using Lucent.Net.Imaging;
using Lucent.Net.ModelZoo.Catalog;
using Lucent.Net.Objectives;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using TorchSharp;
using static TorchSharp.torch;
using Obj = Lucent.Net.Objectives.Objective;

namespace BuildingBlocks;

/// <summary>The settings of one run; every one has a command-line option.</summary>
public sealed record BuildingBlocksSettings
{
    public string Photo { get; init; } = Path.Combine(AppContext.BaseDirectory, "data", "chelsea-224.png");
    public string Output { get; init; } = Path.Combine("artifacts", "building-blocks");
    public string Layer { get; init; } = "layer3";
    public int Grid { get; init; } = 4;
    public int Groups { get; init; } = 6;
    public int Steps { get; init; } = 128;
    public int Size { get; init; } = 96;

    public const string Usage = """
        Lucid's Building Blocks on the pretrained ResNet-18 (NuGet, offline):
          (a) the spatial activation grid: the photo's activation vector at each cell of a grid over a layer,
              each rendered as an image maximising the direction of that vector;
          (b) neuron groups: NMF (ChannelReducer) of the layer's activations on the photo, one rendering per
              group, and the groups' maps over the photo (ChannelColors.CollapseChannels).
        Options:
          --photo PATH   PNG photograph (default: data/chelsea-224.png)
          --out DIR      output folder (default: artifacts/building-blocks)
          --layer NAME   ResNet-18 layer after a ReLU (default: layer3)
          --grid N       grid cells per side for (a) (default: 4)
          --groups N     neuron groups for (b) (default: 6)
          --steps N      optimisation steps per rendering (default: 128)
          --size N       rendering size in pixels (default: 96)
        """;

    /// <summary>Parses <paramref name="args"/>; null settings and a message when they are wrong.</summary>
    public static (BuildingBlocksSettings? Settings, string? Error) Parse(IReadOnlyList<string> args)
    {
        var s = new BuildingBlocksSettings();
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            if (name is "--help" or "-h")
            {
                return (null, null);
            }

            if (i + 1 >= args.Count)
            {
                return (null, $"{name} needs a value.");
            }

            string value = args[++i];
            int Positive(int min)
            {
                if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < min)
                {
                    throw new FormatException($"{name} must be a whole number of at least {min}, not '{value}'.");
                }

                return n;
            }

            try
            {
                s = name switch
                {
                    "--photo" => s with { Photo = value },
                    "--out" => s with { Output = value },
                    "--layer" => s with { Layer = value },
                    "--grid" => s with { Grid = Positive(1) },
                    "--groups" => s with { Groups = Positive(1) },
                    "--steps" => s with { Steps = Positive(1) },
                    "--size" => s with { Size = Positive(16) },
                    _ => throw new FormatException($"Unknown option '{name}'; --help lists the options."),
                };
            }
            catch (FormatException e)
            {
                return (null, e.Message);
            }
        }

        return (s, null);
    }
}

/// <summary>What a run measured, for the report and the tests.</summary>
public sealed record BuildingBlocksResult(
    int LayerHeight, int LayerWidth, int LayerChannels, double ReconstructionError, double RelativeError,
    IReadOnlyList<double> GroupShares, IReadOnlyList<string> Files);

/// <summary>The Building Blocks sample: both figures of Lucid's notebooks on one photo.</summary>
public static class BuildingBlocksApp
{
    /// <summary>Runs the sample; 0 on success, 2 for bad options or input.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        var (settings, error) = BuildingBlocksSettings.Parse(args);
        if (settings is null)
        {
            output.WriteLine(error ?? BuildingBlocksSettings.Usage);
            return error is null ? 0 : 2;
        }

        if (!File.Exists(settings.Photo))
        {
            output.WriteLine($"The photo '{settings.Photo}' does not exist; pass a PNG with --photo.");
            return 2;
        }

        using var model = await ModelCatalog.LoadAsync(ModelCatalog.ResNet18, cancellationToken: cancellationToken);
        try
        {
            var result = Run(model, settings, output, cancellationToken);
            output.WriteLine($"Wrote {result.Files.Count} files to {settings.Output} (open report.html).");
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or UnknownLayerException or InvalidPngException)
        {
            output.WriteLine(e.Message);
            return 2;
        }
    }

    /// <summary>Computes and writes both figures and the report for <paramref name="model"/>.</summary>
    public static BuildingBlocksResult Run(nn.Module<Tensor, Tensor> model, BuildingBlocksSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.Combine(settings.Output, "images"));
        var files = new List<string>();
        string Save(ImageBatch image, string name, int index = 0)
        {
            string path = Path.Combine(settings.Output, name);
            image.SavePng(path, index);
            files.Add(name);
            return name;
        }

        var photoBatch = SafePngLoader.Load(settings.Photo);
        using var photo = TensorImages.ToTensor(photoBatch);
        Save(photoBatch, "photo.png");

        // The layer's activations on the photo: [channels, height, width].
        using var acts = Capture(model, settings.Layer, photo);
        int channels = (int)acts.shape[0], height = (int)acts.shape[1], width = (int)acts.shape[2];
        output.WriteLine($"{settings.Layer} on the photo: {height} x {width} positions, {channels} channels.");

        // (a) Spatial activation grid: average the activation vectors over each grid cell and render its direction.
        int grid = Math.Min(settings.Grid, Math.Min(height, width));
        using var pooled = nn.functional.adaptive_avg_pool2d(acts.unsqueeze(0), [grid, grid]).squeeze(0);
        var cellObjectives = new List<IObjective>();
        for (int y = 0; y < grid; y++)
        {
            for (int x = 0; x < grid; x++)
            {
                using var vector = pooled[.., y, x].contiguous();
                cellObjectives.Add(Obj.Direction(settings.Layer, vector, batch: cellObjectives.Count));
            }
        }

        output.WriteLine($"(a) rendering {cellObjectives.Count} grid cells, {settings.Steps} steps at {settings.Size} px ...");
        var cells = Renderer.RenderBatch(model, cellObjectives, Options(settings, cellObjectives.Count), cancellationToken: cancellationToken).FinalImages;
        var gridCells = Enumerable.Range(0, cellObjectives.Count)
            .Select(i => new FigureCell(cells, null, i)).ToList();
        FigureGrid.SavePng(Path.Combine(settings.Output, "activation-grid.png"), gridCells,
            new FigureGridOptions { Columns = grid, CellWidth = settings.Size, CellHeight = settings.Size, Margin = 2 });
        files.Add("activation-grid.png");

        // (b) Neuron groups: NMF of the [height, width, channels] activations.
        using var hwc = acts.permute(1, 2, 0).contiguous();
        using var reducer = new ChannelReducer(Math.Min(settings.Groups, channels));
        using var groupMaps = reducer.FitTransform(hwc); // [height, width, groups]
        int groups = reducer.ComponentCount;
        using var total = hwc.to(ScalarType.Float64).norm();
        double relative = reducer.ReconstructionError / Math.Max(total.item<double>(), 1e-12);
        using var sums = groupMaps.to(ScalarType.Float64).sum([0, 1]);
        double[] raw = sums.data<double>().ToArray();
        double all = Math.Max(raw.Sum(), 1e-12);
        double[] shares = raw.Select(v => v / all).ToArray();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"(b) {groups} groups, NMF error {reducer.ReconstructionError:F2} ({relative:P1} of the activations' norm) after {reducer.Iterations} sweeps."));

        var groupObjectives = new List<IObjective>();
        for (int g = 0; g < groups; g++)
        {
            using var direction = reducer.Components[g].to(ScalarType.Float32).contiguous();
            groupObjectives.Add(Obj.Direction(settings.Layer, direction, batch: g));
        }

        var groupImages = Renderer.RenderBatch(model, groupObjectives, Options(settings, groups), cancellationToken: cancellationToken).FinalImages;
        var groupCells = new List<FigureCell>();
        for (int g = 0; g < groups; g++)
        {
            Save(groupImages, $"images/group_{g}.png", g);
            groupCells.Add(new FigureCell(groupImages, $"group {g}", g));
        }

        FigureGrid.SavePng(Path.Combine(settings.Output, "groups.png"), groupCells,
            new FigureGridOptions { Columns = groups, CellWidth = settings.Size, CellHeight = settings.Size, Margin = 2 });
        files.Add("groups.png");

        // The groups over the photo: one hue per group (Lucent's collapse_channels), scaled to the
        // photo and laid over it; and each group alone, the photo dimmed where the group is quiet.
        var (photoHeight, photoWidth) = ((long)photoBatch.Height, (long)photoBatch.Width);
        using (var scope = torch.NewDisposeScope())
        {
            var colours = ChannelColors.CollapseChannels(groupMaps).to(ScalarType.Float32); // [h, w, 3]
            colours = colours.div(colours.max().clamp_min(1e-12));
            var upsampled = nn.functional.interpolate(colours.permute(2, 0, 1).unsqueeze(0), [photoHeight, photoWidth], mode: InterpolationMode.Nearest);
            Save(TensorImages.ToImageBatch(upsampled), "group-map.png");
            Save(TensorImages.ToImageBatch(photo.mul(0.4).add(upsampled.mul(0.6)).clamp(0, 1)), "group-overlay.png");

            var maps = groupMaps.to(ScalarType.Float32).permute(2, 0, 1).unsqueeze(1); // [groups, 1, h, w]
            var peaks = maps.amax([2, 3], keepdim: true).clamp_min(1e-12);
            var masks = nn.functional.interpolate(maps.div(peaks), [photoHeight, photoWidth], mode: InterpolationMode.Bilinear, align_corners: false).clamp(0, 1);
            var lit = photo.mul(masks.mul(0.85).add(0.15)); // [groups, 3, H, W]
            var litBatch = TensorImages.ToImageBatch(lit);
            for (int g = 0; g < groups; g++)
            {
                Save(litBatch, $"images/group_{g}_map.png", g);
            }
        }

        var report = new HtmlReport("Building blocks: " + settings.Layer + " of ResNet-18 on a photo");
        report.AddIntroduction(
            "Lucid's Building Blocks of Interpretability, two of its figures with Lucent.Net on the pretrained ResNet-18. " +
            "The activation grid shows, for cells of a grid over the layer, an image rendered to maximise the direction " +
            "of the photo's activation vector there. The neuron groups factorise the layer's activations on the photo with NMF " +
            "(ChannelReducer, scikit-learn's defaults) into a few groups of channels; each group's direction is rendered, " +
            "and its map over the photo shows where it fires.");
        report.AddSection("The photograph").AddFigure("photo.png", "The input (data/README.md).", "photograph", 224);
        report.AddSection("Spatial activation grid")
            .AddParagraph(string.Create(CultureInfo.InvariantCulture, $"{grid} x {grid} cells over the {height} x {width} positions of {settings.Layer}; each cell's mean activation vector rendered with Objective.Direction, {settings.Steps} steps at {settings.Size} px."))
            .AddFigure("activation-grid.png", "The activation grid (row by row, as the photo).", "activation grid");
        var section = report.AddSection("Neuron groups");
        section.AddParagraph(string.Create(CultureInfo.InvariantCulture, $"NMF with {groups} components of the {height * width} x {channels} activations: reconstruction error {reducer.ReconstructionError:F2}, {relative:P1} of their norm, {reducer.Iterations} sweeps."))
            .AddFigure("groups.png", "One rendering per group.", "neuron groups")
            .AddFigure("group-overlay.png", "The groups over the photo, one hue per group (ChannelColors.CollapseChannels).", "group overlay", 224)
            .AddFigure("group-map.png", "The group map alone.", "group map", 224);
        section.AddTable(["group", "hue (degrees)", "share of the activation", "rendering", "where it fires"],
            Enumerable.Range(0, groups).Select(g => (IReadOnlyList<string>)[
                g.ToString(CultureInfo.InvariantCulture),
                (360.0 * g / groups).ToString("F0", CultureInfo.InvariantCulture),
                shares[g].ToString("P1", CultureInfo.InvariantCulture),
                $"images/group_{g}.png",
                $"images/group_{g}_map.png"]),
            "Each group's hue in the map, its share of the summed group activations, and its files.");
        for (int g = 0; g < groups; g++)
        {
            section.AddFigure($"images/group_{g}_map.png", string.Create(CultureInfo.InvariantCulture, $"Group {g} over the photo ({shares[g]:P1})."), $"group {g} map", 112);
        }

        report.Save(Path.Combine(settings.Output, "report.html"));
        files.Add("report.html");
        return new BuildingBlocksResult(height, width, channels, reducer.ReconstructionError, relative, shares, files);
    }

    /// <summary>Lucent's defaults (FFT, decorrelated, standard transforms, Adam 0.05) for <paramref name="count"/> images of the chosen size.</summary>
    private static RenderOptions Options(BuildingBlocksSettings settings, int count) => new()
    {
        Steps = settings.Steps,
        Parameterization = new ImageOptions(settings.Size) { Batch = count },
        Seed = 0,
    };

    /// <summary>The activations of <paramref name="layer"/> on <paramref name="photo"/> (1, 3, H, W): a new [channels, height, width] tensor.</summary>
    /// <remarks>No transforms, the model's preprocessing and the render's resize (a photo under 224 px is upsampled), as a render sees it.</remarks>
    private static Tensor Capture(nn.Module<Tensor, Tensor> model, string layer, Tensor photo)
    {
        using var captured = ActivationCapture.Capture(model, photo, [layer], new RenderOptions { Transforms = [] });
        var a = captured[layer];
        if (a.dim() != 4)
        {
            throw new ArgumentException($"Layer {layer} has activations of shape [{string.Join(", ", a.shape)}]; pick a convolutional layer (batch, channels, height, width).");
        }

        using var scope = NewDisposeScope();
        return a[0].to(ScalarType.Float32).clone().MoveToOuterDisposeScope();
    }
}
