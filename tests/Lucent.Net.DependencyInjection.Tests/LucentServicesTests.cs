using TorchSharp;
using Lucent.Net.Activations;
using Lucent.Net.DependencyInjection;
using Lucent.Net.Expressions;
using Lucent.Net.Objectives;
using Lucent.Net.Parameterization;
using Lucent.Net.Rendering;
using Lucent.Net.Testing;
using Lucent.Net.Transforms;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace Lucent.DependencyInjection.Tests;

public sealed class LucentServicesTests
{
    /// <summary>The standard image the options make (the image keys bind to it).</summary>
    private static ImageOptions Img(RenderOptions render) => render.Parameterization.Should().BeOfType<ImageOptions>().Subject;

    private static IConfiguration Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static ServiceProvider Build(IConfiguration configuration, Action<LucentBuilder>? configure = null, CapturingLoggerProvider? logs = null)
    {
        var services = new ServiceCollection();
        if (logs is not null)
        {
            services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        }

        var builder = services.AddLucent(configuration.GetSection(LucentOptions.SectionName));
        configure?.Invoke(builder);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static IEnumerable<string> Failures(ServiceProvider provider) =>
        FluentActions.Invoking(() => provider.GetRequiredService<IOptions<LucentOptions>>().Value)
            .Should().Throw<OptionsValidationException>().Which.Failures;

    [Fact]
    public void Defaults_without_configuration_are_Lucents()
    {
        using var provider = new ServiceCollection().AddLucent().Services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<LucentOptions>>().Value;
        options.Render.Thresholds.Should().Equal(512);
        Img(options.Render).Should().Be(new ImageOptions(128));
        options.Render.LearningRate.Should().Be(0.05);
        options.DefaultPipeline.Should().Be("standard");
        options.Render.FixedImageSize.Should().BeNull();
        var render = provider.GetRequiredService<IFeatureRenderer>().CreateOptions();
        render.Thresholds.Should().Equal(512);
        Img(render).Should().Be(new ImageOptions(128));
        render.Transforms!.Select(t => t.Name).Should().Equal(TransformPipeline.Standard.Transforms.Select(t => t.Name));
    }

    [Fact]
    public void Options_bind_from_in_memory_configuration()
    {
        using var provider = Build(Config(
            ("Lucent:Thresholds:0", "32"), ("Lucent:Thresholds:1", "64"), ("Lucent:ImageSize", "96"), ("Lucent:BatchSize", "2"),
            ("Lucent:LearningRate", "0.01"), ("Lucent:Seed", "42"), ("Lucent:WeightsFolder", "/tmp/weights"), ("Lucent:Fft", "false"),
            ("Lucent:Decorrelate", "false"), ("Lucent:Preprocess", "false"), ("Lucent:FixedImageSize", "64"), ("Lucent:DefaultPipeline", "none"),
            ("Lucent:ProgressLogInterval", "10"), ("Lucent:FreezeModel", "false"), ("Lucent:StopForwardEarly", "false"), ("Lucent:MicroBatchSize", "1")));
        var o = provider.GetRequiredService<IOptions<LucentOptions>>().Value;
        var r = o.Render;
        r.Thresholds.Should().Equal(32, 64);
        (Img(r).Width, Img(r).EffectiveHeight, Img(r).Batch, r.LearningRate, r.Seed, o.WeightsFolder).Should().Be((96, 96, 2, 0.01, 42L, "/tmp/weights"));
        (Img(r).Fft, Img(r).Decorrelate, r.Preprocess, r.FixedImageSize, o.DefaultPipeline, o.ProgressLogInterval).Should().Be((false, false, false, ((int, int)?)(64, 64), "none", 10));
        (r.FreezeModel, r.StopForwardEarly, r.MicroBatchSize).Should().Be((false, false, (int?)1));
        var render = provider.GetRequiredService<IFeatureRenderer>().CreateOptions(o => o with { Seed = 7 });
        render.Thresholds.Should().Equal(32, 64);
        render.FixedImageSize.Should().Be((64, 64));
        render.Seed.Should().Be(7);
        render.Transforms.Should().BeEmpty();
        render.Preprocess.Should().BeFalse();
    }

    [Fact]
    public void Render_options_configured_in_code_are_the_cores_and_per_render_changes_start_from_them()
    {
        using var provider = new ServiceCollection()
            .AddLucent(o => o.Render = o.Render.WithImage(i => i with { Width = 24, Batch = 2 }) with { Seed = 5, Thresholds = [3, 6] })
            .Services.BuildServiceProvider();
        var renderer = provider.GetRequiredService<IFeatureRenderer>();
        var configured = renderer.CreateOptions();
        (configured.Seed, configured.Steps, Img(configured).Width, Img(configured).Batch).Should().Be((5L, 6, 24, 2));
        configured.Transforms.Should().BeSameAs(TransformPipeline.Standard.Transforms, "Transforms left null take the default pipeline");
        var changed = renderer.CreateOptions(o => o.WithImage(i => i with { Fft = false }) with { Seed = 9, Transforms = [] });
        (changed.Seed, changed.Steps, Img(changed).Width, Img(changed).Fft, changed.Transforms!.Count).Should().Be((9L, 6, 24, false, 0));

        using var own = new ServiceCollection().AddLucent(o => o.Render = o.Render with { Transforms = [new JitterTransform(2)] }).Services.BuildServiceProvider();
        own.GetRequiredService<IFeatureRenderer>().CreateOptions().Transforms.Should().ContainSingle().Which.Should().BeOfType<JitterTransform>();
    }

    [Fact]
    public void Fixed_image_size_reads_a_square_a_height_width_list_and_its_former_name()
    {
        RenderOptions Read(params (string Key, string? Value)[] values)
        {
            using var provider = Build(Config(values));
            return provider.GetRequiredService<IOptions<LucentOptions>>().Value.Render;
        }

        Read(("Lucent:FixedImageSize", "224")).FixedImageSize.Should().Be((224, 224));
        Read(("Lucent:FixedImageSize:0", "160"), ("Lucent:FixedImageSize:1", "224")).FixedImageSize.Should().Be((160, 224));
        Read(("Lucent:ModelInputSize", "96")).FixedImageSize.Should().Be((96, 96), "configuration files written before 0.1.0 still load");
        Read(("Lucent:FixedImageSize", "")).FixedImageSize.Should().BeNull();
        using var bad = Build(Config(("Lucent:FixedImageSize:0", "1"), ("Lucent:FixedImageSize:1", "2"), ("Lucent:FixedImageSize:2", "3")));
        Failures(bad).Should().Contain("Lucent:FixedImageSize must be a whole number (a square size) or a list [height, width] of two whole numbers.");
    }

    [Fact]
    public void Alpha_setting_makes_rgba_parameterisations()
    {
        using var provider = Build(Config(("Lucent:Alpha", "true"), ("Lucent:ImageSize", "8")));
        Img(provider.GetRequiredService<IOptions<LucentOptions>>().Value.Render).Alpha.Should().BeTrue();
        var render = provider.GetRequiredService<IFeatureRenderer>().CreateOptions();
        using var generator = new TorchSharp.torch.Generator(1);
        render.Parameterization.Should().BeOfType<ImageOptions>("the image keys set the standard image, RenderOptions.Parameterization");
        Img(render).Should().Be(new ImageOptions(8) { Alpha = true });

        using var plain = Build(Config(("Lucent:ImageSize", "8")));
        Img(plain.GetRequiredService<IFeatureRenderer>().CreateOptions()).EffectiveChannels.Should().Be(3);
    }

    [Fact]
    public void Options_bind_from_a_json_file_with_pipelines()
    {
        string json = """
        {
          "Lucent": {
            "Steps": 20,
            "ImageSize": 16,
            "DefaultPipeline": "gentle",
            "Pipelines": {
              "gentle": [ { "Type": "pad", "Width": 4, "Mode": "constant", "Value": 0.5 }, { "Type": "jitter", "D": 2 } ],
              "strings": [ "pad(2)", "random_scale([0.9, 1, 1.1])", "random_rotate(angles=[-5, 0, 5])", "jitter(d=3)" ],
              "scaled": [ { "Type": "random_scale", "Scales": [ 0.95, 1.05 ] } ]
            }
          }
        }
        """;
        string dir = Path.Combine(Path.GetTempPath(), "lucent-di-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string temp = Path.Combine(dir, "appsettings.json.tmp");
            File.WriteAllText(temp, json);
            File.Move(temp, Path.Combine(dir, "appsettings.json"));
            var configuration = new ConfigurationBuilder().SetBasePath(dir).AddJsonFile("appsettings.json").Build();
            using var provider = Build(configuration);
            var o = provider.GetRequiredService<IOptions<LucentOptions>>().Value;
            o.Render.Thresholds.Should().Equal(20);
            Img(o.Render).Width.Should().Be(16);
            var pipelines = provider.GetRequiredService<ITransformPipelineProvider>();
            pipelines.Get("gentle").Transforms.Select(t => t.Name).Should().Equal(new PadTransform(4, PadMode.Constant, 0.5).Name, new JitterTransform(2).Name);
            pipelines.Get("STRINGS").Transforms.Select(t => t.GetType()).Should().Equal(typeof(PadTransform), typeof(RandomScaleTransform), typeof(RandomRotateTransform), typeof(JitterTransform));
            pipelines.Get("scaled").Transforms.Should().ContainSingle().Which.Name.Should().Be(new RandomScaleTransform([0.95, 1.05]).Name);
            pipelines.Names.Should().Contain(["gentle", "strings", "scaled", "standard", "none"]);
            provider.GetRequiredService<IFeatureRenderer>().CreateOptions().Transforms!.Should().HaveCount(2);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("Lucent:ImageSize", "0", "Lucent:ImageSize must be >= 1 (got 0).")]
    [InlineData("Lucent:BatchSize", "-2", "Lucent:BatchSize must be >= 1 (got -2).")]
    [InlineData("Lucent:Steps", "0", "Lucent:Steps must be >= 1 (got 0).")]
    [InlineData("Lucent:LearningRate", "-0.5", "Lucent:LearningRate must be a positive finite number (got -0.5).")]
    [InlineData("Lucent:LearningRate", "fast", "Lucent:LearningRate must be a number (got 'fast').")]
    [InlineData("Lucent:ImageSize", "big", "Lucent:ImageSize must be a whole number (got 'big').")]
    [InlineData("Lucent:Fft", "maybe", "Lucent:Fft must be true or false (got 'maybe').")]
    [InlineData("Lucent:FixedImageSize", "0", "Lucent:FixedImageSize must be >= 1 (got 0).")]
    [InlineData("Lucent:ModelInputSize", "0", "Lucent:ModelInputSize must be >= 1 (got 0).")]
    [InlineData("Lucent:ImageSize", "4097", "Lucent:ImageSize must be <= 4096 (got 4097).")]
    [InlineData("Lucent:BatchSize", "5000", "Lucent:BatchSize must be <= 1024 (got 5000).")]
    [InlineData("Lucent:FixedImageSize", "30000", "Lucent:FixedImageSize must be <= 4096 (got 30000).")]
    [InlineData("Lucent:ModelInputSize", "30000", "Lucent:ModelInputSize must be <= 4096 (got 30000).")]
    [InlineData("Lucent:FixedImageSize", "big", "Lucent:FixedImageSize must be a whole number (got 'big').")]
    [InlineData("Lucent:MicroBatchSize", "0", "Lucent:MicroBatchSize must be >= 1 (got 0).")]
    [InlineData("Lucent:FreezeModel", "no", "Lucent:FreezeModel must be true or false (got 'no').")]
    [InlineData("Lucent:DefaultPipeline", "fancy", "Lucent:DefaultPipeline names the pipeline 'fancy', which is not registered (registered: none, standard).")]
    public void Validation_failures_name_the_key(string key, string value, string message)
    {
        using var provider = Build(Config((key, value)));
        Failures(provider).Should().Contain(message);
    }

    [Fact]
    public void Input_normalization_binds_a_preset_or_a_custom_spec_as_the_renders_preprocessing()
    {
        using var preset = Build(Config(("Lucent:InputNormalization", "caffe")));
        preset.GetRequiredService<IOptions<LucentOptions>>().Value.Render.Preprocessing.Should().BeSameAs(InputNormalization.Caffe);
        preset.GetRequiredService<IFeatureRenderer>().CreateOptions().Preprocessing.Should().BeSameAs(InputNormalization.Caffe);

        using var custom = Build(Config(("Lucent:InputNormalization", "mean=0.5,0.5,0.5;std=0.25,0.25,0.25;order=bgr")));
        var normalization = custom.GetRequiredService<IOptions<LucentOptions>>().Value.Render.Preprocessing.Should().BeOfType<InputNormalization>().Subject;
        (normalization.Preset, normalization.Bgr, normalization.Scale).Should().Be(("custom", true, 1.0));
        normalization.StandardDeviation.Should().Equal(0.25, 0.25, 0.25);

        using var none = Build(Config(("Lucent:InputNormalization", "")));
        none.GetRequiredService<IOptions<LucentOptions>>().Value.Render.Preprocessing.Should().BeNull("empty means the model's own preprocessing");

        using var bad = Build(Config(("Lucent:InputNormalization", "imagenette")));
        Failures(bad).Should().ContainSingle().Which.Should().StartWith("Lucent:InputNormalization: Unknown input normalisation 'imagenette'. Use imagenet, none, 0-255, caffe, inception");
    }

    [Fact]
    public void Size_bounds_are_the_cores_and_name_the_key_that_was_set()
    {
        using var pixels = Build(Config(("Lucent:ImageSize", "4096"), ("Lucent:BatchSize", "5")));
        Failures(pixels).Should().ContainSingle().Which.Should().Be(
            $"Lucent:ImageSize and Lucent:BatchSize make 5 image(s) of 4096x4096, 83886080 pixels in all; at most {RenderOptions.MaxImagePixels} (width x height x batch). Lower one of them.");

        using var list = Build(Config(("Lucent:ModelInputSize:0", "224"), ("Lucent:ModelInputSize:1", "9000")));
        Failures(list).Should().Equal("Lucent:ModelInputSize must be <= 4096 (got 9000).");

        using var both = Build(Config(("Lucent:ModelInputSize", "224"), ("Lucent:FixedImageSize", "0")));
        Failures(both).Should().Equal("Lucent:FixedImageSize must be >= 1 (got 0).");

        using var code = new ServiceCollection().AddLucent(o => o.Render = o.Render with { Parameterization = new ImageOptions(64) { Batch = RenderOptions.MaxBatchSize + 1 } }).Services.BuildServiceProvider();
        Failures(code).Should().Equal("Lucent:BatchSize must be <= 1024 (got 1025).");

        using var largest = Build(Config(("Lucent:ImageSize", "256"), ("Lucent:BatchSize", "1024"), ("Lucent:FixedImageSize", "4096")));
        Img(largest.GetRequiredService<IOptions<LucentOptions>>().Value.Render).Batch.Should().Be(1024, "the bounds themselves are accepted");
    }

    [Fact]
    public void Configured_pipelines_are_bounded_by_their_arguments_and_the_largest_image_they_can_make()
    {
        using var provider = Build(Config(
            ("Lucent:Pipelines:huge:0", "pad(12000)"),
            ("Lucent:Pipelines:big:0", "pad(4000)"), ("Lucent:Pipelines:big:1:Type", "pad"), ("Lucent:Pipelines:big:1:Width", "4000"),
            ("Lucent:Pipelines:fine:0", "pad(4000)")));
        var failures = Failures(provider).ToList();
        failures.Should().HaveCount(2, string.Join("\n", failures));
        failures.Should().Contain(f => f.StartsWith("Lucent:Pipelines:huge:0: pad rejected its arguments (The pad width must be between 0 and 4096 pixels per side; got 12000.)", StringComparison.Ordinal));
        failures.Should().Contain("Lucent:Pipelines:big could make images of up to 16128x16128 pixels from the 128x128 image of Lucent:ImageSize; at most 8192 pixels a side. Use smaller pads, scales or resizes, or fewer of them.");
    }

    [Fact]
    public void Steps_with_thresholds_records_at_each_and_a_threshold_after_the_last_step_is_reported()
    {
        using var both = Build(Config(("Lucent:Steps", "256"), ("Lucent:Thresholds:0", "64"), ("Lucent:Thresholds:1", "128")));
        var render = both.GetRequiredService<IOptions<LucentOptions>>().Value.Render;
        (render.Steps, render.Thresholds).Should().BeEquivalentTo((256, new[] { 64, 128, 256 }));

        using var conflict = Build(Config(("Lucent:Steps", "20"), ("Lucent:Thresholds:0", "32")));
        Failures(conflict).Should().ContainSingle().Which.Should().StartWith("Lucent:Thresholds: Thresholds holds step 32, after the last step (Steps is 20)");
    }

    [Fact]
    public void Validation_reports_thresholds_unknown_keys_and_pipeline_errors_together()
    {
        using var provider = Build(Config(
            ("Lucent:Thresholds:0", "64"), ("Lucent:Thresholds:1", "32"), ("Lucent:ImageSzie", "5"),
            ("Lucent:Pipelines:p:0:Type", "jiter"), ("Lucent:Pipelines:p:1:Type", "pad"), ("Lucent:Pipelines:p:1:Widht", "3"),
            ("Lucent:Pipelines:p:2", "pad(x)"), ("Lucent:Pipelines:p:3:Width", "3")));
        var failures = Failures(provider).ToList();
        failures.Should().NotContain(f => f.StartsWith("Lucent:Thresholds"), "thresholds may come in any order, as Lucent accepts them");
        failures.Should().Contain(f => f.StartsWith("Lucent:ImageSzie is not a Lucent setting (did you mean ImageSize"));
        failures.Should().Contain(f => f.StartsWith("Lucent:Pipelines:p:0:Type: No transform type named 'jiter' is registered. Registered (closest first): jitter,"));
        failures.Should().Contain(f => f.StartsWith("Lucent:Pipelines:p:1:width is required"));
        failures.Should().Contain(f => f.StartsWith("Lucent:Pipelines:p:2: Argument 'width' of pad must be a whole number, but got the name 'x' at column 5 in 'pad(x)'", StringComparison.Ordinal));
        failures.Should().Contain(f => f.StartsWith("Lucent:Pipelines:p:3:Type is missing"));
    }

    [Fact]
    public void Unknown_transform_argument_names_the_key()
    {
        using var provider = Build(Config(("Lucent:Pipelines:p:0:Type", "jitter"), ("Lucent:Pipelines:p:0:D", "4"), ("Lucent:Pipelines:p:0:Size", "3")));
        Failures(provider).Should().Contain("Lucent:Pipelines:p:0:Size is not an argument of the transform 'jitter' (its arguments: d). Remove it or fix its spelling.");
    }

    [Fact]
    public async Task ValidateOnStart_fails_the_startup_validator()
    {
        using var provider = Build(Config(("Lucent:ImageSize", "0")));
        await FluentActions.Awaiting(async () => await provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None))
            .Should().ThrowAsync<OptionsValidationException>().WithMessage("*Lucent:ImageSize must be >= 1 (got 0)*");
        using var good = Build(Config(("Lucent:ImageSize", "16")));
        await good.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None);
    }

