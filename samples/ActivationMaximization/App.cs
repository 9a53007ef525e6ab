using System.CommandLine;
using System.Globalization;
using Lucent.Net.ModelZoo.Weights;

namespace ActivationMaximization;

/// <summary>Services the app uses that tests replace.</summary>
public sealed record AppEnvironment
{
    /// <summary>The environment of a normal run.</summary>
    public static AppEnvironment Default { get; } = new();

    /// <summary>Options of the weight store that finds or downloads InceptionV1's weights; null for the defaults.</summary>
    public WeightStoreOptions? WeightStore { get; init; }

    /// <summary>Whether the live (Spectre.Console) progress display may be used; it never is when output is not the console.</summary>
    public bool AllowLiveDisplay { get; init; } = true;
}

/// <summary>The command-line app: parses arguments and runs the tutorial's experiments.</summary>
public static class App
{
    /// <summary>Exit code of a run stopped by Ctrl+C.</summary>
    public const int CancelledExitCode = 130;

    /// <summary>Exit code of a run that could not start or failed (the message says why).</summary>
    public const int ErrorExitCode = 1;

    /// <summary>Exit code of a command line that could not be parsed.</summary>
    public const int UsageExitCode = 2;

    /// <summary>Runs the app in-process.</summary>
    /// <param name="args">The command line, e.g. <c>["all", "--quick"]</c>.</param>
    /// <param name="output">Where all output goes (progress, messages, help).</param>
    /// <param name="cancellationToken">Stops the run; what was rendered so far is written.</param>
    /// <returns>The exit code: 0 on success.</returns>
    public static Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken = default) =>
        RunAsync(args, output, AppEnvironment.Default, cancellationToken);

    /// <summary>Runs the app in-process with replaced services.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Where all output goes.</param>
    /// <param name="environment">Services to use.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>The exit code: 0 on success.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter output, AppEnvironment environment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(environment);
        var root = BuildCommandLine(async (settings, token) => await ExperimentRunner.RunAsync(settings, output, environment, token).ConfigureAwait(false));
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await output.WriteLineAsync("error: " + error.Message).ConfigureAwait(false);
            }

            await output.WriteLineAsync("Run with --help to see the commands and options.").ConfigureAwait(false);
            return UsageExitCode;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = output, EnableDefaultExceptionHandler = false }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Parses a command line into settings without running anything.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="settings">The settings, when parsing succeeded and a command (not --help) was given.</param>
    /// <param name="errors">The error messages otherwise.</param>
    /// <returns>Whether the command line was valid.</returns>
    public static bool TryParse(string[] args, out AppSettings? settings, out IReadOnlyList<string> errors)
    {
        AppSettings? parsed = null;
        var root = BuildCommandLine((s, _) =>
        {
            parsed = s;
            return Task.FromResult(0);
        });
        var result = root.Parse(args);
        errors = result.Errors.Select(e => e.Message).ToArray();
        if (errors.Count > 0)
        {
            settings = null;
            return false;
        }

        result.Invoke(new InvocationConfiguration { Output = TextWriter.Null, Error = TextWriter.Null });
        settings = parsed;
        return true;
    }

    private static RootCommand BuildCommandLine(Func<AppSettings, CancellationToken, Task<int>> run)
    {
        var model = new Option<string?>("--model", "-m")
        {
            Description = "The model: inceptionv1 (the tutorial's; needs its pretrained weights) or resnet18 (ships with NuGet). " +
                "Default: inceptionv1, falling back to resnet18 when its weights cannot be had.",
            HelpName = "inceptionv1|resnet18",
            Recursive = true,
        };
        model.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, "inceptionv1", "resnet18");
        var weights = new Option<string?>("--weights", "-w")
        {
            Description = "A weights file to use: InceptionV1's inception5h.pth, or ResNet18.onnx with --model resnet18. " +
                "Default: InceptionV1's from the weight store (LUCENT_NET_INCEPTIONV1_WEIGHTS, LUCENT_NET_WEIGHTS_DIR, the cache, or a download).",
            HelpName = "file",
            Recursive = true,
        };
        weights.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } path && !File.Exists(path))
            {
                result.AddError($"--weights: the file '{path}' does not exist.");
            }
        });
        var steps = PositiveIntOption("--steps", "Optimisation steps per image (the tutorial's thresholds=(256,)).", AppSettings.DefaultSteps, max: 100_000);
        steps.Aliases.Add("-s");
        var size = PositiveIntOption("--size", "Image width and height in pixels (images smaller than 224 are upsampled for the model, as in Lucent).", AppSettings.DefaultSize, max: 2048, min: 8);
        var inputSize = new Option<int?>("--input-size")
        {
            Description = "Resize images to n x n before the model. Default: Lucent's rule (upsample to 224 x 224 when smaller); --quick uses the image size.",
            HelpName = "n",
            Recursive = true,
        };
        inputSize.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && int.TryParse(result.Tokens[^1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && (value < 16 || value > 2048))
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"--input-size must be between 16 and 2048; got {value}."));
            }
        });
        var seed = new Option<long>("--seed")
        {
            Description = "Seed of every rendering and measurement: the same seed gives the same images.",
            DefaultValueFactory = _ => 0,
            HelpName = "n",
            Recursive = true,
        };
        var output = new Option<string>("--out", "-o")
        {
            Description = "Output folder (PNGs under images/, part figures, results.json, report.html).",
            DefaultValueFactory = _ => AppSettings.DefaultOutput,
            HelpName = "dir",
            Recursive = true,
        };
        var quick = new Option<bool>("--quick", "-q")
        {
            Description = $"Smoke run: {AppSettings.QuickSteps} steps, {AppSettings.QuickSize} px, and the model sees the image at its own size (no upsampling), unless --steps/--size/--input-size are given.",
            Recursive = true,
        };
        var noProgress = new Option<bool>("--no-progress")
        {
            Description = "Print plain progress lines instead of the live display (automatic when output is redirected).",
            Recursive = true,
        };
        var allowRandom = new Option<bool>("--allow-random-weights")
        {
            Description = "Let --model inceptionv1 run with random weights when its pretrained weights are missing. Only for tests and benchmarks: the images mean nothing.",
            Recursive = true,
        };
        var noDownload = new Option<bool>("--no-download")
        {
            Description = "Never download weights; use only local copies.",
            Recursive = true,
        };

        var device = new Option<string>("--device")
        {
            Description = "Where to render: auto (CUDA when TorchSharp has it, else the CPU), cpu, cuda or cuda:N. CUDA needs the app built with -p:TorchBackend=cuda (docs/gpu.md).",
            DefaultValueFactory = _ => Lucent.Net.Devices.TorchDevices.Auto,
            HelpName = "auto|cpu|cuda|cuda:N",
            Recursive = true,
        };
        device.Validators.Add(result =>
        {
            string value = result.GetValueOrDefault<string>()?.Trim().ToLowerInvariant() ?? string.Empty;
            if (value is not ("auto" or "cpu" or "cuda") && !System.Text.RegularExpressions.Regex.IsMatch(value, "^cuda:[0-9]+$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1)))
            {
                result.AddError($"--device must be auto, cpu, cuda or cuda:N; got '{value}'.");
            }
        });

        var bfloat16 = new Option<bool>("--bf16")
        {
            Description = "Run the model in bfloat16: about 2x faster on CPUs with AMX or avx512_bf16, slower elsewhere; the images reach the same activation (docs/performance.md) but differ in detail from float32 renders.",
            Recursive = true,
        };

        var root = new RootCommand(
            "Activation maximization, the tutorial in four parts: what image makes a neuron most excited?\n" +
            "Renders the tutorial's images with Lucent.Net and measures its claims; writes PNGs, one figure per part,\n" +
            "results.json and report.html to --out.\n\n" +
            "Examples:\n" +
            "  ActivationMaximization                       all four parts (InceptionV1, or ResNet-18 offline)\n" +
            "  ActivationMaximization all --quick           a smoke run in well under a minute\n" +
            "  ActivationMaximization part2 --steps 512 --model resnet18 --out out/p2\n" +
            "  ActivationMaximization layers --model resnet18");
        root.Options.Add(model);
        root.Options.Add(weights);
        root.Options.Add(steps);
        root.Options.Add(size);
        root.Options.Add(inputSize);
        root.Options.Add(seed);
        root.Options.Add(output);
        root.Options.Add(quick);
        root.Options.Add(noProgress);
        root.Options.Add(allowRandom);
        root.Options.Add(noDownload);
        root.Options.Add(bfloat16);
        root.Options.Add(device);

        AppSettings Read(ParseResult result, AppCommand command)
        {
            bool isQuick = result.GetValue(quick);
            bool stepsGiven = result.GetResult(steps) is { Implicit: false };
            bool sizeGiven = result.GetResult(size) is { Implicit: false };
            int imageSize = isQuick && !sizeGiven ? AppSettings.QuickSize : result.GetValue(size);
            string? modelName = result.GetValue(model);
            return new AppSettings
            {
                Command = command,
                Model = modelName is null ? null : modelName.Equals("resnet18", StringComparison.OrdinalIgnoreCase) ? ModelKind.ResNet18 : ModelKind.InceptionV1,
                Weights = result.GetValue(weights),
                Steps = isQuick && !stepsGiven ? AppSettings.QuickSteps : result.GetValue(steps),
                Size = imageSize,
                InputSize = result.GetValue(inputSize) ?? (isQuick ? imageSize : null),
                Seed = result.GetValue(seed),
                OutputDirectory = result.GetValue(output) ?? AppSettings.DefaultOutput,
                Quick = isQuick,
                NoProgress = result.GetValue(noProgress),
                AllowRandomWeights = result.GetValue(allowRandom),
                NoDownload = result.GetValue(noDownload),
                BFloat16 = result.GetValue(bfloat16),
                Device = result.GetValue(device) ?? Lucent.Net.Devices.TorchDevices.Auto,
            };
        }

        void AddCommand(string name, AppCommand command, string description)
        {
            var sub = new Command(name, description);
            sub.SetAction((result, token) => run(Read(result, command), token));
            root.Subcommands.Add(sub);
        }

        AddCommand("part1", AppCommand.Part1, "Part 1: channels 0-9 of mixed4a (a 2x5 figure).");
        AddCommand("part2", AppCommand.Part2, "Part 2: pixel, FFT only, decorrelate only, FFT + decorrelate on mixed4a:5, no transforms; measures high-frequency energy.");
        AddCommand("part3", AppCommand.Part3, "Part 3: no transforms, jitter 8, standard transforms on mixed4a:5; measures robustness to random transforms.");
        AddCommand("part4", AppCommand.Part4, "Part 4: channel 3 of conv2d2, mixed3a, mixed4a, mixed5a; measures complexity per depth.");
        AddCommand("all", AppCommand.All, "All four parts in one run (the default).");
        AddCommand("layers", AppCommand.Layers, "List the model's layers with their output shapes at 224x224, and the tutorial-layer mapping.");
        root.SetAction((result, token) => run(Read(result, AppCommand.All), token));
        return root;
    }

    private static Option<int> PositiveIntOption(string name, string description, int defaultValue, int max, int min = 1)
    {
        var option = new Option<int>(name)
        {
            Description = description + string.Create(CultureInfo.InvariantCulture, $" Default {defaultValue}."),
            DefaultValueFactory = _ => defaultValue,
            HelpName = "n",
            Recursive = true,
        };
        option.Validators.Add(result =>
        {
            // A token that is not a number already has its own parse error.
            if (result.Tokens.Count > 0 && int.TryParse(result.Tokens[^1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && (value < min || value > max))
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be between {min} and {max}; got {value}."));
            }
        });
        return option;
    }
}
