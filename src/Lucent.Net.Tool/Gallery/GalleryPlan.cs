using Lucent.Net.Tool.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Lucent.Net.Imaging;

namespace Lucent.Net.Tool.Gallery;

/// <summary>The options of a gallery: everything that decides its images. Their hash names the plan.</summary>
internal sealed record GalleryOptions
{
    public required string Model { get; init; }

    /// <summary>The layers, resolved (never "all"), in plan order.</summary>
    public required IReadOnlyList<string> Layers { get; init; }

    /// <summary>The channel selection as given: <c>all</c>, or ranges such as <c>0-63</c> or <c>0-3,10</c>.</summary>
    public required string Channels { get; init; }

    public required IReadOnlyList<int> Thresholds { get; init; }

    public required int Size { get; init; }

    /// <summary>The size the model sees (n x n); null for Lucent's rule (upsample to 224 when smaller).</summary>
    public int? InputSize { get; init; }

    public required int Batch { get; init; }

    public required long Seed { get; init; }

    public required bool Transforms { get; init; }

    /// <summary>
    /// The kinds of render per channel (<see cref="GalleryKinds"/>), in canonical order; null in plans made before kinds
    /// existed, which mean <c>channel</c> only (left out of the JSON, so those plans keep their hash).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Kinds { get; init; }

    /// <summary>Images per channel of the <c>diversity</c> kind (one batch); null when the plan has no diversity kind.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? DiversityImages { get; init; }

    /// <summary>The weight of Lucent's diversity term: <c>channel - weight * diversity</c>; null without the diversity kind.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? DiversityWeight { get; init; }

    /// <summary>
    /// Images per pass through the model in a unit's batched render (<c>RenderOptions.MicroBatchSize</c>; equal to
    /// <see cref="Batch"/> for the whole batch), pinned by <c>gallery plan</c> (measured there, or <c>--micro-batch</c>)
    /// so that every worker renders the same bytes whatever it would measure; null in plans made before it existed
    /// (left out of the JSON, so those plans keep their hash; their workers use the rule of thumb by the kernels).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MicroBatch { get; init; }

    /// <summary>Dataset examples; null when the plan has none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DatasetOptions? Dataset { get; init; }

    /// <summary>
    /// The image parameterisation: null for Lucent's (Fourier basis, decorrelated colours), <see cref="GalleryKinds.Maco"/>
    /// for MACO (one channel per unit, its transparency map written beside the image); left out of the JSON when null, so
    /// plans made before it keep their hash.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Param { get; init; }

    /// <summary>Whether the plan renders MACO images.</summary>
    [JsonIgnore]
    public bool IsMaco => Param == GalleryKinds.Maco;

    /// <summary>
    /// The render options of a unit with <paramref name="seed"/>: the image (MACO's, with the renderer's MACO defaults
    /// and transparency map, when <see cref="IsMaco"/>), transforms, thresholds, input size and the pinned micro-batch.
    /// </summary>
    public Lucent.Net.Rendering.RenderOptions UnitRenderOptions(long seed) => new()
    {
        Parameterization = new Lucent.Net.Parameterization.ImageOptions(Size) { Maco = IsMaco },
        Transforms = Transforms ? null : [],
        Thresholds = Thresholds,
        Seed = seed,
        FixedImageSize = InputSize is int n ? (n, n) : null,
        MicroBatchSize = GalleryMicroBatch.ForUnits(this),
    };

    /// <summary>The kinds of render, <c>channel</c> for a plan made before kinds existed.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> RenderKinds => Kinds ?? [GalleryKinds.Channel];

    [JsonIgnore]
    public int Steps => Thresholds[^1];