    [Fact]
    public void Code_configuration_is_validated_with_default_section_name()
    {
        using var provider = new ServiceCollection().AddLucent(o => o.Render = o.Render with { Parameterization = new ImageOptions(0) }).Services.BuildServiceProvider();
        Failures(provider).Should().Contain("Lucent:ImageSize must be >= 1 (got 0).");
    }

    [Fact]
    public void Pipelines_registered_in_code_and_configuration_override_wins()
    {
        using var provider = Build(
            Config(("Lucent:Pipelines:shared:0", "jitter(3)")),
            b => b.AddTransformPipeline("mine", p => p.Pad(12, PadMode.Constant, 0.5).Jitter(8))
                  .AddTransformPipeline("shared", p => p.Jitter(5)));
        var pipelines = provider.GetRequiredService<ITransformPipelineProvider>();
        pipelines.Get("mine").Transforms.Select(t => t.Name).Should().Equal(new PadTransform(12, PadMode.Constant, 0.5).Name, new JitterTransform(8).Name);
        pipelines.Get("shared").Transforms.Should().ContainSingle().Which.Name.Should().Be(new JitterTransform(3).Name);
        pipelines.Get("none").Transforms.Should().BeEmpty();
        pipelines.Get("standard").Should().BeSameAs(TransformPipeline.Standard);
        pipelines.Get("mine").Should().BeSameAs(pipelines.Get("MINE"));
    }

