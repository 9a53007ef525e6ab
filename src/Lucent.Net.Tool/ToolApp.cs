using Lucent.Net.Tool.CommandLine;
using Spectre.Console;
using System.CommandLine;
using Lucent.Net.Tool.Gallery;

namespace Lucent.Net.Tool;

/// <summary>The <c>lucent</c> command line: layers, render, gallery plan|run|status|site.</summary>
internal static class ToolApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var root = Build(output);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var parseError in parse.Errors)
            {
                await error.WriteLineAsync("error: " + parseError.Message).ConfigureAwait(false);
            }

            await error.WriteLineAsync("Run 'lucent --help' (or 'lucent <command> --help') to see the commands and options.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return await ReportAsync(e, error).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes what went wrong and returns the exit code: one line, <c>error: ...</c>, for a wrong input (the tool's own
    /// checks and the library's typed exceptions); the whole message for a machine that cannot run LibTorch; and for
    /// anything else, which no input should cause, a line that calls it a bug followed by the details for the report.
    /// </summary>
    internal static async Task<int> ReportAsync(Exception exception, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(error);
        switch (exception)
        {
            case ToolException e:
                await error.WriteLineAsync("error: " + OneLine(e)).ConfigureAwait(false);
                return e.ExitCode;
            case OperationCanceledException:
                await error.WriteLineAsync("Cancelled: finished units are kept; run the same command again to continue.").ConfigureAwait(false);
                return ExitCodes.Cancelled;
            case var e when IsUserError(e):
                await error.WriteLineAsync("error: " + OneLine(e)).ConfigureAwait(false);
                return ExitCodes.Error;
            case Lucent.Net.Runtime.NativeRuntimeException or Lucent.Net.Runtime.KernelCheckException:
                // The machine cannot run LibTorch (correctly): the whole message says what was found and what to do.
                await error.WriteLineAsync("error: " + exception.Message).ConfigureAwait(false);
                return ExitCodes.Error;
            case OutOfMemoryException:
                await error.WriteLineAsync("error: out of memory: use smaller images (--size), fewer channels per unit (--batch) or a machine with more memory.").ConfigureAwait(false);
                return ExitCodes.Error;
            default:
                // Not an input the tool expects to refuse: a bug. Say so, and keep the details for the report.
                await error.WriteLineAsync(
                    $"error: internal error ({exception.GetType().FullName}: {ModelSource.FirstLine(exception.Message)}). This is a bug in lucent, not in your input; please report it with the details below.").ConfigureAwait(false);
                await error.WriteLineAsync(exception.ToString()).ConfigureAwait(false);
                return ExitCodes.InternalError;
        }
    }

    /// <summary>The first line of the message, without the <c>(Parameter 'name')</c> an <see cref="ArgumentException"/> appends.</summary>
    private static string OneLine(Exception e)
    {
        string line = ModelSource.FirstLine(e.Message);
        string suffix = e is ArgumentException { ParamName: { } name } ? $" (Parameter '{name}')" : string.Empty;
        return suffix.Length > 0 && line.EndsWith(suffix, StringComparison.Ordinal) ? line[..^suffix.Length] : line;
    }

    /// <summary>Library exceptions that describe a wrong input (layer, expression, option, device), not a bug.</summary>
    private static bool IsUserError(Exception e) => e is Lucent.Net.Expressions.ExpressionException
        or Lucent.Net.Activations.UnknownLayerException
        or Lucent.Net.Objectives.ObjectiveArgumentException
        or Lucent.Net.Rendering.InvalidRenderOptionsException
        or Lucent.Net.Activations.LayerNotComputableException
        or Lucent.Net.Devices.DeviceUnavailableException
        or Lucent.Net.Devices.DeviceMismatchException
        or Lucent.Net.ModelZoo.Catalog.UnknownModelException
        or Lucent.Net.ModelZoo.Weights.WeightsUnavailableException
        or Lucent.Net.ModelZoo.Weights.WeightsHashMismatchException
        or Lucent.Net.ModelZoo.Checkpoints.CheckpointFormatException
        or Lucent.Net.ModelZoo.Checkpoints.StateDictMismatchException
        or Lucent.Net.ModelZoo.InceptionV1.InceptionV1StateDictException
        or Lucent.Net.ModelZoo.Onnx.OnnxImportException
        or Lucent.Net.Imaging.InvalidPngException
        or Lucent.Net.Imaging.ImageTooLargeException
        or IOException
        or UnauthorizedAccessException;

    private static RootCommand Build(TextWriter output)
    {
        var root = new RootCommand(
            "lucent: feature visualisation with Lucent.Net.\n\n" +
            "Examples:\n" +
            "  lucent layers resnet18\n" +
            "  lucent render resnet18 \"layer3:7\" --out layer3_7.png --steps 256\n" +
            "  lucent gallery plan inceptionv1 --layers mixed4a,mixed5a --channels all --steps 512 --out gallery\n" +
            "  lucent gallery run gallery --shard 0/8      (or inside a Slurm array / Kubernetes Indexed Job)\n" +
            "  lucent gallery status gallery\n" +
            "  lucent gallery site gallery                 then open gallery/index.html");
        root.Subcommands.Add(LayersCommand(output));
        root.Subcommands.Add(RenderCommand.Create(output));
        root.Subcommands.Add(GalleryCommands.Create(output));
        return root;
    }

    private static Command LayersCommand(TextWriter output)
    {
        var model = CommonOptions.ModelArgument();
        var size = CommonOptions.IntOption("--size", "Input size (n x n) at which output shapes are computed.", 224, 16, 2048);
        var command = new Command("layers", "List a model's layers: names (for objectives), output shapes, channel counts, and tokens x features for token layers.") { model, size };
        command.SetAction(async (result, token) =>
        {
            using var module = await ModelSource.LoadAsync(result.GetRequiredValue(model), null, token).ConfigureAwait(false);
            var table = new Spectre.Console.Table().AddColumns("Layer", "Aliases", "Output shape", "Channels / tokens", "Module");
            var aliases = ModelSource.Aliases(module).GroupBy(a => a.Value, a => a.Key).ToDictionary(g => g.Key, g => string.Join(", ", g.Order(StringComparer.Ordinal)));
            foreach (var layer in Lucent.Net.ModelZoo.Catalog.ModelCatalog.DescribeLayers(module, result.GetValue(size)))
            {
                table.AddRow(Esc(layer.Name), Esc(aliases.GetValueOrDefault(layer.Name, string.Empty)), Esc(layer.FormatShape()), Esc(layer.FormatUnits()), Esc(layer.ModuleType));
            }

            CommonOptions.Console(output).Write(table);
            return 0;
        });
        return command;
    }

    private static string Esc(string text) => Spectre.Console.Markup.Escape(text);
}
