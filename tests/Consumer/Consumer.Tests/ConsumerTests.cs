using FluentAssertions;
using Lucent.Net.Activations;
using Lucent.Net.DependencyInjection;
using Lucent.Net.Objectives;
using Lucent.Net.Rendering;
using Lucent.Net.Runtime;
using Lucent.Net.Testing;
using Lucent.Net.Transforms;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Consumer.Tests;

/// <summary>A user's custom transform: darkens the border of the image (a vignette).</summary>
public sealed class VignetteTransform : IImageTransform
{
    public double Strength { get; set; } = 0.2;

    public string Name => $"vignette({Strength})";

    public Tensor Apply(Tensor image, TransformContext context)
    {
        using var scope = NewDisposeScope();
        long h = image.shape[2], w = image.shape[3];
        var ys = linspace(-1, 1, h).view(1, 1, h, 1);
        var xs = linspace(-1, 1, w).view(1, 1, 1, w);
        var mask = 1 - (Strength * (ys.pow(2) + xs.pow(2)) / 2);
        return (image * mask).MoveToOuterDisposeScope();
    }
}

public class ConsumerTests
{
    private static ServiceProvider BuildServices()
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json")
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddLucent(configuration.GetSection("Lucent"))
            .AddTransform<VignetteTransform>("vignette")
            .AddObjective("corner", ["layer", "n_channel"], a =>
            {
                string layer = a.GetLayer("layer");
                int channel = a.GetInt32("n_channel");
                return Objective.FromDelegate($"corner({layer}, {channel})", [layer], acts => -acts[layer][.., channel, 0, 0].mean());
            }, "Minus one channel's activation at the top-left corner.");
        return services.BuildServiceProvider(validateScopes: true);
    }

    [Fact]
    public void The_runtime_initializer_from_the_package_ran_before_any_test_code()
    {
        LucentRuntime.Status.Should().NotBeNull("the Lucent.Net.Native package injects a module initializer into consuming projects");
    }

    [Fact]
    public void The_runtime_initializer_is_compiled_into_this_project_once_from_Lucent_Net_Native()
    {
        // This project references three Lucent.Net packages (Lucent.Net and Lucent.Net.Native only through them):
        // the initializer arrives transitively, from one package's buildTransitive targets, so it is compiled in once.
        var initializers = typeof(ConsumerTests).Assembly.GetTypes()
            .Where(t => t.Name.EndsWith("LucentNetRuntimeInitializer", StringComparison.Ordinal))
            .ToList();
        initializers.Should().ContainSingle("one package ships the initializer, and NuGet imports its targets once");
        typeof(LucentRuntime).Assembly.GetName().Name.Should().Be("Lucent.Net.Native");
    }

    [Fact]
    public async Task Renders_with_a_custom_objective_and_transform_from_configuration_and_matches_the_snapshot()
    {
        torch.set_num_threads(1);
        await using var services = BuildServices();
        var renderer = services.GetRequiredService<IFeatureRenderer>();
        // The user's model in a unit test: the Testing package's tiny conv net, seeded weights, nothing to download.
        using var model = new TinyConvNet(seed: 0);

        var result = await renderer.RenderAsync(model, "channel(conv2, 3) + 0.5 * corner(conv2, 5)");

        result.StopReason.Should().Be(RenderStopReason.Completed);
        result.Losses.Should().HaveCount(24);
        result.FinalLoss.Should().BeLessThan(result.InitialLoss);
        result.FinalImages.Height.Should().Be(32);

        string baseline = Path.Combine(SnapshotFolder(), "consumer-render.png");
        ImageSnapshot.Match(result.FinalImages, baseline, new SnapshotOptions { Tolerance = 12, MaxDifferingPixelFraction = 0.02 });
    }

    [Fact]
    public void The_testing_packages_tiny_net_names_its_layers_for_renders()
    {
        using var model = new TinyConvNet(seed: 0);
        ModelLayers.Names(model).Should().Equal([.. TinyConvNet.LayerNames, "input", "labels"]);
    }

    [Fact]
    public void Unknown_pipeline_names_list_the_registered_ones()
    {
        using var services = BuildServices();
        var pipelines = services.GetRequiredService<ITransformPipelineProvider>();
        var act = () => pipelines.Get("consumr");
        act.Should().Throw<UnknownTransformPipelineException>().WithMessage("*consumer*");
    }

    private static string SnapshotFolder()
    {
        // Baselines live in the source tree next to this file: walk up from the test binaries.
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Consumer.Tests.csproj")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new DirectoryNotFoundException("Consumer.Tests.csproj not found above " + AppContext.BaseDirectory), "Snapshots");
    }
}