    [Fact]
    public void Unknown_pipeline_throws_typed_exception_listing_names()
    {
        using var provider = Build(Config(), b => b.AddTransformPipeline("gentle", p => p.Jitter(2)));
        var pipelines = provider.GetRequiredService<ITransformPipelineProvider>();
        var ex = FluentActions.Invoking(() => pipelines.Get("gentel")).Should().Throw<UnknownTransformPipelineException>().Which;
        ex.Name.Should().Be("gentel");
        ex.RegisteredNames.Should().BeEquivalentTo(["gentle", "none", "standard"]);
        ex.Message.Should().StartWith("No transform pipeline named 'gentel' is registered. Registered (closest first): gentle, ");
        pipelines.TryGet("gentel", out _).Should().BeFalse();
        FluentActions.Invoking(() => provider.GetRequiredService<IFeatureRenderer>().CreateOptions(_ => null!))
            .Should().Throw<InvalidRenderOptionsException>().WithMessage("The configure function returned null*");
    }

    [Fact]
    public void Unknown_transform_type_throws_typed_exception()
    {
        using var provider = Build(Config());
        var ex = FluentActions.Invoking(() => provider.GetRequiredService<ITransformRegistry>().Create(new TransformSpec("jittr", [new("d", "3")])))
            .Should().Throw<UnknownTransformException>().Which;
        ex.RegisteredNames.Should().Contain(["pad", "jitter", "random_scale", "random_rotate", "resize", "normalize", "standard"]);
        ex.Message.Should().Contain("Registered (closest first): jitter");
    }