    /// <summary>SHA-256 (hex, first 16 bytes) of the options' canonical JSON.</summary>
    public string Hash()
    {
        byte[] digest = SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this, GalleryJson.Options)));
        return Convert.ToHexStringLower(digest.AsSpan(0, 16));
    }

    /// <summary>
    /// Checks every option against <see cref="GalleryLimits"/>: what <c>gallery plan</c> refuses, and what
    /// <see cref="GalleryPlan.Load"/> refuses in a <c>gallery.json</c> (one check for both, so the bounds are declared once).
    /// </summary>
    /// <exception cref="ToolException">An option is missing or out of its bounds; the message names it.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Model) || Model.Length > GalleryLimits.MaxModelLength || Model.Any(char.IsControl))
        {
            throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"the model must be a name or path of at most {GalleryLimits.MaxModelLength} characters without control characters; got '{GalleryPaths.Describe(Model)}'."));
        }

        if (Layers is null || Layers.Count is 0 or > GalleryLimits.MaxLayers)
        {
            throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"--layers must name 1 to {GalleryLimits.MaxLayers} layers; got {Layers?.Count ?? 0}."));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (string? layer in Layers)
        {
            if (string.IsNullOrEmpty(layer) || layer.Length > GalleryLimits.MaxLayerNameLength || layer.Any(char.IsControl))
            {
                throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"--layers: a layer name must have 1 to {GalleryLimits.MaxLayerNameLength} characters without control characters; got '{GalleryPaths.Describe(layer)}'."));
            }

            if (!names.Add(layer))
            {
                throw new ToolException($"--layers names '{GalleryPaths.Describe(layer)}' twice.");
            }
        }

        if (string.IsNullOrWhiteSpace(Channels) || Channels.Length > GalleryLimits.MaxChannelsTextLength)
        {
            throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"--channels must be 'all' or ranges such as 0-63, at most {GalleryLimits.MaxChannelsTextLength} characters."));
        }

        if (Thresholds is null || Thresholds.Count is 0 or > GalleryLimits.MaxThresholds)
        {
            throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"--thresholds: a plan keeps 1 to {GalleryLimits.MaxThresholds} images per channel (the last at --steps); got {Thresholds?.Count ?? 0}."));
        }

        for (int i = 0; i < Thresholds.Count; i++)
        {
            if (Thresholds[i] < 1 || (i > 0 && Thresholds[i] <= Thresholds[i - 1]))
            {
                throw new ToolException("--thresholds must be increasing steps of at least 1, ending with --steps.");
            }
        }

        Check("--steps", Steps, 1, GalleryLimits.MaxSteps);
        if (Param is not null && !IsMaco)
        {
            throw new ToolException($"--param must be fft or {GalleryKinds.Maco}; got '{GalleryPaths.Describe(Param)}'.");
        }

        ValidateImage(Size, InputSize, Batch, Transforms, IsMaco);
        if (MicroBatch is int microBatch)
        {
            Check("--micro-batch", microBatch, 1, Batch);
        }

        if (Kinds is not null)
        {
            if (Kinds.Count == 0 || !Kinds.SequenceEqual(GalleryKinds.Canonical(Kinds)))
            {
                throw new ToolException($"--kinds must name one or more of {string.Join(", ", GalleryKinds.All)}, each once, in that order.");
            }
        }

        bool diversity = RenderKinds.Contains(GalleryKinds.Diversity);
        if (IsMaco && diversity)
        {
            throw new ToolException("--param maco renders one image per channel (MACO's crops are per image): leave diversity out of --kinds.");
        }

        if (diversity != DiversityImages.HasValue || diversity != DiversityWeight.HasValue)
        {
            throw new ToolException("--diversity-images and the diversity weight are set exactly when --kinds has diversity.");
        }

        if (DiversityImages is int images)
        {
            Check("--diversity-images", images, 2, GalleryLimits.MaxDiversityImages);
        }

        if (DiversityWeight is double weight && (!double.IsFinite(weight) || weight < 0 || weight > GalleryLimits.MaxDiversityWeight))
        {
            throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"the diversity weight must be between 0 and {GalleryLimits.MaxDiversityWeight}; got {weight}."));
        }

        Dataset?.Validate();
    }

    /// <summary>
    /// Checks the image settings of a unit (size, input size, batch) against <see cref="GalleryLimits"/>, then against the
    /// renderer's own validation (the image a unit renders and the largest image its transforms can make): what no render
    /// would accept is refused when planned or loaded, not in every unit. <c>gallery plan</c> calls it before the model loads.
    /// </summary>
    /// <exception cref="ToolException">A setting is out of its bounds; the message names the option.</exception>
    public static void ValidateImage(int size, int? inputSize, int batch, bool transforms, bool maco = false)
    {
        Check("--size", size, GalleryLimits.MinSize, maco ? Lucent.Net.Parameterization.MagnitudeSpectrum.MaxSize : GalleryLimits.MaxSize);
        if (inputSize is int n)
        {
            Check("--input-size", n, GalleryLimits.MinSize, GalleryLimits.MaxSize);
        }

        Check("--batch", batch, 1, GalleryLimits.MaxBatch);
        if (maco && batch != 1)
        {
            throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"--param maco renders one channel per unit (MACO's crops are per image): --batch must be 1; got {batch}."));
        }

        try
        {
            new Lucent.Net.Rendering.RenderOptions
            {
                Parameterization = new Lucent.Net.Parameterization.ImageOptions(size) { Batch = batch, Maco = maco },
                FixedImageSize = inputSize is int fixedSize ? (fixedSize, fixedSize) : null,
                Transforms = transforms ? null : [],
            }.Validate();
        }
        catch (Lucent.Net.Rendering.InvalidRenderOptionsException e)
        {
            throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"--size {size} with --batch {batch}: {e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal)}"), e);
        }
    }

    private static void Check(string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"{name} must be between {min} and {max}; got {value}."));
        }
    }

    /// <summary>Names of the options that differ from <paramref name="other"/>'s.</summary>
    public IReadOnlyList<string> Differences(GalleryOptions other)
    {
        var names = new List<string>();
        void Check(string name, bool same)
        {
            if (!same)
            {
                names.Add(name);
            }
        }

        Check("model", Model == other.Model);
        Check("layers", Layers.SequenceEqual(other.Layers));
        Check("channels", Channels == other.Channels);
        Check("thresholds/steps", Thresholds.SequenceEqual(other.Thresholds));
        Check("size", Size == other.Size);
        Check("input-size", InputSize == other.InputSize);
        Check("batch", Batch == other.Batch);
        Check("seed", Seed == other.Seed);
        Check("transforms", Transforms == other.Transforms);
        Check("micro-batch", MicroBatch == other.MicroBatch);
        Check("param", Param == other.Param);
        Check("kinds", RenderKinds.SequenceEqual(other.RenderKinds) && DiversityImages == other.DiversityImages && DiversityWeight == other.DiversityWeight);
        Check("dataset", Dataset is null ? other.Dataset is null : other.Dataset is not null && Dataset.SameAs(other.Dataset));
        return names;
    }
}

