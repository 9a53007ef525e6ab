using Lucent.Net.Tool.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Lucent.Net.Images;
using Lucent.Net.Imaging;
using Lucent.Net.Rendering;
using Lucent.Net.Runtime;
using static TorchSharp.torch;

namespace Lucent.Net.Tool.Gallery;

/// <summary>
/// The dataset of a plan (<c>--dataset</c>): the folder its images are read from and their paths relative to it, sorted
/// (ordinal, '/' separators), so an image's index is its rank and ties between examples break by file path.
/// </summary>
internal sealed record DatasetOptions
{
    /// <summary>The dataset folder, a full path.</summary>
    public required string Root { get; init; }

    /// <summary>The images, relative to <see cref="Root"/>, sorted and distinct.</summary>
    public required IReadOnlyList<string> Files { get; init; }

    /// <summary>Examples kept per channel at the top and at the bottom each (k).</summary>
    public required int Examples { get; init; }

    /// <summary>Images per dataset unit.</summary>
    public required int Chunk { get; init; }

    /// <summary>The size (n x n) every image is cropped (centre square) and resized to before the model sees it.</summary>
    public required int InputSize { get; init; }

    /// <summary>Whether <paramref name="other"/> names the same images and settings.</summary>
    public bool SameAs(DatasetOptions other) =>
        Root == other.Root && Files.SequenceEqual(other.Files) && Examples == other.Examples && Chunk == other.Chunk && InputSize == other.InputSize;

    /// <summary>Checks the dataset options against <see cref="GalleryLimits"/>.</summary>
    /// <exception cref="ToolException">An option is out of its bounds, or a path is not a plain relative path.</exception>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Root) || Root.Length > GalleryLimits.MaxDatasetPathLength || Root.Any(char.IsControl) || !Path.IsPathFullyQualified(Root))
        {
            throw new ToolException($"--dataset: the dataset folder must be a full path of at most {GalleryLimits.MaxDatasetPathLength} characters without control characters; got '{GalleryPaths.Describe(Root)}'.");
        }