    [Fact]
    public void Custom_transform_by_type_is_configured_from_properties()
    {
        using var provider = Build(
            Config(("Lucent:Pipelines:p:0:Type", "flip"), ("Lucent:Pipelines:p:0:Axis", "2"), ("Lucent:Pipelines:p:1", "flip")),
            b => b.AddTransform<FlipTransform>("flip"));
        var steps = provider.GetRequiredService<ITransformPipelineProvider>().Get("p").Transforms;
        steps.Select(t => t.Name).Should().Equal("flip(2)", "flip(3)");
        using var image = TorchSharp.torch.arange(4f).reshape(1, 1, 2, 2);
        using var generator = new Generator(1, TorchSharp.torch.CPU);
        var context = new Lucent.Net.Transforms.TransformContext(generator);
        using var flipped = steps[0].Apply(image, context);
        flipped.data<float>().ToArray().Should().Equal(2, 3, 0, 1);
    }

    [Fact]
    public void Custom_transform_by_type_with_spec_constructor_and_services()
    {
        using var provider = Build(
            Config(("Lucent:Pipelines:p:0", "shift(2, fill=0.25)")),
            b =>
            {
                b.Services.AddSingleton(new ShiftSettings("from DI"));
                b.AddTransform<ShiftTransform>("shift");
            });
        var step = provider.GetRequiredService<ITransformPipelineProvider>().Get("p").Transforms.Single();
        step.Name.Should().Be("shift(2, 0.25, from DI)");
    }