/// <summary>A layer of the plan: its folder name under <c>layers/</c> and its channel count in the model.</summary>
internal sealed record GalleryLayer(string Name, string Folder, int ModelChannels, IReadOnlyList<int> Channels);

/// <summary>
/// A work unit. A render unit (<see cref="Kind"/> one of <see cref="GalleryKinds.All"/>): one layer, one kind and a fixed
/// block of channels, rendered with its own seed. A dataset unit (<see cref="GalleryKinds.Examples"/>): images
/// <see cref="ImageFirst"/> to <see cref="ImageFirst"/> + <see cref="ImageCount"/> - 1 of the dataset, every planned
/// channel of every layer (its Layer is empty, its Channels empty).
/// </summary>
internal sealed record GalleryUnit(string Id, string Layer, string Folder, IReadOnlyList<int> Channels, long Seed, string Kind = GalleryKinds.Channel, int ImageFirst = 0, int ImageCount = 0)
{
    [JsonIgnore]
    public bool IsExamples => Kind == GalleryKinds.Examples;
}

/// <summary>The contents of <c>DIR/gallery.json</c>.</summary>
internal sealed record GalleryPlan
{
    public const string FileName = "gallery.json";
    public const string CurrentFormat = "lucent-gallery/1";

    public string Format { get; init; } = CurrentFormat;

