using Spectre.Console;
using System.CommandLine;
using System.Globalization;

namespace Lucent.Net.Tool.CommandLine;

/// <summary>The arguments and options several commands share, and the console they write to.</summary>
internal static class CommonOptions
{
    public static Argument<string> ModelArgument() => new("model") { Description = "The model: " + ModelSource.HelpText + "." };

    public static Option<int> IntOption(string name, string description, int defaultValue, int min, int max)
    {
        var option = new Option<int>(name)
        {
            Description = description + string.Create(CultureInfo.InvariantCulture, $" Default {defaultValue}."),
            DefaultValueFactory = _ => defaultValue,
            HelpName = "n",
        };
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && int.TryParse(result.Tokens[^1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && (value < min || value > max))
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be between {min} and {max}; got {value}."));
            }
        });
        return option;
    }

    public static Option<string> DeviceOption() => new("--device")
    {
        Description = "Where to render: auto (CUDA when TorchSharp has it, else the CPU), cpu, cuda or cuda:N (CUDA needs the tool built with -p:TorchBackend=cuda, docs/gpu.md).",
        DefaultValueFactory = _ => Lucent.Net.Devices.TorchDevices.Auto,
        HelpName = "auto|cpu|cuda|cuda:N",
    };

    /// <summary>Parses <c>64,256</c> into increasing positive steps ending with <paramref name="steps"/>.</summary>
    public static IReadOnlyList<int> Thresholds(string? text, int steps)
    {
        var values = new SortedSet<int> { steps };
        foreach (string part in (text ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < 1 || value > steps)
            {
                throw new ToolException(string.Create(CultureInfo.InvariantCulture, $"--thresholds: '{part}' is not a step between 1 and --steps ({steps})."));
            }

            values.Add(value);
        }

        return values.ToArray();
    }

    public static IAnsiConsole Console(TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 160;
        return console;
    }
}