        if (Files is null || Files.Count is 0 or > GalleryLimits.MaxDatasetImages)
        {
            throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"--dataset must hold 1 to {GalleryLimits.MaxDatasetImages} JPEG or PNG images; got {Files?.Count ?? 0}."));
        }

        long total = 0;
        for (int i = 0; i < Files.Count; i++)
        {
            string? file = Files[i];
            if (PathProblem(file) is { } problem)
            {
                throw new ToolException($"--dataset: '{GalleryPaths.Describe(file)}' {problem}.");
            }

            if (i > 0 && string.CompareOrdinal(Files[i - 1], file) >= 0)
            {
                throw new ToolException("--dataset: the image paths must be sorted (ordinal) and distinct.");
            }

            total += file!.Length;
        }

        if (total > GalleryLimits.MaxDatasetPathBytes)
        {
            throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"--dataset: the image paths hold more than {GalleryLimits.MaxDatasetPathBytes} characters together; split the dataset."));
        }

        Check("--examples", Examples, 1, GalleryLimits.MaxExamples);
        Check("--examples-chunk", Chunk, 1, GalleryLimits.MaxExamplesChunk);
        Check("--examples-size", InputSize, GalleryLimits.MinSize, GalleryLimits.MaxExamplesInputSize);

        static void Check(string name, int value, int min, int max)
        {
            if (value < min || value > max)
            {
                throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"{name} must be between {min} and {max}; got {value}."));
            }
        }
    }

    /// <summary>What makes <paramref name="file"/> not a plain relative path below the dataset folder; null when it is one.</summary>
    public static string? PathProblem(string? file)
    {
        if (string.IsNullOrEmpty(file) || file.Length > GalleryLimits.MaxDatasetPathLength)
        {
            return string.Create(CultureInfo.InvariantCulture, $"must have 1 to {GalleryLimits.MaxDatasetPathLength} characters");
        }

        if (file.Any(c => char.IsControl(c) || c == '\\') || file.StartsWith('/'))
        {
            return "must be a relative path with '/' separators and no control characters";
        }

        return file.Split('/').Any(part => part is "" or "." or "..") ? "must not hold empty, '.' or '..' parts" : null;
    }

    /// <summary>The full path of image <paramref name="index"/>.</summary>
    public string FullPath(int index) => Path.Join(Root, Files[index]);

    /// <summary>
    /// Lists a dataset: a folder (its JPEG and PNG files by extension, recursively; links, hidden files and inaccessible
    /// folders skipped) or a list file (one path a line, relative to the list's folder; blank lines and <c># ...</c> skipped).
    /// </summary>
    /// <exception cref="ToolException">There is no such folder or file, it holds no image, or too many.</exception>
    public static (string Root, IReadOnlyList<string> Files) List(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        var files = new SortedSet<string>(StringComparer.Ordinal);
        string root;
        if (Directory.Exists(full))
        {
            root = Path.TrimEndingDirectorySeparator(full);
            var enumeration = new EnumerationOptions
            {
                RecurseSubdirectories = true,
                IgnoreInaccessible = true,
                AttributesToSkip = FileAttributes.ReparsePoint | FileAttributes.Hidden | FileAttributes.System,
                MaxRecursionDepth = 64,
            };
            foreach (string file in Directory.EnumerateFiles(root, "*", enumeration))
            {
                string extension = Path.GetExtension(file).ToLowerInvariant();
                if (extension is ".jpg" or ".jpeg" or ".png")
                {
                    Add(Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/'));
                }
            }
        }
        else if (File.Exists(full))
        {
            root = Path.GetDirectoryName(full) ?? throw new ToolException($"--dataset: '{full}' has no folder.");
            byte[] bytes;
            try
            {
                bytes = RegularFile.ReadAtMost(full, GalleryLimits.MaxDatasetListBytes, followSymbolicLinks: true);
            }
            catch (NotRegularFileException e)
            {
                throw new ToolException($"--dataset: '{full}' is not a regular file: {e.Message}", e);
            }

            if (bytes.Length > GalleryLimits.MaxDatasetListBytes)
            {
                throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"--dataset: the list '{full}' holds more than {GalleryLimits.MaxDatasetListBytes} bytes."));
            }

            foreach (string raw in System.Text.Encoding.UTF8.GetString(bytes).Split('\n'))
            {
                string line = raw.TrimEnd('\r').Trim();
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }

                string relative = Path.IsPathRooted(line) ? Path.GetRelativePath(root, line) : line;
                relative = relative.Replace(Path.DirectorySeparatorChar, '/');
                if (PathProblem(relative) is { } problem)
                {
                    throw new ToolException($"--dataset: the list '{full}' names '{GalleryPaths.Describe(line)}', which {problem} (inside the list's folder).");
                }

                Add(relative);
            }
        }
        else
        {
            throw new ToolException($"--dataset: '{full}' is neither a folder of images nor a list file.");
        }

        return files.Count == 0
            ? throw new ToolException($"--dataset: '{full}' holds no JPEG or PNG file (.jpg, .jpeg, .png).")
            : (root, files.ToArray());

        void Add(string relative)
        {
            if (files.Add(relative) && files.Count > GalleryLimits.MaxDatasetImages)
            {
                throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"--dataset: '{full}' holds more than {GalleryLimits.MaxDatasetImages} images; split it into several galleries or use a list file."));
            }
        }
    }
}

/// <summary>One example: a dataset image (its index), its mean activation over positions, and its strongest position.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record Example(int Image, double Mean, double Max, int X, int Y);

/// <summary>A channel's examples: those that excite it most (mean, descending) and least (ascending).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record ChannelExamples(int Channel, IReadOnlyList<Example> Top, IReadOnlyList<Example> Bottom);

/// <summary>
/// A layer's examples, the size of its activation map (for the position of <see cref="Example.Max"/>) and the side of
/// its centre unit's receptive field in pixels of the model's input (measured: <see cref="GalleryExamples.ReceptiveFields"/>).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record LayerExamples(string Layer, int Height, int Width, int ReceptiveField, IReadOnlyList<ChannelExamples> Channels);

/// <summary>An image of the dataset that was skipped, and why.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record SkippedImage(int Image, string Reason);

/// <summary>The record of one dataset unit: DIR/examples/UNIT.json, written atomically before its done marker.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record ExamplesRecord(string Unit, string OptionsHash, int ImageFirst, int ImageCount, IReadOnlyList<SkippedImage> Skipped, IReadOnlyList<LayerExamples> Layers);