    public required string OptionsHash { get; init; }

    public required GalleryOptions Options { get; init; }

    public required IReadOnlyList<GalleryLayer> Layers { get; init; }

    public required IReadOnlyList<GalleryUnit> Units { get; init; }

    [JsonIgnore]
    public long ImageSteps => Units.Sum(u => GalleryKinds.ImageSteps(Options, u));

    /// <summary>Builds the plan: units are the layers in order, each cut into blocks of <c>Batch</c> channels.</summary>
    /// <param name="options">The options.</param>
    /// <param name="modelChannels">Each planned layer's channel count in the model.</param>
    public static GalleryPlan Create(GalleryOptions options, IReadOnlyDictionary<string, int> modelChannels)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(modelChannels);
        options.Validate();
        string hash = options.Hash();
        var layers = new List<GalleryLayer>();
        var units = new List<GalleryUnit>();
        var folders = new HashSet<string>(StringComparer.Ordinal);
        long planned = 0;
        foreach (string layer in options.Layers)
        {
            int count = modelChannels.TryGetValue(layer, out int known) ? known : throw new ToolException($"No channel count for layer '{GalleryPaths.Describe(layer)}'.");
            if (count is < 1 or > GalleryLimits.MaxLayerChannels)
            {
                throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"Layer '{GalleryPaths.Describe(layer)}' has {count} channels; a gallery plans layers of 1 to {GalleryLimits.MaxLayerChannels} channels."));
            }

            IReadOnlyList<int> channels = ChannelSelection.Parse(options.Channels, count, layer);
            planned += channels.Count;
            if (planned > GalleryLimits.MaxPlannedChannels)
            {
                throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"The plan selects more than {GalleryLimits.MaxPlannedChannels} channels: plan fewer layers or channels per gallery."));
            }

            string folder = FolderName(layer);
            if (!folders.Add(folder))
            {
                throw new ToolException($"Layers map to the same folder '{folder}': plan them in separate galleries.");
            }

            layers.Add(new GalleryLayer(layer, folder, count, channels));
            foreach (string kind in options.RenderKinds)
            {
                for (int start = 0; start < channels.Count; start += options.Batch)
                {
                    int[] block = channels.Skip(start).Take(options.Batch).ToArray();
                    string id = GalleryKinds.UnitId(folder, kind, block[0], block[^1]);
                    if (!GalleryPaths.IsSafeName(folder) || !GalleryPaths.IsSafeName(id))
                    {
                        throw new ToolException($"Layer '{GalleryPaths.Describe(layer)}' gives no safe folder name.");
                    }

                    units.Add(new GalleryUnit(id, layer, folder, block, UnitSeed(options.Seed, id), kind));
                }
            }
        }

        if (options.Dataset is { } dataset)
        {
            if (planned * dataset.Examples * 2 > GalleryLimits.MaxExampleEntries)
            {
                throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"--examples {dataset.Examples} for {planned} channels keeps more than {GalleryLimits.MaxExampleEntries} examples per dataset unit: plan fewer channels or examples."));
            }

            for (int first = 0; first < dataset.Files.Count; first += dataset.Chunk)
            {
                int count = Math.Min(dataset.Chunk, dataset.Files.Count - first);
                string id = GalleryKinds.ExamplesUnitId(first, first + count - 1);
                units.Add(new GalleryUnit(id, string.Empty, GalleryKinds.ExamplesFolder, [], UnitSeed(options.Seed, id), GalleryKinds.Examples, first, count));
            }
        }

        return new GalleryPlan { OptionsHash = hash, Options = options, Layers = layers, Units = units };
    }

    /// <summary>A unit's seed: a pure function of the plan's seed and the unit's id (SHA-256, 63 bits).</summary>
    public static long UnitSeed(long planSeed, string unitId)
    {
        byte[] digest = SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{planSeed}/{unitId}")));
        return (long)(BitConverter.ToUInt64(digest, 0) & long.MaxValue);
    }

    /// <summary>A file-system-safe folder name for a layer.</summary>
    public static string FolderName(string layer)
    {
        var builder = new StringBuilder(layer.Length);
        foreach (char c in layer)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }

        return builder.ToString();
    }

    /// <summary>The units of shard <paramref name="shard"/>: unit k belongs to shard k mod N.</summary>
    public IReadOnlyList<GalleryUnit> UnitsOf(ShardSpec shard) =>
        Units.Where((_, k) => k % shard.Count == shard.Index).ToArray();

    public string ToJson() => JsonSerializer.Serialize(this, GalleryJson.Indented) + "\n";

    public void Save(string directory) => AtomicFile.WriteAllText(Path.Combine(directory, FileName), ToJson());

    /// <summary>
    /// Reads <c>DIR/gallery.json</c> as untrusted input (a shared folder): its options must pass the checks of
    /// <c>gallery plan</c> (<see cref="GalleryOptions.Validate"/>) and hash to its <c>optionsHash</c>, and its layers
    /// and units must be exactly what <see cref="Create"/> derives from the options and the layers' channel counts:
    /// so every folder name and unit id is one the tool made, never a path a hand-edited file chose.
    /// </summary>
    /// <exception cref="ToolException">There is no plan, it cannot be read, or it is not a valid plan.</exception>
    /// <exception cref="GalleryConflictException">The plan was edited (its options, layers or units).</exception>
    public static GalleryPlan Load(string directory)
    {
        string path = Path.Combine(directory, FileName);
        byte[] bytes = GalleryPaths.ReadIfPresent(directory, GalleryLimits.MaxPlanFileBytes, FileName)
            ?? throw new ToolException($"'{Path.GetFullPath(directory)}' holds no gallery plan ({FileName}): make one with 'lucent gallery plan <model> --out {directory}'.");
        GalleryPlan? plan;
        try
        {
            plan = JsonSerializer.Deserialize<GalleryPlan>(bytes, GalleryJson.Reading);
        }
        catch (JsonException e)
        {
            throw new ToolException($"'{path}' is not a gallery plan: {GalleryPaths.Describe(ModelSource.FirstLine(e.Message))}", e);
        }

        if (plan is null || plan.Format != CurrentFormat)
        {
            throw new ToolException($"'{path}' is not a {CurrentFormat} gallery plan.");
        }

        try
        {
            plan.Options.Validate();
        }
        catch (ToolException e)
        {
            throw new ToolException($"'{path}' is not a valid gallery plan: options: {e.Message}", e);
        }

        string actual = plan.Options.Hash();
        if (actual != plan.OptionsHash)
        {
            throw new GalleryConflictException($"'{path}' says its options hash is {GalleryPaths.Describe(plan.OptionsHash)} but its options hash to {actual}: the plan was edited; make a new plan in a new folder.");
        }

        if (plan.Derive() is { } difference)
        {
            throw new GalleryConflictException($"'{path}' was edited: {difference}; its layers and units must be the ones its options give. Make a new plan in a new folder.");
        }

        return plan;
    }

    /// <summary>
    /// Derives the layers and units again from <see cref="Options"/> and each layer's channel count and compares them
    /// with the ones read. Null when they are the same; otherwise the first difference, for a one-line message.
    /// </summary>
    private string? Derive()
    {
        var options = Options;
        if (Layers is null || Units is null || Layers.Count != options.Layers.Count)
        {
            return string.Create(CultureInfo.InvariantCulture, $"it lists {Layers?.Count.ToString(CultureInfo.InvariantCulture) ?? "no"} layers but its options name {options.Layers.Count}");
        }

        var modelChannels = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Layers.Count; i++)
        {
            var layer = Layers[i];
            if (layer is null || layer.Name != options.Layers[i])
            {
                return string.Create(CultureInfo.InvariantCulture, $"layers[{i}] is {(layer is null ? "null" : $"'{GalleryPaths.Describe(layer.Name)}'")}, but its options name '{GalleryPaths.Describe(options.Layers[i])}'");
            }

            if (layer.ModelChannels is < 1 or > GalleryLimits.MaxLayerChannels)
            {
                return string.Create(CultureInfo.InvariantCulture, $"layers[{i}].modelChannels is {layer.ModelChannels}, not between 1 and {GalleryLimits.MaxLayerChannels}");
            }

            modelChannels[layer.Name] = layer.ModelChannels;
        }

        GalleryPlan expected;
        try
        {
            expected = Create(options, modelChannels);
        }
        catch (ToolException e)
        {
            return e.Message;
        }

        for (int i = 0; i < Layers.Count; i++)
        {
            GalleryLayer read = Layers[i], made = expected.Layers[i];
            if (read.Folder != made.Folder)
            {
                return $"layers[{i}].folder is '{GalleryPaths.Describe(read.Folder)}', but layer '{GalleryPaths.Describe(read.Name)}' has the folder '{made.Folder}'";
            }

            if (read.Channels is null || !read.Channels.SequenceEqual(made.Channels))
            {
                return string.Create(CultureInfo.InvariantCulture, $"layers[{i}].channels are not the {made.Channels.Count} channels that --channels {GalleryPaths.Describe(options.Channels)} selects of its {made.ModelChannels}");
            }
        }

        if (Units.Count != expected.Units.Count)
        {
            return string.Create(CultureInfo.InvariantCulture, $"it lists {Units.Count} units, but its options give {expected.Units.Count}");
        }

        for (int i = 0; i < Units.Count; i++)
        {
            GalleryUnit? read = Units[i];
            GalleryUnit made = expected.Units[i];
            string? field = read is null ? "itself"
                : read.Id != made.Id ? "id"
                : read.Layer != made.Layer ? "layer"
                : read.Folder != made.Folder ? "folder"
                : read.Channels is null || !read.Channels.SequenceEqual(made.Channels) ? "channels"
                : read.Seed != made.Seed ? "seed"
                : read.Kind != made.Kind ? "kind"
                : read.ImageFirst != made.ImageFirst || read.ImageCount != made.ImageCount ? "images"
                : null;
            if (field is not null)
            {
                return string.Create(CultureInfo.InvariantCulture, $"units[{i}] ('{GalleryPaths.Describe(read?.Id)}') differs in its {field} from the unit its options give ('{made.Id}')");
            }
        }

        return null;
    }
}

