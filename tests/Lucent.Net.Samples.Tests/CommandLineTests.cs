using ActivationMaximization;

namespace Lucent.Net.Samples.Tests;

public class CommandLineTests
{
    private static readonly AppEnvironment Environment = new() { AllowLiveDisplay = false };

    [Fact]
    public async Task Help_explains_every_command_and_option_with_an_example()
    {
        var (code, output) = await TestSupport.RunAppAsync(Environment, "--help");

        code.Should().Be(0);
        foreach (string word in new[] { "part1", "part2", "part3", "part4", "all", "layers", "--model", "inceptionv1|resnet18", "--weights", "--steps", "--size", "--seed", "--out", "--quick", "--no-progress", "--allow-random-weights", "--input-size", "--bf16", "Examples:", "ActivationMaximization all --quick" })
        {
            output.Should().Contain(word);
        }

        output.Should().Contain("Default 256").And.Contain("Default 128");
    }

    [Fact]
    public void Defaults_follow_the_tutorial()
    {
        App.TryParse([], out var settings, out var errors).Should().BeTrue(string.Join("; ", errors));

        settings!.Command.Should().Be(AppCommand.All);
        settings.Model.Should().BeNull("no --model means InceptionV1 with the ResNet-18 fallback");
        settings.Steps.Should().Be(256);
        settings.Size.Should().Be(128);
        settings.InputSize.Should().BeNull();
        settings.Seed.Should().Be(0);
        settings.OutputDirectory.Should().Be(Path.Combine("artifacts", "activation-maximization"));
        settings.Parts.Should().Equal(1, 2, 3, 4);
    }

    [Fact]
    public void Quick_uses_few_steps_and_a_small_size_unless_overridden()
    {
        App.TryParse(["all", "--quick"], out var quick, out _).Should().BeTrue();
        quick!.Steps.Should().Be(AppSettings.QuickSteps);
        quick.Size.Should().Be(AppSettings.QuickSize);
        quick.InputSize.Should().Be(AppSettings.QuickSize);

        App.TryParse(["all", "--quick", "--steps", "20", "--size", "96"], out var overridden, out _).Should().BeTrue();
        overridden!.Steps.Should().Be(20);
        overridden.Size.Should().Be(96);
        overridden.InputSize.Should().Be(96);
    }

    [Theory]
    [InlineData("part1", AppCommand.Part1)]
    [InlineData("part2", AppCommand.Part2)]
    [InlineData("part3", AppCommand.Part3)]
    [InlineData("part4", AppCommand.Part4)]
    [InlineData("all", AppCommand.All)]
    [InlineData("layers", AppCommand.Layers)]
    public void Commands_and_options_parse(string command, AppCommand expected)
    {
        App.TryParse([command, "--model", "ResNet18", "--steps", "12", "--size", "64", "--seed", "7", "--out", "x", "--no-progress"], out var settings, out var errors)
            .Should().BeTrue(string.Join("; ", errors));

        settings!.Command.Should().Be(expected);
        settings.Model.Should().Be(ModelKind.ResNet18);
        settings.Steps.Should().Be(12);
        settings.Size.Should().Be(64);
        settings.Seed.Should().Be(7);
        settings.OutputDirectory.Should().Be("x");
        settings.NoProgress.Should().BeTrue();
    }

    [Theory]
    [InlineData(new[] { "--steps", "0" }, "--steps must be between 1 and 100000; got 0")]
    [InlineData(new[] { "--steps", "many" }, "many")]
    [InlineData(new[] { "--size", "4" }, "--size must be between 8 and 2048; got 4")]
    [InlineData(new[] { "--model", "vgg16" }, "inceptionv1")]
    [InlineData(new[] { "--weights", "/no/such/file.pth" }, "--weights: the file '/no/such/file.pth' does not exist")]
    [InlineData(new[] { "--input-size", "3" }, "--input-size must be between 16 and 2048; got 3")]
    [InlineData(new[] { "part5" }, "part5")]
    public async Task Bad_values_give_clear_errors_and_exit_code_2(string[] args, string expected)
    {
        var (code, output) = await TestSupport.RunAppAsync(Environment, args);

        code.Should().Be(App.UsageExitCode);
        output.Should().Contain("error: ").And.Contain(expected).And.Contain("--help");
        App.TryParse(args, out _, out var errors).Should().BeFalse();
        errors.Should().NotBeEmpty();
    }
}