    [Fact]
    public void Custom_transform_by_factory_used_from_configuration()
    {
        using var provider = Build(
            Config(("Lucent:Pipelines:p:0:Type", "brighten"), ("Lucent:Pipelines:p:0:Amount", "0.5")),
            b => b.AddTransform("brighten", ["amount?"], a =>
            {
                double amount = a.GetOptionalDouble("amount") ?? 0.1;
                return Transform.FromDelegate(FormattableString.Invariant($"brighten({amount})"), image => image.add(amount));
            }));
        var step = provider.GetRequiredService<ITransformPipelineProvider>().Get("p").Transforms.Single();
        step.Name.Should().Be("brighten(0.5)");
        using var bad = Build(
            Config(("Lucent:Pipelines:p:0:Type", "brighten"), ("Lucent:Pipelines:p:0:Amount", "lots")),
            b => b.AddTransform("brighten", ["amount"], a =>
            {
                double amount = a.GetDouble("amount");
                return Transform.FromDelegate("b", image => image.add(amount));
            }));
        Failures(bad).Should().Contain("Lucent:Pipelines:p:0:Amount must be a number (got 'lots').");
        var registry = provider.GetRequiredService<ITransformRegistry>();
        registry.Parse("brighten(0.25)").Name.Should().Be("brighten(0.25)");
        registry.ParsePipeline("pad(2), brighten(amount: 0.5)").Transforms.Select(t => t.Name).Should().Equal("pad(2, reflect)", "brighten(0.5)");
    }