/// <summary>
/// The bounds of a gallery plan, declared once: <c>gallery plan</c> refuses values outside them and
/// <see cref="GalleryPlan.Load"/> refuses a <c>gallery.json</c> that holds them (<see cref="GalleryOptions.Validate"/>).
/// </summary>
internal static class GalleryLimits
{
    public const int MinSize = 8;
    public const int MaxSize = 2048;
    public const int MaxSteps = 100_000;

    /// <summary>The most thresholds (images kept per channel): each one is a PNG per channel and a batch of images in memory.</summary>
    public const int MaxThresholds = 1_000;

    public const int MaxBatch = 1024;

    /// <summary>The most layers in one plan.</summary>
    public const int MaxLayers = 4096;

    /// <summary>The longest layer name: its folder name plus a unit id's suffix and a staging folder's must fit a file name.</summary>
    public const int MaxLayerNameLength = 180;

    /// <summary>The most channels a layer may have.</summary>
    public const int MaxLayerChannels = 65_536;

    /// <summary>The most channels of all layers of one plan together.</summary>
    public const int MaxPlannedChannels = 1 << 20;

    public const int MaxModelLength = 4096;
    public const int MaxChannelsTextLength = 4096;

    /// <summary>The largest <c>gallery.json</c> read (a plan of <see cref="MaxPlannedChannels"/> channels in batches of 8 is about 30 MB).</summary>
    public const long MaxPlanFileBytes = 64L << 20;