/// <summary>
/// Dataset examples: each dataset unit runs the model on its images (centre square, resized to the plan's size, the
/// model's standard preprocessing) and keeps, for every planned channel, the k images of highest and of lowest mean
/// activation; <see cref="Merge"/> combines the units in plan order. Ties break by image index (the rank of the file path),
/// so the order is total, each unit's lists are exactly its top and bottom k, and the merge is exactly the dataset's:
/// the same bytes however the units are sharded or resumed, and memory bounded by k x channels.
/// </summary>
internal static class GalleryExamples
{
    /// <summary>Images per forward pass (fixed: the batches, and so the activations, do not depend on the shard).</summary>
    public const int ForwardBatch = 16;

    /// <summary>The longest reason kept for a skipped image.</summary>
    public const int MaxReasonLength = 400;

    /// <summary>The smallest width and height of a dataset image used (a smaller one is skipped: it shows nothing).</summary>
    public const int MinImageSide = 8;

    /// <summary>The decode limits of dataset images: the PNG loader's defaults, for JPEG too.</summary>
    public static ImageDecodeLimits Limits { get; } = ImageDecodeLimits.Default;

    /// <summary>An exception's message as a one-line reason: its first line, control characters as '?', at most <see cref="MaxReasonLength"/> characters.</summary>
    public static string Reason(string message)
    {
        string line = ModelSource.FirstLine(message);
        line = new string(line.Select(c => char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' ? '?' : c).ToArray());
        return line.Length > MaxReasonLength ? line[..MaxReasonLength] : line;
    }

    /// <summary>Whether <paramref name="a"/> comes before <paramref name="b"/> among the top examples (higher mean, then lower index).</summary>
    public static int CompareTop(Example a, Example b) => a.Mean != b.Mean ? b.Mean.CompareTo(a.Mean) : a.Image.CompareTo(b.Image);

    /// <summary>Whether <paramref name="a"/> comes before <paramref name="b"/> among the bottom examples (lower mean, then lower index).</summary>
    public static int CompareBottom(Example a, Example b) => a.Mean != b.Mean ? a.Mean.CompareTo(b.Mean) : a.Image.CompareTo(b.Image);

    /// <summary>Inserts <paramref name="example"/> into the sorted list <paramref name="kept"/> of at most <paramref name="k"/>.</summary>
    public static void Keep(List<Example> kept, Example example, int k, Comparison<Example> order)
    {
        if (kept.Count == k && order(example, kept[^1]) >= 0)
        {
            return;
        }

        int at = kept.Count;
        while (at > 0 && order(example, kept[at - 1]) < 0)
        {
            at--;
        }

        kept.Insert(at, example);
        if (kept.Count > k)
        {
            kept.RemoveAt(kept.Count - 1);
        }
    }

    /// <summary>Reads and decodes dataset image <paramref name="index"/> (PNG or JPEG, by its first bytes) to RGB; throws when it cannot.</summary>
    public static ImageBatch LoadImage(DatasetOptions dataset, int index)
    {
        byte[] bytes;
        try
        {
            bytes = RegularFile.ReadAtMost(dataset.FullPath(index), Limits.MaxFileBytes, followSymbolicLinks: false);
        }
        catch (NotRegularFileException e)
        {
            throw new InvalidDataException($"not a regular file: {e.Message}", e);
        }

        if (bytes.Length > Limits.MaxFileBytes)
        {
            throw new ImageTooLargeException(string.Create(CultureInfo.InvariantCulture, $"the file holds more than {Limits.MaxFileBytes} bytes (ImageDecodeLimits.MaxFileBytes)."));
        }

        if (bytes.Length == 0)
        {
            throw new InvalidDataException("the file is empty (0 bytes).");
        }

        ImageBatch image = SafeJpegLoader.HasSignature(bytes) ? SafeJpegLoader.Decode(bytes, Limits)
            : bytes.Length >= 8 && bytes[0] == 0x89 && bytes[1] == (byte)'P' ? SafePngLoader.Decode(bytes, Limits)
            : throw new InvalidDataException("the file is neither a PNG nor a JPEG (by its first bytes).");
        return image.Channels == 3 ? image : ToRgb(image);
    }

    /// <summary>The centre square of <paramref name="image"/> resized to <paramref name="size"/> x <paramref name="size"/> (area average), RGB, laid out HWC.</summary>
    public static ImageBatch SquareResize(ImageBatch image, int size)
    {
        ArgumentNullException.ThrowIfNull(image);
        int side = Math.Min(image.Width, image.Height);
        int left = (image.Width - side) / 2, top = (image.Height - side) / 2;
        var (xFirst, xWeights) = AreaWeights(side, size);
        var pixels = new float[size * size * 3];
        var row = new double[side * 3];
        for (int oy = 0; oy < size; oy++)
        {
            Array.Clear(row);
            for (int j = 0; j < xWeights[oy].Length; j++)
            {
                int sy = top + xFirst[oy] + j;
                double w = xWeights[oy][j];
                for (int sx = 0; sx < side; sx++)
                {
                    for (int c = 0; c < 3; c++)
                    {
                        row[(sx * 3) + c] += w * image[0, sy, left + sx, c];
                    }
                }
            }

            for (int ox = 0; ox < size; ox++)
            {
                for (int c = 0; c < 3; c++)
                {
                    double sum = 0;
                    for (int j = 0; j < xWeights[ox].Length; j++)
                    {
                        sum += xWeights[ox][j] * row[((xFirst[ox] + j) * 3) + c];
                    }

                    pixels[(((oy * size) + ox) * 3) + c] = (float)Math.Clamp(sum, 0, 1);
                }
            }
        }

        return new ImageBatch(pixels, 1, size, size, 3);
    }

    /// <summary>For each of <paramref name="output"/> cells over <paramref name="input"/> samples: the first sample and the weights (area overlap, or linear when enlarging), summing to 1.</summary>
    private static (int[] First, double[][] Weights) AreaWeights(int input, int output)
    {
        var first = new int[output];
        var weights = new double[output][];
        double scale = (double)input / output;
        for (int o = 0; o < output; o++)
        {
            if (scale >= 1)
            {
                double from = o * scale, to = (o + 1) * scale;
                int a = (int)Math.Floor(from), b = Math.Min(input, (int)Math.Ceiling(to));
                first[o] = a;
                weights[o] = new double[b - a];
                for (int s = a; s < b; s++)
                {
                    weights[o][s - a] = (Math.Min(to, s + 1) - Math.Max(from, s)) / scale;
                }
            }
            else
            {
                double centre = Math.Clamp(((o + 0.5) * scale) - 0.5, 0, input - 1);
                int a = Math.Min((int)Math.Floor(centre), Math.Max(0, input - 2));
                double t = centre - a;
                first[o] = a;
                weights[o] = input == 1 ? [1.0] : [1 - t, t];
            }
        }

        return (first, weights);
    }

    private static ImageBatch ToRgb(ImageBatch image)
    {
        var pixels = new float[image.Height * image.Width * 3];
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                float v = image[0, y, x, 0];
                int o = ((y * image.Width) + x) * 3;
                pixels[o] = pixels[o + 1] = pixels[o + 2] = v;
            }
        }

        return new ImageBatch(pixels, 1, image.Height, image.Width, 3);
    }