    [Fact]
    public void Transform_spec_keeps_the_step_as_written()
    {
        var text = TransformSpec.FromText("pad(12, mode=constant, value=0.5)", "Lucent:Pipelines:p:0");
        (text.Text, text.Type, text.Path).Should().Be(("pad(12, mode=constant, value=0.5)", (string?)null, "Lucent:Pipelines:p:0"));
        text.ToString().Should().Be("pad(12, mode=constant, value=0.5)");
        var keyed = new TransformSpec("pad", [new("Width", "12"), new("Mode", "constant")]);
        (keyed.Text, keyed.Type).Should().Be(((string?)null, "pad"));
        keyed.ToString().Should().Be("pad(Width=12, Mode=constant)");
        using var provider = Build(Config());
        var registry = provider.GetRequiredService<ITransformRegistry>();
        registry.Create(text).Name.Should().Be(registry.Create(keyed).Name).And.Be("pad(12, constant, 0.5)");
        registry.Functions.IsReadOnly.Should().BeTrue();
        FluentActions.Invoking(() => registry.Create(TransformSpec.FromText("pad(12", "Lucent:Pipelines:p:0")))
            .Should().Throw<TransformExpressionException>().WithMessage("Lucent:Pipelines:p:0: Expected ',' or ')' at column 7 in 'pad(12'*");
    }

    [Fact]
    public void Object_form_reads_lists_as_arrays_or_comma_text_and_lucent_names_as_aliases()
    {
        using var provider = Build(Config(
            ("Lucent:Pipelines:p:0:Type", "random_scale"), ("Lucent:Pipelines:p:0:Scales", "0.9,1,1.1"),
            ("Lucent:Pipelines:p:1:Type", "random_rotate"), ("Lucent:Pipelines:p:1:Angles:0", "-5"), ("Lucent:Pipelines:p:1:Angles:1", "5"), ("Lucent:Pipelines:p:1:Units", "radians"),
            ("Lucent:Pipelines:p:2:Type", "pad"), ("Lucent:Pipelines:p:2:W", "3"), ("Lucent:Pipelines:p:2:Mode", "Constant"), ("Lucent:Pipelines:p:2:constant_value", "0.25")));
        provider.GetRequiredService<ITransformPipelineProvider>().Get("p").Transforms.Select(t => t.Name)
            .Should().Equal("random_scale([0.9, 1, 1.1])", "random_rotate([-5, 5], radians)", "pad(3, constant, 0.25)");
    }

    [Theory]
    [InlineData("Mode", "sideways", "Lucent:Pipelines:p:0:Mode must be one of reflect, constant, replicate, circular (got 'sideways').")]
    [InlineData("Width", "2.5", "Lucent:Pipelines:p:0:Width must be a whole number (got '2.5').")]
    [InlineData("Value", "[1, 2]", "Lucent:Pipelines:p:0:Value must be a number (got '[1, 2]').")]
    [InlineData("W", "4", "Lucent:Pipelines:p:0:W: the argument 'width' of pad is given twice (by its name and an alias); keep one.")]
    public void Object_form_argument_errors_name_the_key(string key, string value, string message)
    {
        var settings = new List<(string, string?)> { ("Lucent:Pipelines:p:0:Type", "pad"), ($"Lucent:Pipelines:p:0:{key}", value) };
        if (key != "Width")
        {
            settings.Add(("Lucent:Pipelines:p:0:Width", "2"));
        }

        using var provider = Build(Config([.. settings]));
        Failures(provider).Should().Contain(message);
    }

    [Fact]
    public void Transform_plugin_clashing_with_builtin_fails_unless_replacing()
    {
        using var clash = Build(Config(), b => b.AddTransform("pad", ["width"], a => new JitterTransform(a.GetInt32("width"))));
        FluentActions.Invoking(() => clash.GetRequiredService<ITransformRegistry>()).Should().Throw<ArgumentException>().WithMessage("*transform function named 'pad' is already registered*replace: true*");
        using var replaced = Build(
            Config(("Lucent:Pipelines:p:0", "pad(3)")),
            b => b.AddTransform(new TransformFunction("pad", [new FunctionParameter("width")], a => new JitterTransform(a.GetInt32("width"))), replace: true));
        replaced.GetRequiredService<ITransformPipelineProvider>().Get("p").Transforms.Single().Name.Should().Be("jitter(3)");
        FluentActions.Invoking(() => Build(Config(), b => b.AddTransform("bad name", ["x"], a => new JitterTransform(2))))
            .Should().Throw<ArgumentException>().WithMessage("*not a valid function or parameter name*");
    }

    [Fact]
    public void Transform_by_type_declares_its_properties_as_snake_case_parameters()
    {
        using var provider = Build(
            Config(("Lucent:Pipelines:p:0:Type", "tint"), ("Lucent:Pipelines:p:0:Amount", "0.5"), ("Lucent:Pipelines:p:0:ColorMode", "warm"), ("Lucent:Pipelines:p:0:Enabled", "false"),
                   ("Lucent:Pipelines:p:1", "tint(0.25, color_mode=cool)")),
            b => b.AddTransform<TintTransform>("tint", "Tints the image."));
        var registry = provider.GetRequiredService<ITransformRegistry>();
        registry.Functions.TryGet("tint", out var tint).Should().BeTrue();
        tint!.Signature.Should().Be("tint(amount?, color_mode?, enabled?, weights?)");
        tint.Description.Should().Be("Tints the image.");
        provider.GetRequiredService<ITransformPipelineProvider>().Get("p").Transforms.Select(t => t.Name)
            .Should().Equal("tint(0.5, Warm, False, 0)", "tint(0.25, Cool, True, 0)");
        registry.Parse("tint(weights=[1, 2, 3])").Name.Should().Be("tint(0.1, Warm, True, 3)");
        FluentActions.Invoking(() => registry.Parse("tint(mask=1)")).Should().Throw<TransformExpressionException>()
            .WithMessage("tint has no parameter 'mask' at column 6*", "a property of an unsupported type is not a parameter");
    }