    /// <summary>The largest done marker read.</summary>
    public const long MaxDoneFileBytes = 64 << 10;

    /// <summary>The largest channel record read (a loss per step: at most <see cref="MaxSteps"/> numbers).</summary>
    public const long MaxChannelFileBytes = 8L << 20;

    /// <summary>The most images of a diversity batch.</summary>
    public const int MaxDiversityImages = 64;

    /// <summary>The largest weight of the diversity term.</summary>
    public const double MaxDiversityWeight = 1e6;

    /// <summary>The most images of a dataset.</summary>
    public const int MaxDatasetImages = 200_000;

    /// <summary>The longest path of a dataset image (relative to the dataset folder) and of the dataset folder.</summary>
    public const int MaxDatasetPathLength = 1024;

    /// <summary>The most characters of all dataset image paths together (they are part of the plan).</summary>
    public const long MaxDatasetPathBytes = 24L << 20;

    /// <summary>The largest dataset list file read.</summary>
    public const long MaxDatasetListBytes = 64L << 20;

    /// <summary>The largest size dataset images are resized to for the model.</summary>
    public const int MaxExamplesInputSize = 1024;

    /// <summary>The most examples kept per channel, at the top and at the bottom each.</summary>
    public const int MaxExamples = 100;

    /// <summary>The most images of one dataset unit.</summary>
    public const int MaxExamplesChunk = 65_536;