    /// <summary>
    /// Runs dataset unit <paramref name="unit"/>: every image of it (an unreadable or hostile one skipped with a line in
    /// <paramref name="log"/>), the model in fixed batches, each planned channel's top and bottom k. Writes DIR/examples/UNIT.json.
    /// </summary>
    /// <returns>The images used and skipped.</returns>
    public static (int Used, int Skipped) RunUnit(string dir, GalleryPlan plan, GalleryUnit unit, nn.Module<Tensor, Tensor> model, TextWriter log, string prefix, CancellationToken cancellationToken)
    {
        var dataset = plan.Options.Dataset ?? throw new ToolException("the plan has no dataset.");
        int k = dataset.Examples;
        var top = plan.Layers.Select(l => l.Channels.Select(_ => new List<Example>()).ToArray()).ToArray();
        var bottom = plan.Layers.Select(l => l.Channels.Select(_ => new List<Example>()).ToArray()).ToArray();
        var grid = new (int Height, int Width)[plan.Layers.Count];
        var skipped = new List<SkippedImage>();
        var pending = new List<(int Index, ImageBatch Image)>();
        int used = 0;
        for (int index = unit.ImageFirst; index < unit.ImageFirst + unit.ImageCount; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var image = LoadImage(dataset, index);
                if (Math.Min(image.Width, image.Height) < MinImageSide)
                {
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"the image is {image.Width}x{image.Height} pixels; dataset examples need at least {MinImageSide} x {MinImageSide}."));
                }

