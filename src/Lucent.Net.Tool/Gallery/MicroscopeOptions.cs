using System.CommandLine;

namespace Lucent.Net.Tool.Gallery;

/// <summary>
/// The options of <c>gallery plan</c> that choose what each unit shows (kinds of render, dataset examples), kept apart
/// from the command's other options.
/// </summary>
internal sealed class MicroscopeOptions
{
    private readonly Option<string?> _kinds = new("--kinds")
    {
        Description = "Kinds of render per channel: channel, negative, neuron, diversity (comma-separated) or all. Default all (all but diversity with --param maco).",
        HelpName = "a,b|all",
    };

    private readonly Option<int> _diversityImages = new("--diversity-images")
    {
        Description = "Images per channel of the diversity kind. Default 4.",
        DefaultValueFactory = _ => GalleryKinds.DefaultDiversityImages,
        HelpName = "n",
    };

    private readonly Option<string?> _dataset = new("--dataset")
    {
        Description = "Dataset examples from this folder of JPEG and PNG images (recursive), or a list file of image paths.",
        HelpName = "dir|list",
    };

    private readonly Option<int> _examples = new("--examples")
    {
        Description = "Dataset examples kept per channel, at the top and at the bottom each. Default 10.",
        DefaultValueFactory = _ => 10,
        HelpName = "k",
    };

    private readonly Option<int> _chunk = new("--examples-chunk")
    {
        Description = "Dataset images per work unit. Default 256.",
        DefaultValueFactory = _ => 256,
        HelpName = "n",
    };

    private readonly Option<int> _size = new("--examples-size")
    {
        Description = "Dataset images are cropped to their centre square and resized to n x n for the model. Default 224.",
        DefaultValueFactory = _ => 224,
        HelpName = "n",
    };

    public static MicroscopeOptions Create() => new();

    public void AddTo(Command command)
    {
        command.Options.Add(_kinds);
        command.Options.Add(_diversityImages);
        command.Options.Add(_dataset);
        command.Options.Add(_examples);
        command.Options.Add(_chunk);
        command.Options.Add(_size);
    }

    /// <summary>The options with the kinds and the dataset of the command line (a MACO plan's default kinds leave out diversity).</summary>
    public GalleryOptions Apply(ParseResult result, GalleryOptions options)
    {
        string? kindsText = result.GetValue(_kinds);
        var kinds = kindsText is null && options.IsMaco
            ? GalleryKinds.Default.Where(k => k != GalleryKinds.Diversity).ToArray()
            : GalleryKinds.Parse(kindsText);
        bool diversity = kinds.Contains(GalleryKinds.Diversity);
        DatasetOptions? dataset = null;
        if (result.GetValue(_dataset) is { } path)
        {
            var (root, files) = DatasetOptions.List(path);
            dataset = new DatasetOptions
            {
                Root = root,
                Files = files,
                Examples = result.GetValue(_examples),
                Chunk = result.GetValue(_chunk),
                InputSize = result.GetValue(_size),
            };
        }

        return options with
        {
            Kinds = kinds,
            DiversityImages = diversity ? result.GetValue(_diversityImages) : null,
            DiversityWeight = diversity ? GalleryKinds.DefaultDiversityWeight : null,
            Dataset = dataset,
        };
    }
}
