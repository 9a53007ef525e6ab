using Lucent.Net.ModelZoo.Tests.Checkpoints;
using Lucent.Net.Tool.CommandLine;

namespace Lucent.Net.Tool.Tests;

/// <summary>
/// Every input a user can get wrong ends in one line, <c>error: ...</c>, and a non-zero exit code: no stack trace, no
/// abort in native code, no hang (issue 19, item 8). Most run in-process through <see cref="ToolApp.RunAsync"/>; a few
/// run the real process to see its exit code.
/// </summary>
public sealed class ToolErrorTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lucent-errors-" + Guid.NewGuid().ToString("N")[..8]);

    public ToolErrorTests() => Directory.CreateDirectory(_dir);

    public static TheoryData<string> AbsurdTransforms => new()
    {
        "pad(1e9)",
        "pad(12000)",
        "jitter(2147483647)",
        "jitter(1e9)",
        "random_scale([1e9])",
        "resize(1e9)",
        "resize(30000)",
        "random_rotate([1e308])",
        string.Join(", ", Enumerable.Repeat("random_scale([2])", 11)),
        string.Join(", ", Enumerable.Repeat("standard", 60)),
    };

    [Theory]
    [MemberData(nameof(AbsurdTransforms))]
    public async Task Absurd_transforms_are_a_one_line_error_before_the_model_loads(string transforms)
    {
        var (code, error) = await RunAsync("render", Path.Combine(_dir, "no-such-model.onnx"), "layer3:7", "--out", Path.Combine(_dir, "x.png"), "--size", "2048", "--transforms", transforms);
        OneLineError(code, error, ExitCodes.Error);
        error.Should().MatchRegex("4096|8192|10|360", "the message gives the bound").And.NotContain("no-such-model", "the transforms and options are checked before the model");
    }

    [Fact]
    public async Task Transforms_that_do_not_fit_the_image_are_a_one_line_error()
    {
        var (code, error) = await RunAsync("render", "resnet18", "layer3:7", "--out", Path.Combine(_dir, "x.png"), "--size", "32", "--steps", "2", "--transforms", "pad(100)");
        OneLineError(code, error, ExitCodes.Error);
        error.Should().StartWith("error: The transforms cannot be applied to the 32x32 image: Reflect padding by 100 needs images larger than 100 pixels");
        File.Exists(Path.Combine(_dir, "x.png")).Should().BeFalse();
    }

    [Theory]
    [InlineData("--threads", "0", "--threads must be between 1 and 1024; got 0.")]
    [InlineData("--threads", "-1", "--threads must be between 1 and 1024; got -1.")]
    [InlineData("--threads", "100000", "--threads must be between 1 and 1024; got 100000.")]
    [InlineData("--device", "tpu", "--device: unknown device 'tpu'; use auto, cpu, cuda or cuda:N (N = 0, 1, ...).")]
    [InlineData("--device", "cuda:x", "--device: unknown device 'cuda:x'")]
    public async Task Gallery_run_options_are_checked_before_anything_native_runs(string option, string value, string message)
    {
        var (code, error) = await RunAsync("gallery", "run", Path.Combine(_dir, "no-gallery"), option, value);
        OneLineError(code, error, ExitCodes.Usage);
        error.Should().Contain("error: " + message);
    }

    [Theory]
    [InlineData("--size", "2048", "--batch", "1024", "error: --size 2048 with --batch 1024: The image options hold 1024 image(s) of 2048x2048")]
    [InlineData("--input-size", "1048576", "--batch", "8", "error: --input-size must be between 8 and 2048; got 1048576.")]
    [InlineData("--input-size", "0", "--batch", "8", "error: --input-size must be between 8 and 2048; got 0.")]
    public async Task Gallery_plan_refuses_units_no_render_would_accept_before_the_model_loads(string option1, string value1, string option2, string value2, string message)
    {
        var (code, error) = await RunAsync("gallery", "plan", Path.Combine(_dir, "no-such-model.onnx"), "--layers", "layer3", "--out", Path.Combine(_dir, "g"), option1, value1, option2, value2);
        OneLineError(code, error, ExitCodes.Error);
        error.Should().StartWith(message).And.NotContain("no-such-model");
        Directory.Exists(Path.Combine(_dir, "g")).Should().BeFalse();
    }

    [Fact]
    public async Task The_largest_thread_count_passes_validation()
    {
        var (code, error) = await RunAsync("gallery", "run", Path.Combine(_dir, "no-gallery"), "--threads", CommonOptions.MaxThreads.ToString(System.Globalization.CultureInfo.InvariantCulture));
        OneLineError(code, error, ExitCodes.Error);
        error.Should().NotContain("--threads", "1024 is accepted; the error is the missing gallery");
    }

    [Theory]
    [InlineData("--device", "tpu", "--device: unknown device 'tpu'")]
    [InlineData("--input-size", "0", "--input-size must be between 1 and 4096; got 0.")]
    [InlineData("--input-size", "30000", "--input-size must be between 1 and 4096; got 30000.")]
    [InlineData("--size", "100000", "--size must be between 8 and 2048; got 100000.")]
    public async Task Render_options_are_checked_when_parsed(string option, string value, string message)
    {
        var (code, error) = await RunAsync("render", "resnet18", "layer3:7", "--out", Path.Combine(_dir, "x.png"), option, value);
        OneLineError(code, error, ExitCodes.Usage);
        error.Should().Contain("error: " + message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("a\0b.onnx")]
    public async Task An_empty_model_or_one_with_a_nul_is_a_usage_error(string model)
    {
        var (code, error) = await RunAsync("layers", model);
        OneLineError(code, error, ExitCodes.Usage);
        error.Should().StartWith("error: model: the value ");
    }

    [Fact]
    public async Task A_nul_in_an_output_path_or_gallery_folder_is_a_usage_error()
    {
        var (code, error) = await RunAsync("render", "resnet18", "layer3:7", "--out", "x\0.png");
        OneLineError(code, error, ExitCodes.Usage);
        error.Should().Contain("--out: the value holds the character U+0000 at position 2, which no path may hold.");

        (code, error) = await RunAsync("gallery", "status", "gal\0lery");
        OneLineError(code, error, ExitCodes.Usage);
        error.Should().Contain("dir: the value holds the character U+0000");

        (code, error) = await RunAsync("gallery", "plan", "resnet18", "--layers", "layer3", "--out", "\0");
        OneLineError(code, error, ExitCodes.Usage);
    }

    [Fact]
    public async Task Corrupt_model_files_are_one_line_errors()
    {
        var random = new Random(19);
        byte[] noise = new byte[4096];
        random.NextBytes(noise);
        string onnx = Path.Combine(_dir, "corrupt.onnx");
        string pth = Path.Combine(_dir, "corrupt.pth");
        File.WriteAllBytes(onnx, noise);
        File.WriteAllBytes(pth, noise);

        var (code, error) = await RunAsync("layers", onnx);
        OneLineError(code, error, ExitCodes.Error);
        error.Should().StartWith($"error: Cannot load model '{onnx}': The data is not a valid ONNX model");

        (code, error) = await RunAsync("layers", pth);
        OneLineError(code, error, ExitCodes.Error);
        error.Should().StartWith($"error: Cannot load model '{pth}': Cannot read the checkpoint").And.Contain("not a PyTorch checkpoint");

        File.WriteAllBytes(onnx, noise[..0]);
        (code, error) = await RunAsync("layers", onnx);
        OneLineError(code, error, ExitCodes.Error);

        Directory.CreateDirectory(Path.Combine(_dir, "folder.onnx"));
        (code, error) = await RunAsync("layers", Path.Combine(_dir, "folder.onnx"));
        OneLineError(code, error, ExitCodes.Error);
    }

    [Fact]
    public async Task A_state_dict_of_another_model_is_a_one_line_error()
    {
        var writer = new TorchCheckpointWriter();
        writer.AddFloat32("conv1.weight", new float[2 * 3 * 3 * 3], 2, 3, 3, 3);
        writer.AddFloat32("fc.bias", new float[4], 4);
        string pth = Path.Combine(_dir, "resnet-ish.pth");
        File.WriteAllBytes(pth, writer.Zip());

        var (code, error) = await RunAsync("render", pth, "mixed4a:0", "--out", Path.Combine(_dir, "x.png"), "--steps", "1");
        OneLineError(code, error, ExitCodes.Error);
        error.Should().StartWith($"error: Cannot load model '{pth}': The state dict does not fit InceptionV1");
        File.Exists(Path.Combine(_dir, "x.png")).Should().BeFalse();
    }

    [Fact]
    public async Task The_process_exits_with_the_error_code_and_no_stack_trace()
    {
        string onnx = Path.Combine(_dir, "corrupt.onnx");
        File.WriteAllBytes(onnx, [0x08, 0xFF, 0xFF, 0x01, 0x12, 0x7F]);
        var (code, output) = await ToolProcess.RunAsync("layers", onnx);
        code.Should().Be(ExitCodes.Error, output);
        OneLine(output);

        (code, output) = await ToolProcess.RunAsync("gallery", "run", Path.Combine(_dir, "no-gallery"), "--threads", "0");
        code.Should().Be(ExitCodes.Usage, output);
        output.Should().Contain("error: --threads must be between 1 and 1024; got 0.").And.NotContain("   at ");
    }

    public static TheoryData<Exception> LibraryErrors => new()
    {
        new Lucent.Net.ModelZoo.Checkpoints.CheckpointFormatException("The checkpoint is truncated."),
        new Lucent.Net.ModelZoo.Checkpoints.StateDictMismatchException("The state dict lacks 'conv1.weight'."),
        new Lucent.Net.ModelZoo.InceptionV1.InceptionV1StateDictException("The state dict does not fit InceptionV1."),
        new Lucent.Net.ModelZoo.Onnx.OnnxImportException("The data is not a valid ONNX model."),
        new Lucent.Net.ModelZoo.Onnx.UnsupportedOnnxOperatorException("Unsupported ONNX operator 'Loop'."),
        new Lucent.Net.ModelZoo.Weights.WeightsHashMismatchException("The weights file is damaged."),
        new Lucent.Net.ModelZoo.Weights.WeightsUnavailableException("The weights cannot be downloaded."),
        new Lucent.Net.Rendering.InvalidRenderOptionsException("Transforms", "The transforms could make images too large."),
        new Lucent.Net.Imaging.InvalidPngException("The PNG is truncated."),
    };

    [Theory]
    [MemberData(nameof(LibraryErrors))]
    public async Task The_librarys_typed_errors_are_one_line_errors(Exception exception)
    {
        using var error = new StringWriter();
        int code = await ToolApp.ReportAsync(Thrown(exception), error);
        OneLineError(code, error.ToString(), ExitCodes.Error);
        error.ToString().Should().Be("error: " + exception.Message.Split(" (Parameter")[0] + Environment.NewLine);
    }

    [Fact]
    public async Task Anything_else_is_reported_as_a_bug_with_its_details()
    {
        using var error = new StringWriter();
        int code = await ToolApp.ReportAsync(Thrown(new InvalidOperationException("boom\nsecond line")), error);
        code.Should().Be(ExitCodes.InternalError);
        string text = error.ToString();
        text.Should().StartWith("error: internal error (System.InvalidOperationException: boom). This is a bug in lucent, not in your input; please report it with the details below.");
        text.Should().Contain("   at ", "the details of a bug are kept for its report").And.Contain(nameof(Thrown));
    }

    [Fact]
    public async Task A_machine_that_cannot_run_libtorch_gets_the_whole_message_without_a_stack_trace()
    {
        using var error = new StringWriter();
        int code = await ToolApp.ReportAsync(Thrown(new Lucent.Net.Runtime.KernelCheckException("Convolutions are wrong here.\nSet LUCENT_NET_KERNELS to override.")), error);
        code.Should().Be(ExitCodes.Error);
        error.ToString().Should().Be("error: Convolutions are wrong here.\nSet LUCENT_NET_KERNELS to override." + Environment.NewLine);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>The exception after a throw, so that it has a stack trace as a real one does.</summary>
    private static Exception Thrown(Exception exception)
    {
        try
        {
            throw exception;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static async Task<(int Code, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await ToolApp.RunAsync(args, output, error);
        return (code, error.ToString());
    }

    /// <summary>The exit code, and exactly one <c>error:</c> line with no stack trace (a usage error adds the help hint).</summary>
    private static void OneLineError(int code, string error, int expectedCode)
    {
        code.Should().Be(expectedCode, error);
        OneLine(error);
    }

    private static void OneLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.Count(l => l.StartsWith("error:", StringComparison.Ordinal)).Should().Be(1, text);
        lines.Where(l => !l.StartsWith("error:", StringComparison.Ordinal)).All(l => l.StartsWith("Run 'lucent --help'", StringComparison.Ordinal)).Should().BeTrue(text);
        text.Should().NotContain("   at ", "no stack trace").And.NotContain("Unhandled exception").And.NotContain("internal error");
    }
}