    [Fact]
    public void Objective_plugins_are_usable_from_strings()
    {
        using var provider = Build(Config(), b => b
            .AddObjective("center_channel", ["layer", "n_channel"], a => Objective.Neuron(a.GetLayer("layer"), a.GetInt32("n_channel")))
            .AddObjective("twice", a => a.GetObjective(0) * 2));
        var registry = provider.GetRequiredService<IObjectiveRegistry>();
        registry.Functions.IsReadOnly.Should().BeTrue();
        var objective = registry.Parse("center_channel(conv1, 2) - twice(conv1:3)");
        using var scope = torch.NewDisposeScope();
        using var generator = new Generator(7, torch.CPU);
        var activations = new LayerActivations(new Dictionary<string, Tensor> { ["conv1"] = torch.randn([2, 8, 6, 6], generator: generator) });
        double Loss(IObjective o) => o.Compute(activations).ToDouble();
        Loss(objective).Should().BeApproximately(Loss(Objective.Neuron("conv1", 2)) - (2 * Loss(Objective.Channel("conv1", 3))), 1e-5);
        FluentActions.Invoking(() => registry.Parse("center_chanel(conv1, 2)"))
            .Should().Throw<ObjectiveExpressionException>().WithMessage("*Known functions (closest first): center_channel, channel*");
    }

    [Fact]
    public void Objective_plugin_clashing_with_builtin_fails_unless_replacing()
    {
        using var clash = Build(Config(), b => b.AddObjective("channel", a => Objective.DeepDream(a.GetLayer(0))));
        FluentActions.Invoking(() => clash.GetRequiredService<IObjectiveRegistry>()).Should().Throw<ArgumentException>().WithMessage("*already registered*");
        using var replaced = Build(Config(), b => b.AddObjective(ObjectiveFunction.WithAnyArguments("channel", a => Objective.DeepDream(a.GetLayer(0))), replace: true));
        replaced.GetRequiredService<IObjectiveRegistry>().Parse("channel(conv1)").Name.Should().Be("deepdream(conv1)");
    }

    [Fact]
    public void Model_catalog_creates_once_and_reports_unknown_names()
    {
        int created = 0;
        string? folder = null;
        using var provider = Build(Config(("Lucent:WeightsFolder", "/data/w")), b => b.AddModel("small", ctx =>
        {
            created++;
            folder = ctx.WeightsFolder;
            return new TinyConvNet(seed: 1);
        }));
        var catalog = provider.GetRequiredService<IModelCatalog>();
        catalog.Get("SMALL").Should().BeSameAs(catalog.Get("small"));
        created.Should().Be(1);
        folder.Should().Be("/data/w");
        FluentActions.Invoking(() => catalog.Get("inceptionv1")).Should().Throw<ModelNotRegisteredException>()
            .Which.RegisteredNames.Should().Equal("small");
    }