                pending.Add((index, SquareResize(image, dataset.InputSize)));
            }
            catch (Exception e) when (e is InvalidPngException or InvalidJpegException or ImageTooLargeException or InvalidDataException or IOException or UnauthorizedAccessException)
            {
                string reason = Reason(e.Message);
                skipped.Add(new SkippedImage(index, reason));
                log.WriteLine($"{prefix}: skipped image '{GalleryPaths.Describe(dataset.Files[index])}': {reason}");
            }

            if (pending.Count == ForwardBatch || (index == unit.ImageFirst + unit.ImageCount - 1 && pending.Count > 0))
            {
                Forward(plan, model, pending, top, bottom, grid, k);
                used += pending.Count;
                pending.Clear();
            }
        }

        int[] fields = ReceptiveFields(plan, model, dataset.InputSize);
        var layers = new List<LayerExamples>();
        for (int l = 0; l < plan.Layers.Count; l++)
        {
            var layer = plan.Layers[l];
            layers.Add(new LayerExamples(layer.Name, grid[l].Height, grid[l].Width, fields[l], layer.Channels.Select((c, i) => new ChannelExamples(c, top[l][i], bottom[l][i])).ToArray()));
        }

        var record = new ExamplesRecord(unit.Id, plan.OptionsHash, unit.ImageFirst, unit.ImageCount, skipped, layers);

        // Staged like a render unit's files: a worker killed at any point leaves no partial file in DIR/examples, and the
        // next run of the unit removes its stale staging folder.
        GalleryCrashPoint.Reach(unit.Id, "rendered");
        StagingArea.RemoveStale(dir, unit.Id);
        using var area = StagingArea.Create(dir, unit.Id);
        string name = unit.Id + ".json";
        File.WriteAllText(Path.Combine(area.Folder, name), JsonSerializer.Serialize(record, GalleryJson.Options) + "\n");
        GalleryCrashPoint.Reach(unit.Id, "staged");
        Directory.CreateDirectory(GalleryPaths.Inside(dir, GalleryKinds.ExamplesFolder));
        File.Move(Path.Combine(area.Folder, name), GalleryPaths.Inside(dir, GalleryKinds.ExamplesFolder, name), overwrite: true);
        GalleryCrashPoint.Reach(unit.Id, "moved");
        return (used, skipped.Count);
    }

    private static void Forward(GalleryPlan plan, nn.Module<Tensor, Tensor> model, List<(int Index, ImageBatch Image)> images, List<Example>[][] top, List<Example>[][] bottom, (int Height, int Width)[] grid, int k)
    {
        int size = images[0].Image.Height;
        var chw = new float[images.Count * 3 * size * size];
        for (int b = 0; b < images.Count; b++)
        {
            var image = images[b].Image;
            for (int c = 0; c < 3; c++)
            {
                for (int y = 0; y < size; y++)
                {
                    for (int x = 0; x < size; x++)
                    {
                        chw[(((((b * 3) + c) * size) + y) * size) + x] = image.Pixels[(((y * size) + x) * 3) + c];
                    }
                }
            }
        }

        using var scope = NewDisposeScope();
        var device = model.parameters().FirstOrDefault()?.device ?? CPU;
        using var batch = tensor(chw, [images.Count, 3, size, size], device: device);
        using var activations = ActivationCapture.Capture(model, batch, plan.Layers.Select(l => l.Name));
        for (int l = 0; l < plan.Layers.Count; l++)
        {
            var layer = plan.Layers[l];
            var act = activations[layer.Name];
            if (act.dim() != 4)
            {
                throw new ToolException($"layer '{GalleryPaths.Describe(layer.Name)}' does not give (batch, channels, height, width) activations.");
            }

            int height = (int)act.shape[2], width = (int)act.shape[3];
            grid[l] = (height, width);
            var selected = act.index_select(1, tensor(layer.Channels.Select(c => (long)c).ToArray(), device: act.device)).to(ScalarType.Float32);
            float[] means = selected.mean([2, 3]).cpu().data<float>().ToArray();
            var (maxValues, maxIndexes) = selected.flatten(2).max(2);
            float[] maxes = maxValues.cpu().data<float>().ToArray();
            long[] positions = maxIndexes.cpu().data<long>().ToArray();
            int channels = layer.Channels.Count;
            for (int b = 0; b < images.Count; b++)
            {
                for (int i = 0; i < channels; i++)
                {
                    int at = (b * channels) + i;
                    if (!float.IsFinite(means[at]) || !float.IsFinite(maxes[at]))
                    {
                        continue;
                    }

                    var example = new Example(images[b].Index, means[at], maxes[at], (int)(positions[at] % width), (int)(positions[at] / width));
                    Keep(top[l][i], example, k, CompareTop);
                    Keep(bottom[l][i], example, k, CompareBottom);
                }
            }
        }
    }

    /// <summary>
    /// The side of each planned layer's centre-unit receptive field at <paramref name="size"/> x <paramref name="size"/>
    /// pixels, measured without gradients: a grey image and copies whose pixels outside a centred square of side
    /// 2r are changed run through the model, and the field is the smallest 2r for which no larger square changes the
    /// centre unit's activations (at most <paramref name="size"/>: the whole image). A pure function of the model and
    /// the size, so every dataset unit records the same.
    /// </summary>
    public static int[] ReceptiveFields(GalleryPlan plan, nn.Module<Tensor, Tensor> model, int size)
    {
        int half = size / 2;
        int step = Math.Max(1, (half + 31) / 32);
        var radii = new List<int>();
        for (int r = step; r < half; r += step)
        {
            radii.Add(r);
        }

        var fields = Enumerable.Repeat(size, plan.Layers.Count).ToArray();
        var unchangedFrom = new int[plan.Layers.Count];
        Array.Fill(unchangedFrom, radii.Count);
        var images = new float[(radii.Count + 1) * 3 * size * size];
        Array.Fill(images, 0.5f);
        for (int k = 0; k < radii.Count; k++)
        {
            int r = radii[k];
            int offset = (k + 1) * 3 * size * size;
            for (int c = 0; c < 3; c++)
            {
                for (int y = 0; y < size; y++)
                {
                    for (int x = 0; x < size; x++)
                    {
                        bool inside = y >= half - r && y < half + r && x >= half - r && x < half + r;
                        if (!inside)
                        {
                            images[offset + (((c * size) + y) * size) + x] = ((x + y + c) & 1) == 0 ? 0f : 1f;
                        }
                    }
                }
            }
        }

        using var scope = NewDisposeScope();
        var device = model.parameters().FirstOrDefault()?.device ?? CPU;
        using var batch = tensor(images, [radii.Count + 1, 3, size, size], device: device);
        using var activations = ActivationCapture.Capture(model, batch, plan.Layers.Select(l => l.Name));
        for (int l = 0; l < plan.Layers.Count; l++)
        {
            var act = activations[plan.Layers[l].Name];
            if (act.dim() != 4)
            {
                continue;
            }

            long cy = act.shape[2] / 2, cx = act.shape[3] / 2;
            float[] centre = act.select(3, cx).select(2, cy).to(ScalarType.Float32).cpu().data<float>().ToArray();
            int channels = (int)act.shape[1];
            float scale = 1e-5f * (1 + centre.Take(channels).Select(Math.Abs).DefaultIfEmpty(0).Max());

            // Walk from the largest square down: the field is the smallest radius from which every larger one leaves the centre unchanged.
            for (int k = radii.Count - 1; k >= 0; k--)
            {
                bool same = true;
                for (int c = 0; c < channels && same; c++)
                {
                    same = Math.Abs(centre[((k + 1) * channels) + c] - centre[c]) <= scale;
                }

                if (!same)
                {
                    break;
                }

                unchangedFrom[l] = k;
            }

            fields[l] = unchangedFrom[l] < radii.Count ? Math.Min(size, 2 * radii[unchangedFrom[l]]) : size;
        }

        return fields;
    }

    /// <summary>The square of side <paramref name="field"/> (pixels of the model's <paramref name="size"/> x <paramref name="size"/> view) around activation position (x, y) of a <paramref name="height"/> x <paramref name="width"/> map, cut from the image's centre square and resized to <paramref name="output"/> px.</summary>
    public static ImageBatch CropAt(ImageBatch image, int size, int height, int width, int x, int y, int field, int output)
    {
        ArgumentNullException.ThrowIfNull(image);
        int side = Math.Min(image.Width, image.Height);
        int left = (image.Width - side) / 2, top = (image.Height - side) / 2;
        double scale = (double)side / size;
        double view = Math.Clamp(field, 1, size);
        double cx = (x + 0.5) * size / Math.Max(1, width), cy = (y + 0.5) * size / Math.Max(1, height);
        double bx = Math.Clamp(cx - (view / 2), 0, size - view), by = Math.Clamp(cy - (view / 2), 0, size - view);
        int crop = Math.Max(1, (int)Math.Round(view * scale));
        int x0 = Math.Clamp(left + (int)Math.Round(bx * scale), left, left + side - crop);
        int y0 = Math.Clamp(top + (int)Math.Round(by * scale), top, top + side - crop);
        var pixels = new float[crop * crop * 3];
        for (int row = 0; row < crop; row++)
        {
            for (int column = 0; column < crop; column++)
            {
                for (int c = 0; c < 3; c++)
                {
                    pixels[(((row * crop) + column) * 3) + c] = image[0, y0 + row, x0 + column, c];
                }
            }
        }

        return SquareResize(new ImageBatch(pixels, 1, crop, crop, 3), output);
    }

    /// <summary>The largest record of a dataset unit of <paramref name="plan"/> (its examples and skipped images, compact JSON).</summary>
    public static long MaxRecordBytes(GalleryPlan plan, GalleryUnit unit)
    {
        long channels = plan.Layers.Sum(l => (long)l.Channels.Count);
        long examples = plan.Options.Dataset?.Examples ?? 0;
        return 4096 + (plan.Layers.Count * (GalleryLimits.MaxLayerNameLength * 6L + 128)) + (channels * (64 + (examples * 2 * 128))) + (unit.ImageCount * (MaxReasonLength * 6L + 64));
    }

    /// <summary>
    /// Reads DIR/examples/UNIT.json and checks it against the plan: unit, options, images, layers and channels the plan's;
    /// every example an image of the unit, at most k, in order, finite; every skipped image of the unit, once. Null when
    /// there is none.
    /// </summary>
    /// <exception cref="GalleryFileException">The record is unreadable or not this plan's; the message says why.</exception>
    public static ExamplesRecord? ReadRecord(string dir, GalleryPlan plan, GalleryUnit unit)
    {
        string name = unit.Id + ".json";
        ExamplesRecord? record;
        try
        {
            byte[]? bytes = GalleryPaths.ReadIfPresent(dir, MaxRecordBytes(plan, unit), GalleryKinds.ExamplesFolder, name);
            if (bytes is null)
            {
                return null;
            }

            record = JsonSerializer.Deserialize<ExamplesRecord>(bytes, GalleryJson.Reading);
        }
        catch (JsonException e)
        {
            throw new GalleryFileException($"{GalleryKinds.ExamplesFolder}/{name} is not a dataset unit record: {GalleryPaths.Describe(e.Message)}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GalleryFileException($"{GalleryKinds.ExamplesFolder}/{name} cannot be read: {GalleryPaths.Describe(e.Message)}", e);
        }

        string? problem = record is null ? "it is null" : Problem(record, plan, unit);
        return problem is null ? record : throw new GalleryFileException($"{GalleryKinds.ExamplesFolder}/{name} is not this plan's record of unit {unit.Id}: {problem}.");
    }

    private static string? Problem(ExamplesRecord record, GalleryPlan plan, GalleryUnit unit)
    {
        int k = plan.Options.Dataset!.Examples;
        int first = unit.ImageFirst, end = unit.ImageFirst + unit.ImageCount;
        if (record.Unit != unit.Id || record.OptionsHash != plan.OptionsHash || record.ImageFirst != first || record.ImageCount != unit.ImageCount)
        {
            return $"its unit, options or images are not the plan's (unit '{GalleryPaths.Describe(record.Unit)}', options {GalleryPaths.Describe(record.OptionsHash)})";
        }

        if (record.Skipped is null || record.Skipped.Count > unit.ImageCount)
        {
            return "its skipped images are not a list of the unit's images";
        }

        for (int i = 0; i < record.Skipped.Count; i++)
        {
            if (record.Skipped[i] is not { } s || s.Image < first || s.Image >= end || (i > 0 && s.Image <= record.Skipped[i - 1].Image) || s.Reason is null || s.Reason.Length > MaxReasonLength)
            {
                return string.Create(CultureInfo.InvariantCulture, $"skipped[{i}] is not an image of the unit in order with a reason of at most {MaxReasonLength} characters");
            }
        }

        if (record.Layers is null || record.Layers.Count != plan.Layers.Count)
        {
            return "its layers are not the plan's";
        }

        for (int l = 0; l < plan.Layers.Count; l++)
        {
            var layer = plan.Layers[l];
            var read = record.Layers[l];
            if (read is null || read.Layer != layer.Name || read.Channels is null || read.Channels.Count != layer.Channels.Count
                || read.Height is < 0 or > GalleryLimits.MaxSize || read.Width is < 0 or > GalleryLimits.MaxSize
                || read.ReceptiveField < 1 || read.ReceptiveField > plan.Options.Dataset.InputSize)
            {
                return string.Create(CultureInfo.InvariantCulture, $"layers[{l}] is not layer '{GalleryPaths.Describe(layer.Name)}' with its {layer.Channels.Count} channels");
            }

            for (int i = 0; i < layer.Channels.Count; i++)
            {
                var channel = read.Channels[i];
                if (channel is null || channel.Channel != layer.Channels[i]
                    || ListProblem(channel.Top, CompareTop) is not null || ListProblem(channel.Bottom, CompareBottom) is not null)
                {
                    return string.Create(CultureInfo.InvariantCulture, $"layers[{l}].channels[{i}] is not channel {layer.Channels[i]} with at most {k} examples of the unit's images, in order");
                }
            }

            string? ListProblem(IReadOnlyList<Example>? examples, Comparison<Example> order)
            {
                if (examples is null || examples.Count > k)
                {
                    return "count";
                }

                for (int j = 0; j < examples.Count; j++)
                {
                    var e = examples[j];
                    if (e is null || e.Image < first || e.Image >= end || !double.IsFinite(e.Mean) || !double.IsFinite(e.Max)
                        || e.X < 0 || e.X >= Math.Max(1, read.Width) || e.Y < 0 || e.Y >= Math.Max(1, read.Height)
                        || (j > 0 && order(examples[j - 1], e) >= 0))
                    {
                        return "example";
                    }
                }

                return null;
            }
        }

        return null;
    }

    /// <summary>
    /// Merges the records of the plan's dataset units, in plan order, into each planned channel's top and bottom k. A
    /// missing record counts as pending; an invalid one gets a warning and counts as pending too.
    /// </summary>
    public static MergedExamples Merge(string dir, GalleryPlan plan, TextWriter warnings)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        var dataset = plan.Options.Dataset;
        var top = plan.Layers.Select(l => l.Channels.Select(_ => new List<Example>()).ToArray()).ToArray();
        var bottom = plan.Layers.Select(l => l.Channels.Select(_ => new List<Example>()).ToArray()).ToArray();
        var grid = new (int Height, int Width)[plan.Layers.Count];
        var fields = new int[plan.Layers.Count];
        var skipped = new List<SkippedImage>();
        int done = 0, total = 0;
        if (dataset is not null)
        {
            foreach (var unit in plan.Units.Where(u => u.IsExamples))
            {
                total++;
                ExamplesRecord? record;
                try
                {
                    record = ReadRecord(dir, plan, unit);
                }
                catch (GalleryFileException e)
                {
                    warnings.WriteLine($"warning: {e.Message} Skipped: its images count as pending.");
                    continue;
                }

                if (record is null)
                {
                    continue;
                }

                done++;
                skipped.AddRange(record.Skipped);
                for (int l = 0; l < plan.Layers.Count; l++)
                {
                    grid[l] = (record.Layers[l].Height, record.Layers[l].Width);
                    fields[l] = record.Layers[l].ReceptiveField;
                    for (int i = 0; i < plan.Layers[l].Channels.Count; i++)
                    {
                        foreach (var e in record.Layers[l].Channels[i].Top)
                        {
                            Keep(top[l][i], e, dataset.Examples, CompareTop);
                        }

                        foreach (var e in record.Layers[l].Channels[i].Bottom)
                        {
                            Keep(bottom[l][i], e, dataset.Examples, CompareBottom);
                        }
                    }
                }
            }
        }

        var layers = new Dictionary<string, LayerExamples>(StringComparer.Ordinal);
        for (int l = 0; l < plan.Layers.Count; l++)
        {
            var layer = plan.Layers[l];
            layers[layer.Name] = new LayerExamples(layer.Name, grid[l].Height, grid[l].Width, fields[l], layer.Channels.Select((c, i) => new ChannelExamples(c, top[l][i], bottom[l][i])).ToArray());
        }

        return new MergedExamples(layers, skipped, done, total);
    }
}

/// <summary>The merged examples of a gallery: per layer, per channel; the images skipped; dataset units done of all.</summary>
internal sealed record MergedExamples(IReadOnlyDictionary<string, LayerExamples> Layers, IReadOnlyList<SkippedImage> Skipped, int DoneUnits, int TotalUnits);
