namespace Lucent.Net.Tool.Tests;

/// <summary><c>lucent render</c> and <c>lucent layers</c> as a user runs them: real process, real PNG, one-line errors.</summary>
public sealed class RenderCommandTests
{
    [Fact]
    public async Task Render_writes_a_png_of_an_objective_expression()
    {
        string dir = Path.Combine(Path.GetTempPath(), "lucent-render-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            string png = Path.Combine(dir, "out", "x.png");
            var (code, output) = await ToolProcess.RunAsync("render", "resnet18", "layer3:7 - 0.5 * layer3:2", "--out", png, "--steps", "4", "--size", "32");
            code.Should().Be(0, output);
            output.Should().Contain("channel(layer3, 7) - 0.5 * channel(layer3, 2)");
            byte[] header = File.ReadAllBytes(png)[..8];
            header.Should().Equal([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
            Directory.GetFiles(Path.GetDirectoryName(png)!).Should().ContainSingle("nothing half-written is left beside the image");
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Render_with_alpha_writes_an_rgba_png()
    {
        string dir = Path.Combine(Path.GetTempPath(), "lucent-render-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            string png = Path.Combine(dir, "rgba.png");
            var (code, output) = await ToolProcess.RunAsync("render", "resnet18", "layer3:7 - 0.5 * blur_alpha_each_step()", "--out", png, "--steps", "3", "--size", "32", "--alpha");
            code.Should().Be(0, output);
            byte[] bytes = File.ReadAllBytes(png);
            bytes[25].Should().Be(6, "the PNG's colour type is RGBA");
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Render_with_maco_writes_the_image_its_rgba_transparency_and_a_heat_map()
    {
        string dir = Path.Combine(Path.GetTempPath(), "lucent-render-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            string png = Path.Combine(dir, "m.png");
            var (code, output) = await ToolProcess.RunAsync("render", "resnet18", "layer3:7", "--out", png, "--steps", "2", "--size", "32", "--param", "maco", "--transforms", "maco_crops(2, size=64)");
            code.Should().Be(0, output);
            File.ReadAllBytes(png)[25].Should().Be(2, "the image is RGB");
            File.ReadAllBytes(Path.Combine(dir, "m_alpha.png"))[25].Should().Be(6, "the transparency map is the alpha of an RGBA PNG");
            File.ReadAllBytes(Path.Combine(dir, "m_heat.png"))[25].Should().Be(2, "the heat map is RGB");
            var (refused, message) = await ToolProcess.RunAsync("render", "resnet18", "layer3:7", "--out", png, "--param", "maco", "--alpha");
            refused.Should().NotBe(0);
            message.Should().Contain("--alpha does not apply to --param maco");
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Render_with_transforms_in_the_call_syntax()
    {
        string dir = Path.Combine(Path.GetTempPath(), "lucent-render-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            string png = Path.Combine(dir, "t.png");
            var (code, output) = await ToolProcess.RunAsync("render", "resnet18", "layer3:7", "--out", png, "--steps", "3", "--size", "32", "--transforms", "pad(2, mode=constant), jitter(2)");
            code.Should().Be(0, output);
            File.Exists(png).Should().BeTrue(output);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Render_prints_the_model_input_and_the_chosen_normalisation()
    {
        string dir = Path.Combine(Path.GetTempPath(), "lucent-render-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            string png = Path.Combine(dir, "n.png");
            var (code, output) = await ToolProcess.RunAsync("render", "resnet18", "layer3:7", "--out", png, "--steps", "2", "--size", "32", "--normalize", "caffe");
            code.Should().Be(0, output);
            output.Should().Contain("normalisation: caffe (BGR, 0-255, mean 103.939,116.779,123.68, std 1,1,1) (--normalize).");

            var (defaultCode, defaultOutput) = await ToolProcess.RunAsync("render", "resnet18", "layer3:7", "--out", png, "--steps", "2", "--size", "32", "--input-size", "64");
            defaultCode.Should().Be(0, defaultOutput);
            defaultOutput.Should().Contain("Model input: 64x64 (--input-size); normalisation: ").And.Contain("--normalize to change");
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public async Task A_bad_normalisation_is_a_one_line_usage_error_before_the_model_loads()
    {
        var (code, output) = await ToolProcess.RunAsync("render", "no-such-model.onnx", "layer3:7", "--out", Path.Combine(Path.GetTempPath(), "never.png"), "--normalize", "imagenett");
        code.Should().Be(2, output);
        output.Should().Contain("error: --normalize: Unknown input normalisation 'imagenett'. Use imagenet, none, 0-255, caffe, inception")
            .And.NotContain("   at ", "no stack trace").And.NotContain("no-such-model", "the option is read before the model");
    }

    [Theory]
    [InlineData(1, "error: Unknown transform function 'jiter' at column 9 in 'pad(2), jiter(2)'. Known functions (closest first): jitter", "pad(2), jiter(2)")]
    [InlineData(2, "error: --transforms and --no-transforms exclude each other", "pad(2)", "--no-transforms")]
    public async Task Bad_transforms_are_a_one_line_error_before_the_model_loads(int exitCode, string message, params string[] arguments)
    {
        var (code, output) = await ToolProcess.RunAsync(["render", "no-such-model.onnx", "layer3:7", "--out", Path.Combine(Path.GetTempPath(), "never.png"), "--transforms", .. arguments]);
        code.Should().Be(exitCode, output);
        output.Should().Contain(message).And.NotContain("   at ", "no stack trace").And.NotContain("no-such-model", "the transforms are read before the model");
    }

    [Fact]
    public async Task An_unknown_layer_is_a_one_line_error_with_a_non_zero_exit()
    {
        var (code, output) = await ToolProcess.RunAsync("render", "resnet18", "nosuch:7", "--out", Path.Combine(Path.GetTempPath(), "never.png"), "--steps", "2", "--size", "32");
        code.Should().NotBe(0);
        output.Should().Contain("Unknown layer 'nosuch'").And.NotContain("   at ", "no stack trace");
    }

    [Fact]
    public async Task Layers_lists_names_shapes_and_channels()
    {
        var (code, output) = await ToolProcess.RunAsync("layers", "resnet18");
        code.Should().Be(0, output);
        output.Should().Contain("layer3").And.Contain("256");
    }

    [Fact]
    public async Task Layers_shows_a_vit_block_as_tokens_by_features_with_its_class_token()
    {
        string vit = Path.Combine(ToolProcess.RepositoryRoot, "tests", "Lucent.Net.ModelZoo.Tests", "Fixtures", "onnx", "vit_op17.onnx");
        var (code, output) = await ToolProcess.RunAsync("layers", vit, "--size", "32");
        code.Should().Be(0, output);
        output.Should().Contain("Channels / tokens").And.Contain("encoder_layers_encoder_layer_0_Add_1")
            .And.Contain("17 tokens x 32 features (token 0: class token)");
    }
}