    /// <summary>The most examples (channels x examples x 2) one dataset unit keeps: bounds its record and the merge's memory.</summary>
    public const long MaxExampleEntries = 4_000_000;

    /// <summary>The largest number of worker-seconds a done marker may record (about 31 years).</summary>
    public const double MaxUnitSeconds = 1e9;
}

/// <summary>JSON settings of every file the gallery writes: camelCase, invariant, stable order.</summary>
internal static class GalleryJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static JsonSerializerOptions Indented { get; } = new(Options) { WriteIndented = true };

    /// <summary>
    /// How gallery files are read (they are untrusted): a null where the type has none, a missing constructor
    /// parameter or a repeated key is a <see cref="JsonException"/>, not a default value.
    /// </summary>
    public static JsonSerializerOptions Reading { get; } = new(Options)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        AllowDuplicateProperties = false,
    };
}

/// <summary>Parses channel selections: <c>all</c>, <c>7</c>, <c>0-63</c>, <c>0-3,10,12-13</c>.</summary>
internal static class ChannelSelection
{
    public static IReadOnlyList<int> Parse(string text, int channelCount, string layer)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return Enumerable.Range(0, channelCount).ToArray();
        }

        var ranges = new List<(int First, int Last)>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string[] bounds = part.Split('-', StringSplitOptions.TrimEntries);
            if (bounds.Length is < 1 or > 2
                || !int.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out int first)
                || !int.TryParse(bounds[^1], NumberStyles.None, CultureInfo.InvariantCulture, out int last)
                || last < first)
            {
                throw new ToolException($"--channels: '{part}' is not a channel or a range such as 0-63 (use 'all', '7', '0-63' or '0-3,10').");
            }

            if (last >= channelCount)
            {
                throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"--channels: layer '{layer}' has {channelCount} channels (0-{channelCount - 1}); '{part}' is out of range."));
            }

            ranges.Add((first, last));
        }

        if (ranges.Count == 0)
        {
            throw new ToolException("--channels selects no channel.");
        }

        // Merged in order, so the cost is the ranges' count plus the channels selected, however the ranges overlap.
        ranges.Sort();
        var result = new List<int>();
        int next = 0;
        foreach (var (first, last) in ranges)
        {
            for (int c = Math.Max(first, next); c <= last; c++)
            {
                result.Add(c);
            }

            next = Math.Max(next, last + 1);
        }

        return result;
    }
}
