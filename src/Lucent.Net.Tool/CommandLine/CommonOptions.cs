using Spectre.Console;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Lucent.Net.Tool.CommandLine;

/// <summary>The arguments and options several commands share, and the console they write to.</summary>
internal static class CommonOptions
{
    /// <summary>The most LibTorch CPU threads <c>--threads</c> accepts (more only adds contention; 0 or less aborts in native code).</summary>
    public const int MaxThreads = 1024;

    public static Argument<string> ModelArgument()
    {
        var argument = new Argument<string>("model") { Description = "The model: " + ModelSource.HelpText + "." };
        argument.Validators.Add(result =>
        {
            if (PathProblem(result.Tokens.Count > 0 ? result.Tokens[^1].Value : null) is { } problem)
            {
                result.AddError($"model: {problem}; give {ModelSource.HelpText}.");
            }
        });
        return argument;
    }

    /// <summary>Refuses an empty path and one with characters no path may hold (NUL) before anything opens it.</summary>
    public static T PathSymbol<T>(T symbol)
        where T : Symbol
    {
        string name = symbol is Argument argument ? argument.Name : symbol.Name;
        void Check(SymbolResult result)
        {
            foreach (var token in result.Tokens)
            {
                if (PathProblem(token.Value) is { } problem)
                {
                    result.AddError($"{name}: {problem}.");
                }
            }
        }

        switch (symbol)
        {
            case Option option:
                option.Validators.Add(r => Check(r));
                break;
            case Argument arg:
                arg.Validators.Add(r => Check(r));
                break;
        }

        return symbol;
    }

    /// <summary>What is wrong with a path (or model) text, or null when nothing is.</summary>
    public static string? PathProblem(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "the value is empty";
        }

        int bad = text.IndexOfAny(Path.GetInvalidPathChars());
        return bad < 0 ? null : string.Create(CultureInfo.InvariantCulture, $"the value holds the character U+{(int)text[bad]:X4} at position {bad + 1}, which no path may hold");
    }

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

    /// <summary>An optional integer option within [<paramref name="min"/>, <paramref name="max"/>] when given.</summary>
    public static Option<int?> OptionalIntOption(string name, string description, int min, int max)
    {
        var option = new Option<int?>(name)
        {
            Description = description + string.Create(CultureInfo.InvariantCulture, $" From {min} to {max}."),
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

    public static Option<string> DeviceOption()
    {
        var option = new Option<string>("--device")
        {
            Description = "Where to render: auto (CUDA when TorchSharp has it, else the CPU), cpu, cuda or cuda:N (CUDA needs the tool built with -p:TorchBackend=cuda, docs/gpu.md).",
            DefaultValueFactory = _ => Lucent.Net.Devices.TorchDevices.Auto,
            HelpName = "auto|cpu|cuda|cuda:N",
        };
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && !Lucent.Net.Devices.TorchDevices.IsWellFormed(result.Tokens[^1].Value))
            {
                result.AddError($"--device: unknown device '{result.Tokens[^1].Value}'; use {Lucent.Net.Devices.TorchDevices.Forms}.");
            }
        });
        return option;
    }

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
