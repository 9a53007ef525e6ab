using Lucent.Net.ModelZoo.Catalog;
using Lucent.Net.ModelZoo.Checkpoints;
using Lucent.Net.ModelZoo.Gan;
using Lucent.Net.ModelZoo.Tests.Checkpoints;
using Lucent.Net.ModelZoo.Tests.Weights;
using Lucent.Net.ModelZoo.Weights;
using Lucent.Net.Runtime;

namespace Lucent.Net.ModelZoo.Tests.Gan;

public sealed class UpconvGanWeightsTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), $"lucent-gan-{Guid.NewGuid():N}");
    private readonly Dictionary<string, string?> environment = [];
    private readonly HttpClient client = new() { Timeout = Timeout.InfiniteTimeSpan };

    public UpconvGanWeightsTests()
    {
        LucentRuntime.EnsureInitialized();
        Directory.CreateDirectory(root);
    }

    private string Cache => Path.Combine(root, "cache");

    [Theory]
    [InlineData(UpconvGanVariant.Fc6, "upconvGAN_fc6.pt", "LUCENT_NET_WEIGHTS_UPCONVGANFC6", "resid=9CFFF6BCB39F6829%2145339&authkey=AC2rQMt7Obr0Ba4", 56_097_891L)]
    [InlineData(UpconvGanVariant.Fc7, "upconvGAN_fc7.pt", "LUCENT_NET_WEIGHTS_UPCONVGANFC7", "resid=9CFFF6BCB39F6829%2145338&authkey=AJ0R-daUAVYjQIw", 56_097_891L)]
    [InlineData(UpconvGanVariant.Fc8, "upconvGAN_fc8.pt", "LUCENT_NET_WEIGHTS_UPCONVGANFC8", "resid=9CFFF6BCB39F6829%2145340&authkey=AKIfNk7s5MGrRkU", 43_416_675L)]
    [InlineData(UpconvGanVariant.Pool5, "upconvGAN_pool5.pt", "LUCENT_NET_WEIGHTS_UPCONVGANPOOL5", "resid=9CFFF6BCB39F6829%2145337&authkey=AFaUAgeoIg0WtmA", 12_702_307L)]
    public void Descriptors_name_lucents_files_and_urls_and_bound_the_size(UpconvGanVariant variant, string fileName, string variable, string urlTail, long parameters)
    {
        var weights = UpconvGanWeights.For(variant);

        weights.FileName.Should().Be(fileName);
        weights.EnvironmentVariable.Should().Be(variable);
        weights.Url.Host.Should().Be("onedrive.live.com");
        weights.Url.OriginalString.Should().EndWith(urlTail);
        weights.IsPinned.Should().BeFalse("Lucent publishes no hash of these files");
        UpconvGanWeights.ParameterCount(variant).Should().Be(parameters);
        weights.MaxSize.Should().Be((4 * parameters) + UpconvGanWeights.FormatSlack);
        weights.Validator.Should().NotBeNull();
    }

    [Fact]
    public async Task A_download_from_a_mirror_is_checked_as_a_generator_state_dict_and_cached()
    {
        byte[] body = File.ReadAllBytes(GanFixtures.TinyPath("pool5"));
        await using var server = new TestHttpServer(body);
        var weights = UpconvGanWeights.Pool5.WithUrl(server.Url("/ok"));

        string path = await Store().ResolveAsync(weights);

        path.Should().Be(Path.Combine(Cache, "upconvGAN_pool5.pt"));
        File.ReadAllBytes(path).Should().Equal(body);
        using var stateDict = PyTorchCheckpoint.ReadStateDict(path);
        stateDict.Count.Should().Be(UpconvGenerator.TensorCount);
    }

    [Fact]
    public async Task A_download_that_is_not_a_generator_state_dict_is_refused_and_not_cached()
    {
        byte[] body = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", "tiny_zip.pth"));
        await using var server = new TestHttpServer(body);
        var weights = UpconvGanWeights.Fc6.WithUrl(server.Url("/ok"));

        var act = () => Store().ResolveAsync(weights);

        await act.Should().ThrowAsync<WeightsUnavailableException>().WithMessage("*24*");
        File.Exists(Path.Combine(Cache, "upconvGAN_fc6.pt")).Should().BeFalse();
    }

    [Fact]
    public async Task Pretrained_loading_finds_the_file_through_the_store_and_refuses_one_of_other_widths()
    {
        string folder = Path.Combine(root, "weights");
        Directory.CreateDirectory(folder);
        File.Copy(GanFixtures.TinyPath("pool5"), Path.Combine(folder, "upconvGAN_pool5.pt"));
        environment[WeightStore.DirectoryVariable] = folder;

        var act = () => UpconvGenerator.LoadPretrainedAsync(UpconvGanVariant.Pool5, Options(allowDownload: false));

        await act.Should().ThrowAsync<StateDictMismatchException>().WithMessage("*shape mismatches*Rconv6.weight*");
    }

    [Fact]
    public async Task Pretrained_loading_reads_a_full_size_pool5_file_from_the_store_into_a_frozen_generator()
    {
        // A full-size pool5 state dict (51 MB, written here with Lucent's keys) stands in for upconvGAN_pool5.pt.
        using var source = new UpconvGenerator(UpconvGanVariant.Pool5, new UpconvGeneratorOptions { InitializationSeed = 21 });
        var writer = new TorchCheckpointWriter();
        foreach (var (key, tensor) in source.state_dict())
        {
            writer.AddFloat32(key, tensor.data<float>().ToArray(), tensor.shape);
        }

        string folder = Path.Combine(root, "weights");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "upconvGAN_pool5.pt"), writer.Zip());
        environment[WeightStore.DirectoryVariable] = folder;

        using var loaded = await UpconvGenerator.LoadPretrainedAsync(UpconvGanVariant.Pool5, Options(allowDownload: false));

        loaded.Variant.Should().Be(UpconvGanVariant.Pool5);
        loaded.training.Should().BeFalse();
        foreach (var ((name, expected), (_, actual)) in source.named_parameters().Zip(loaded.named_parameters()))
        {
            actual.allclose(expected, rtol: 0, atol: 0).Should().BeTrue(name);
            actual.requires_grad.Should().BeFalse(name);
        }
    }

    [Fact]
    public async Task A_generator_loads_from_a_mirror_url_in_one_call()
    {
        // Lucent's upconvGAN(name, pretrained=True) from a mirror: one call, the file downloaded, checked, cached, loaded.
        using var source = new UpconvGenerator(UpconvGanVariant.Pool5, new UpconvGeneratorOptions { InitializationSeed = 5 });
        var writer = new TorchCheckpointWriter();
        foreach (var (key, tensor) in source.state_dict())
        {
            writer.AddFloat32(key, tensor.data<float>().ToArray(), tensor.shape);
        }

        await using var server = new TestHttpServer(writer.Zip());
        var options = new ModelLoadOptions { WeightsUrl = server.Url("/ok"), WeightStore = StoreOptions() };

        using var loaded = await UpconvGenerator.LoadPretrainedAsync(UpconvGanVariant.Pool5, options);

        server.RequestCount.Should().Be(1);
        File.Exists(Path.Combine(Cache, "upconvGAN_pool5.pt")).Should().BeTrue("the download is cached under Lucent's file name");
        foreach (var ((name, expected), (_, actual)) in source.named_parameters().Zip(loaded.named_parameters()))
        {
            actual.allclose(expected, rtol: 0, atol: 0).Should().BeTrue(name);
        }

        using var again = await UpconvGenerator.LoadPretrainedAsync(UpconvGanVariant.Pool5, options);
        server.RequestCount.Should().Be(1, "the second load reads the cache");
    }

    [Fact]
    public async Task Pretrained_loading_without_the_file_and_without_downloads_says_which_file_to_put_where()
    {
        var act = () => UpconvGenerator.LoadPretrainedAsync(UpconvGanVariant.Fc8, Options(allowDownload: false));

        await act.Should().ThrowAsync<WeightsUnavailableException>().WithMessage("*upconvGAN_fc8.pt*");
    }

    public void Dispose()
    {
        client.Dispose();
        Directory.Delete(root, recursive: true);
    }

    private WeightStoreOptions StoreOptions(bool allowDownload = true) => new()
    {
        CacheDirectory = Cache,
        GetEnvironmentVariable = name => environment.GetValueOrDefault(name),
        StallTimeout = TimeSpan.FromSeconds(10),
        AllowDownload = allowDownload,
    };

    private WeightStore Store() => new(StoreOptions(), client);

    private ModelLoadOptions Options(bool allowDownload) => new() { WeightStore = StoreOptions(allowDownload) };
}