    [Fact]
    public void Lucent_Device_reaches_model_providers_and_bad_values_fail_validation_naming_the_key()
    {
        Device? seen = null;
        using (var provider = Build(Config(("Lucent:Device", "cpu")), b => b.AddModel("small", ctx =>
        {
            seen = ctx.Device;
            return new TinyConvNet(seed: 1);
        })))
        {
            provider.GetRequiredService<IModelCatalog>().Get("small");
            seen.Should().NotBeNull();
            seen!.type.Should().Be(TorchSharp.DeviceType.CPU);
        }

        using (var provider = Build(Config(("Lucent:Device", "gpu"))))
        {
            Failures(provider).Should().ContainSingle(f => f.StartsWith("Lucent:Device: Unknown device 'gpu': use auto, cpu, cuda or cuda:N", StringComparison.Ordinal));
        }

        if (!TorchSharp.torch.cuda.is_available())
        {
            using var provider = Build(Config(("Lucent:Device", "cuda")));
            Failures(provider).Should().ContainSingle(f => f.StartsWith("Lucent:Device: CUDA is not available", StringComparison.Ordinal) && f.Contains("TorchBackend=cuda", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Model_zoo_registers_inceptionv1_and_resnet18()
    {
        using var provider = Build(Config(), b => b.AddModelZoo().AddModel("small", _ => new TinyConvNet(seed: 1)));
        provider.GetRequiredService<IModelCatalog>().Names.Should().Equal("inceptionv1", "resnet18", "small");
    }

    [Fact]
    public async Task Feature_renderer_renders_small_net_and_logs_start_progress_end()
    {
        var logs = new CapturingLoggerProvider();
        using var provider = Build(
            Config(("Lucent:Steps", "6"), ("Lucent:ImageSize", "16"), ("Lucent:FixedImageSize", "16"), ("Lucent:ProgressLogInterval", "2"), ("Lucent:DefaultPipeline", "gentle"), ("Lucent:Seed", "3")),
            b => b.AddTransformPipeline("gentle", p => p.Pad(2, PadMode.Constant, 0.5).Jitter(2)),
            logs);
        using var model = new TinyConvNet(seed: 1);
        var renderer = provider.GetRequiredService<IFeatureRenderer>();
        var reported = new List<int>();
        var result = await renderer.RenderAsync(model, "channel(conv2, 3)", progress: new SyncProgress(p => reported.Add(p.Step)));
        result.StopReason.Should().Be(RenderStopReason.Completed);
        result.Losses.Should().HaveCount(6);
        result.FinalLoss.Should().BeLessThan(result.InitialLoss);
        result.FinalImages.Height.Should().Be(16);
        reported.Should().Equal(1, 2, 3, 4, 5, 6);
        var messages = logs.Entries.Where(e => e.Category.EndsWith("FeatureRenderer", StringComparison.Ordinal)).Select(e => e.Message).ToList();
        messages.Should().Contain(m => m.StartsWith("Rendering channel(conv2, 3) on TinyConvNet: 6 steps, 16x16px image, batch 1, pipeline 'gentle'"));
        messages.Count(m => m.StartsWith("Step ")).Should().Be(3);
        messages.Should().Contain(m => m.StartsWith("Step 6/6: loss "));
        messages.Should().Contain(m => m.StartsWith("Rendered channel(conv2, 3): 6 steps in "));

        var again = renderer.Render(model, Objective.Channel("conv2", 3));
        again.Losses.Should().Equal(result.Losses, "the same seed gives the same render");
    }

    [Fact]
    public async Task Feature_renderer_honours_cancellation_and_named_models()
    {
        var logs = new CapturingLoggerProvider();
        using var provider = Build(
            Config(("Lucent:Steps", "50"), ("Lucent:ImageSize", "16"), ("Lucent:FixedImageSize", "16"), ("Lucent:DefaultPipeline", "none")),
            b => b.AddModel("small", _ => new TinyConvNet(seed: 1)),
            logs);
        var renderer = provider.GetRequiredService<IFeatureRenderer>();
        using var cts = new CancellationTokenSource();
        var result = await renderer.RenderModelAsync("small", "conv1:1", progress: new SyncProgress(p =>
        {
            if (p.Step == 2)
            {
                cts.Cancel();
            }
        }), cancellationToken: cts.Token);
        result.StopReason.Should().Be(RenderStopReason.Cancelled);
        result.Losses.Should().HaveCount(2);
        logs.Entries.Should().Contain(e => e.Level == LogLevel.Warning && e.Message.Contains("stopped early (Cancelled)", StringComparison.Ordinal));

        var quick = await renderer.RenderModelAsync("small", "conv1:1", o => o with { Thresholds = [2], LearningRate = 0.1 });
        quick.Losses.Should().HaveCount(2);
        await FluentActions.Awaiting(() => renderer.RenderModelAsync("small", "conv1:")).Should().ThrowAsync<ObjectiveExpressionException>();
        await FluentActions.Awaiting(() => renderer.RenderModelAsync("big", "conv1:1")).Should().ThrowAsync<ModelNotRegisteredException>();
    }

    [Fact]
    public void Feature_renderer_logs_errors_with_the_objective()
    {
        var logs = new CapturingLoggerProvider();
        using var provider = Build(Config(("Lucent:Steps", "2"), ("Lucent:ImageSize", "16"), ("Lucent:FixedImageSize", "16")), null, logs);
        using var model = new TinyConvNet(seed: 1);
        FluentActions.Invoking(() => provider.GetRequiredService<IFeatureRenderer>().Render(model, Objective.Channel("conv9", 1)))
            .Should().Throw<UnknownLayerException>();
        logs.Entries.Should().Contain(e => e.Level == LogLevel.Error && e.Message.StartsWith("Rendering channel(conv9, 1) failed", StringComparison.Ordinal));
    }

    private sealed class SyncProgress(Action<RenderProgress> report) : IProgress<RenderProgress>
    {
        public void Report(RenderProgress value) => report(value);
    }
}

public sealed class FlipTransform : IImageTransform
{
    public int Axis { get; set; } = 3;

    public string Name => FormattableString.Invariant($"flip({Axis})");

    public Tensor Apply(Tensor image, Lucent.Net.Transforms.TransformContext context) => image.flip(Axis);
}

public sealed record ShiftSettings(string Note);

public sealed class ShiftTransform(TransformArguments arguments, ShiftSettings settings) : IImageTransform
{
    private readonly int pixels = arguments.GetInt32(0);
    private readonly double fill = arguments.GetOptionalDouble("fill") ?? 0;

    public string Name => FormattableString.Invariant($"shift({pixels}, {fill}, {settings.Note})");

    public Tensor Apply(Tensor image, Lucent.Net.Transforms.TransformContext context) => image.roll(pixels, 3);
}

public enum TintMode
{
    Warm,
    Cool,
}

public sealed class TintTransform : IImageTransform
{
    public double Amount { get; set; } = 0.1;

    public TintMode ColorMode { get; set; }

    public bool Enabled { get; set; } = true;

    public IReadOnlyList<double> Weights { get; set; } = [];

    public Tensor? Mask { get; set; }

    public string Name => FormattableString.Invariant($"tint({Amount}, {ColorMode}, {Enabled}, {Weights.Count})");

    public Tensor Apply(Tensor image, Lucent.Net.Transforms.TransformContext context) => image.add(Amount);
}
