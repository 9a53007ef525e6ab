using Lucent.Net.Tool.CommandLine;
using Lucent.Net.Devices;
using System.CommandLine;
using System.Globalization;
using Lucent.Net.Expressions;
using Lucent.Net.Imaging;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Transforms;

namespace Lucent.Net.Tool;

/// <summary><c>lucent render &lt;model&gt; &lt;objective&gt; --out x.png</c>.</summary>
internal static class RenderCommand
{
    public static Command Create(TextWriter output)
    {
        var model = CommonOptions.ModelArgument();
        var objective = new Argument<string>("objective")
        {
            Description = "An objective expression (docs/expressions.md), e.g. \"layer3:7\" or \"channel(mixed4a, 97) - 100 * diversity(mixed4a)\".",
        };
        var outPath = CommonOptions.PathSymbol(new Option<string>("--out", "-o") { Description = "The PNG to write (earlier thresholds go next to it as NAME_sSTEP.png).", Required = true, HelpName = "file.png" });
        var steps = CommonOptions.IntOption("--steps", "Optimisation steps.", 512, 1, 100_000);
        var thresholds = new Option<string?>("--thresholds") { Description = "Also save the image at these steps, e.g. 64,128.", HelpName = "a,b" };
        var size = CommonOptions.IntOption("--size", "Image width and height in pixels.", RenderOptions.DefaultImageSize, 8, 2048);
        var inputSize = CommonOptions.OptionalIntOption("--input-size", "Resize images to n x n for the model. Default: Lucent's rule (upsample to 224 when smaller).", 1, RenderOptions.MaxFixedImageSize);
        var param = new Option<string>("--param") { Description = "Image parameterisation: fft (Fourier basis, decorrelated colours; Lucent's default), pixel, or maco (fixed natural magnitude spectrum, optimised phase; MACO's crops, NAdam and learning rate 1.0 unless --transforms is given; also writes NAME_alpha.png and NAME_heat.png from the transparency map).", DefaultValueFactory = _ => "fft", HelpName = "fft|pixel|maco" };
        param.AcceptOnlyFromAmong("fft", "pixel", "maco");
        var alpha = new Option<bool>("--alpha") { Description = "Render a transparent image (Lucid's alpha=True): RGBA, composited over random noise each step, written as an RGBA PNG." };
        var noTransforms = new Option<bool>("--no-transforms") { Description = "Render without Lucent's standard transforms (pad, jitter, scale, rotate)." };
        var transforms = new Option<string?>("--transforms")
        {
            Description = "Transforms to use instead of Lucent's standard ones, in the call syntax of docs/expressions.md, e.g. \"pad(12, mode=constant), jitter(8)\".",
            HelpName = "calls",
        };
        var seed = new Option<long>("--seed") { Description = "Seed: the same seed gives the same image. Default 0.", HelpName = "n" };
        var device = CommonOptions.DeviceOption();
        var normalize = new Option<string?>("--normalize")
        {
            Description = "The model's input normalisation, instead of its own (or ImageNet's): imagenet, none, 0-255, caffe, inception, or \"mean=M,M,M;std=S,S,S;range=0-1|0-255;order=rgb|bgr\". The choice is printed.",
            HelpName = "preset|spec",
        };
        var command = new Command("render", "Render an objective expression to a PNG.") { model, objective, outPath, steps, thresholds, size, inputSize, param, alpha, noTransforms, transforms, seed, device, normalize };
        command.SetAction(async (result, token) =>
        {
            string file = result.GetRequiredValue(outPath);
            int stepCount = result.GetValue(steps);
            var chosen = Transforms(result.GetValue(noTransforms), result.GetValue(transforms));
            bool fft = result.GetValue(param) == "fft";
            var normalization = Normalization(result.GetValue(normalize));
            bool maco = result.GetValue(param) == "maco";
            if (maco && result.GetValue(alpha))
            {
                throw new ToolException("--alpha does not apply to --param maco: a MACO render writes its transparency map as NAME_alpha.png instead.", ExitCodes.Usage);
            }

            var options = new RenderOptions
            {
                Thresholds = CommonOptions.Thresholds(result.GetValue(thresholds), stepCount),
                Seed = result.GetValue(seed),
                Transforms = chosen,
                Preprocessing = normalization,
                FixedImageSize = result.GetValue(inputSize) is int n ? (n, n) : null,
                Device = TorchDevices.Parse(result.GetValue(device)),
                Parameterization = new ImageOptions(result.GetValue(size)) { Fft = fft || maco, Decorrelate = fft, Alpha = result.GetValue(alpha), Maco = maco },
            };
            var parsed = ObjectiveExpression.Parse(result.GetRequiredValue(objective));

            // Sizes, batch and the largest image the transforms can make are checked before the model loads.
            options.Validate();
            using var module = await ModelSource.LoadAsync(result.GetRequiredValue(model), options.Device, token).ConfigureAwait(false);
            await output.WriteLineAsync(InputLine(module, options)).ConfigureAwait(false);
            var render = await Renderer.RenderAsync(module, parsed, options, progress: null, token).ConfigureAwait(false);
            if (render.StopReason == RenderStopReason.Cancelled)
            {
                throw new OperationCanceledException(token);
            }

            foreach (var snapshot in render.Snapshots)
            {
                string path = snapshot.Step == stepCount
                    ? file
                    : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileNameWithoutExtension(file)}_s{snapshot.Step:D5}.png"));
                AtomicFile.WriteAllBytes(path, snapshot.Images.ToPngBytes());
            }

            if (render.Transparency is { } transparency && render.Snapshots.Count > 0)
            {
                string stem = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, Path.GetFileNameWithoutExtension(file));
                TransparencyMaps.SaveRgbaPng(stem + "_alpha.png", render.FinalImages, transparency);
                TransparencyMaps.SaveHeatMapPng(stem + "_heat.png", transparency);
            }

            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{Path.GetFullPath(file)}: {parsed} from {-render.InitialLoss:G5} to {-render.FinalLoss:G5} in {stepCount} steps, {render.Elapsed.TotalSeconds:F1} s ({render.StopReason}).")).ConfigureAwait(false);
            return render.StopReason == RenderStopReason.Completed ? 0 : ExitCodes.Error;
        });
        return command;
    }

    /// <summary>The normalisation of <c>--normalize</c>; null means the model's own preprocessing (or ImageNet's).</summary>
    private static InputNormalization? Normalization(string? text)
    {
        try
        {
            return text is null ? null : InputNormalization.Parse(text);
        }
        catch (FormatException e)
        {
            throw new ToolException($"--normalize: {e.Message}", ExitCodes.Usage);
        }
    }

    /// <summary>The line saying what the model is fed: its input size and normalisation, and where each comes from.</summary>
    private static string InputLine(TorchSharp.torch.nn.Module module, RenderOptions options)
    {
        string normalization = options.Preprocessing is InputNormalization chosen
            ? chosen.Description + " (--normalize)"
            : (module as IPreprocessingProvider)?.Preprocessing is { } own
                ? own.Name + " (the model's own; --normalize to change)"
                : InputNormalization.ImageNet.Description + " (default; --normalize to change)";
        string size = options.FixedImageSize is { } given
            ? string.Create(CultureInfo.InvariantCulture, $"{given.Height}x{given.Width} (--input-size)")
            : Renderer.ModelInputSize(module, options) is { } fixedSize
                ? string.Create(CultureInfo.InvariantCulture, $"{fixedSize.Height}x{fixedSize.Width} (the model's fixed input size)")
                : string.Create(CultureInfo.InvariantCulture, $"the image's size, upsampled to {RenderOptions.MinimumModelInputSize} when smaller");
        return $"Model input: {size}; normalisation: {normalization}.";
    }

    /// <summary>The transforms of <c>--no-transforms</c> or <c>--transforms</c>; null means Lucent's standard ones.</summary>
    private static IReadOnlyList<Transforms.IImageTransform>? Transforms(bool none, string? calls)
    {
        if (calls is null)
        {
            return none ? [] : null;
        }

        return none
            ? throw new ToolException("--transforms and --no-transforms exclude each other: give the transforms, or none.", ExitCodes.Usage)
            : TransformExpression.ParsePipeline(calls).Transforms;
    }
}
