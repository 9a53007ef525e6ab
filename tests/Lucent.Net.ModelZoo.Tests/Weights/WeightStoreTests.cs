using System.Diagnostics;
using System.Security.Cryptography;
using Lucent.Net.ModelZoo.Checkpoints;
using Lucent.Net.ModelZoo.Tests.Checkpoints;
using Lucent.Net.ModelZoo.Weights;
using Lucent.Net.Runtime;

namespace Lucent.Net.ModelZoo.Tests.Weights;

public sealed class WeightStoreTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), $"lucent-weights-{Guid.NewGuid():N}");
    private readonly Dictionary<string, string?> environment = [];
    private readonly HttpClient client = new() { Timeout = Timeout.InfiniteTimeSpan };

    public WeightStoreTests()
    {
        LucentRuntime.EnsureInitialized();
        Directory.CreateDirectory(root);
    }

    private string Cache => Path.Combine(root, "cache");

    internal static byte[] CheckpointBytes()
    {
        var w = new TorchCheckpointWriter();
        w.AddFloat32("a", Enumerable.Range(0, 2000).Select(i => (float)i).ToArray(), 2000);
        w.AddFloat32("b", [1f, 2f], 2);
        w.AddFloat16("c", [3f], 1);
        return w.Zip();
    }

    private static PretrainedWeights Descriptor(Uri url, byte[]? pinned = null, bool pinSize = false) => new("TinyNet", "tiny.pth", url)
    {
        Validator = path => PretrainedWeights.RequireStateDict(path, 3),
        Sha256 = pinned is null ? null : Convert.ToHexString(SHA256.HashData(pinned)),
        ExpectedSize = pinSize ? pinned?.Length : null,
    };

    private WeightStore Store(Action<WeightStoreOptions>? configure = null)
    {
        var options = new WeightStoreOptions
        {
            CacheDirectory = Cache,
            GetEnvironmentVariable = name => environment.GetValueOrDefault(name),
            StallTimeout = TimeSpan.FromSeconds(10),
        };
        configure?.Invoke(options);
        return new WeightStore(options, client);
    }

    private void CacheHoldsNoPartialOrCorruptFile(PretrainedWeights weights)
    {
        if (Directory.Exists(Cache))
        {
            Directory.GetFiles(Cache).Should().BeEmpty("a failed download must leave nothing in the cache");
        }

        File.Exists(Path.Combine(Cache, weights.FileName)).Should().BeFalse();
    }

    public void Dispose()
    {
        client.Dispose();
        Directory.Delete(root, recursive: true);
    }

    private sealed class ProgressLog : IProgress<DownloadProgress>
    {
        private readonly List<DownloadProgress> items = [];

        public IReadOnlyList<DownloadProgress> Items
        {
            get
            {
                lock (items)
                {
                    return items.ToList();
                }
            }
        }

        public void Report(DownloadProgress value)
        {
            lock (items)
            {
                items.Add(value);
            }
        }
    }

    [Fact]
    public async Task Downloads_validates_caches_and_reports_progress()
    {
        byte[] body = CheckpointBytes();
        await using var server = new TestHttpServer(body);
        var weights = Descriptor(server.Url("/ok"), pinned: body, pinSize: true);
        var store = Store();
        var progress = new ProgressLog();

        string path = await store.ResolveAsync(weights, progress: progress);

        path.Should().Be(Path.Combine(Cache, "tiny.pth"));
        File.ReadAllBytes(path).Should().Equal(body);
        Directory.GetFiles(Cache).Select(Path.GetFileName).Should().BeEquivalentTo("tiny.pth", "tiny.pth.verified.json");
        progress.Items.Should().NotBeEmpty();
        progress.Items[0].Should().Be(new DownloadProgress(0, body.Length));
        progress.Items[^1].Should().Be(new DownloadProgress(body.Length, body.Length));
        progress.Items.Select(p => p.BytesReceived).Should().BeInAscendingOrder();
        progress.Items[^1].Fraction.Should().Be(1.0);
        using (var sd = PyTorchCheckpoint.ReadStateDict(path))
        {
            sd.Count.Should().Be(3);
        }

        // Second call: from the cache, no request.
        (await store.ResolveAsync(weights)).Should().Be(path);
        server.RequestCount.Should().Be(1);
    }

    [Fact]
    public async Task Download_without_content_length_works_and_reports_unknown_total()
    {
        byte[] body = CheckpointBytes();
        await using var server = new TestHttpServer(body);
        var progress = new ProgressLog();

        string path = await Store().ResolveAsync(Descriptor(server.Url("/nolength")), progress: progress);

        File.ReadAllBytes(path).Should().Equal(body);
        progress.Items[^1].Should().Be(new DownloadProgress(body.Length, null));
        progress.Items[^1].Fraction.Should().BeNull();
    }

    [Fact]
    public async Task Http_404_gives_one_message_with_path_environment_variables_and_url()
    {
        await using var server = new TestHttpServer(CheckpointBytes());
        var weights = Descriptor(server.Url("/missing"));

        var e = (await FluentActions.Awaiting(() => Store().ResolveAsync(weights)).Should().ThrowAsync<WeightsUnavailableException>()).Which;

        string expectedPath = Path.Combine(Cache, "tiny.pth");
        e.Message.Should().Contain("404")
            .And.Contain(expectedPath)
            .And.Contain("LUCENT_NET_WEIGHTS_TINYNET")
            .And.Contain("LUCENT_NET_WEIGHTS_DIR")
            .And.Contain(server.Url("/missing").ToString());
        e.ExpectedPath.Should().Be(expectedPath);
        e.Url.Should().Be(server.Url("/missing"));
        e.EnvironmentVariables.Should().Equal("LUCENT_NET_WEIGHTS_TINYNET", "LUCENT_NET_WEIGHTS_DIR");
        CacheHoldsNoPartialOrCorruptFile(weights);
    }

    [Fact]
    public async Task Connection_dropped_mid_body_leaves_no_file()
    {
        await using var server = new TestHttpServer(CheckpointBytes());
        var weights = Descriptor(server.Url("/drop"));
        var progress = new ProgressLog();

        await FluentActions.Awaiting(() => Store().ResolveAsync(weights, progress: progress)).Should().ThrowAsync<WeightsUnavailableException>();

        progress.Items.Should().NotBeEmpty("progress is reported before the failure");
        CacheHoldsNoPartialOrCorruptFile(weights);
    }

    [Fact]
    public async Task Stalled_body_times_out_by_the_stall_timeout_and_leaves_no_file()
    {
        await using var server = new TestHttpServer(CheckpointBytes());
        var weights = Descriptor(server.Url("/stall"));
        var clock = Stopwatch.StartNew();

        var e = (await FluentActions.Awaiting(() => Store(o => o.StallTimeout = TimeSpan.FromMilliseconds(300)).ResolveAsync(weights))
            .Should().ThrowAsync<WeightsUnavailableException>()).Which;

        e.Message.Should().Contain("stalled").And.Contain("StallTimeout");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
        CacheHoldsNoPartialOrCorruptFile(weights);
    }

    [Fact]
    public async Task Stalled_headers_time_out_too()
    {
        await using var server = new TestHttpServer(CheckpointBytes());
        var weights = Descriptor(server.Url("/stall-headers"));

        var e = (await FluentActions.Awaiting(() => Store(o => o.StallTimeout = TimeSpan.FromMilliseconds(300)).ResolveAsync(weights))
            .Should().ThrowAsync<WeightsUnavailableException>()).Which;

        e.Message.Should().Contain("stalled");
        CacheHoldsNoPartialOrCorruptFile(weights);
    }

    [Fact]
    public async Task Overall_timeout_stops_a_slow_trickle()
    {
        await using var server = new TestHttpServer(CheckpointBytes());
        var weights = Descriptor(server.Url("/slow"));

        var e = (await FluentActions.Awaiting(() => Store(o => o.DownloadTimeout = TimeSpan.FromMilliseconds(400)).ResolveAsync(weights))
            .Should().ThrowAsync<WeightsUnavailableException>()).Which;

        e.Message.Should().Contain("took longer than").And.Contain("DownloadTimeout");
        CacheHoldsNoPartialOrCorruptFile(weights);
    }

    [Fact]
    public async Task Caller_cancellation_is_OperationCanceledException_and_leaves_no_file()
    {
        await using var server = new TestHttpServer(CheckpointBytes());
        var weights = Descriptor(server.Url("/stall"));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await FluentActions.Awaiting(() => Store().ResolveAsync(weights, cancellationToken: cts.Token)).Should().ThrowAsync<OperationCanceledException>();

        CacheHoldsNoPartialOrCorruptFile(weights);
    }

    [Fact]
    public async Task Wrong_hash_wrong_size_or_failed_structure_check_leaves_no_file()
    {
        byte[] body = CheckpointBytes();
        await using var server = new TestHttpServer(body);

        var wrongHash = new PretrainedWeights("TinyNet", "tiny.pth", server.Url("/ok")) { Sha256 = new string('0', 64) };
        (await FluentActions.Awaiting(() => Store().ResolveAsync(wrongHash)).Should().ThrowAsync<WeightsUnavailableException>())
            .Which.Message.Should().Contain("SHA-256");
        CacheHoldsNoPartialOrCorruptFile(wrongHash);

        var wrongSize = new PretrainedWeights("TinyNet", "tiny.pth", server.Url("/ok")) { ExpectedSize = body.Length + 1 };
        (await FluentActions.Awaiting(() => Store().ResolveAsync(wrongSize)).Should().ThrowAsync<WeightsUnavailableException>())
            .Which.Message.Should().Contain("bytes");
        CacheHoldsNoPartialOrCorruptFile(wrongSize);

        server.Body = "<html>not a checkpoint</html>"u8.ToArray();
        var garbage = Descriptor(server.Url("/ok"));
        var e = (await FluentActions.Awaiting(() => Store().ResolveAsync(garbage)).Should().ThrowAsync<WeightsUnavailableException>()).Which;
        e.Message.Should().Contain("structure check");
        e.InnerException.Should().BeOfType<CheckpointFormatException>();
        CacheHoldsNoPartialOrCorruptFile(garbage);
    }

    [Fact]
    public async Task Disabled_downloads_say_where_to_put_the_file_without_any_request()
    {
        await using var server = new TestHttpServer(CheckpointBytes());
        var weights = Descriptor(server.Url("/ok"));

        var e = (await FluentActions.Awaiting(() => Store(o => o.AllowDownload = false).ResolveAsync(weights))
            .Should().ThrowAsync<WeightsUnavailableException>()).Which;

        e.Message.Should().Contain("downloads are disabled").And.Contain(Path.Combine(Cache, "tiny.pth"));
        server.RequestCount.Should().Be(0);
    }

    [Fact]
    public async Task Resolution_order_is_explicit_then_file_variable_then_folder_variable_then_cache()
    {
        var weights = Descriptor(new Uri("http://127.0.0.1:9/never"));
        string Make(string folder)
        {
            string dir = Path.Combine(root, folder);
            Directory.CreateDirectory(dir);
            string file = Path.Combine(dir, "tiny.pth");
            if (folder == "cache")
            {
                // A cached file must pass the descriptor's structure check.
                File.WriteAllBytes(file, CheckpointBytes());
            }
            else
            {
                File.WriteAllText(file, folder);
            }

            return file;
        }

        string cached = Make("cache");
        string inFolder = Make("folder");
        string fromVariable = Make("variable");
        string explicitFile = Make("explicit");
        environment["LUCENT_NET_WEIGHTS_DIR"] = Path.GetDirectoryName(inFolder);
        environment["LUCENT_NET_WEIGHTS_TINYNET"] = fromVariable;
        var store = Store(o => o.AllowDownload = false);

        (await store.ResolveAsync(weights, explicitFile)).Should().Be(explicitFile);
        (await store.ResolveAsync(weights)).Should().Be(fromVariable);
        environment.Remove("LUCENT_NET_WEIGHTS_TINYNET");
        (await store.ResolveAsync(weights)).Should().Be(inFolder);
        File.Delete(inFolder);
        (await store.ResolveAsync(weights)).Should().Be(cached);
        store.TryFindLocal(weights).Should().Be(cached);
        File.Delete(cached);
        store.TryFindLocal(weights).Should().BeNull();
    }

    [Fact]
    public async Task Explicit_path_or_file_variable_naming_a_missing_file_is_an_error_not_a_fallback()
    {
        var weights = Descriptor(new Uri("http://127.0.0.1:9/never"));
        Directory.CreateDirectory(Cache);
        File.WriteAllText(Path.Combine(Cache, "tiny.pth"), "cached");
        string missing = Path.Combine(root, "nope.pth");

        (await FluentActions.Awaiting(() => Store().ResolveAsync(weights, missing)).Should().ThrowAsync<WeightsUnavailableException>())
            .Which.Message.Should().Contain(missing).And.Contain("does not exist");

        environment["LUCENT_NET_WEIGHTS_TINYNET"] = missing;
        (await FluentActions.Awaiting(() => Store().ResolveAsync(weights)).Should().ThrowAsync<WeightsUnavailableException>())
            .Which.Message.Should().Contain("LUCENT_NET_WEIGHTS_TINYNET");
    }

    [Fact]
    public async Task Cached_file_failing_its_pinned_hash_is_downloaded_again()
    {
        byte[] body = CheckpointBytes();
        await using var server = new TestHttpServer(body);
        var weights = Descriptor(server.Url("/ok"), pinned: body);
        Directory.CreateDirectory(Cache);
        File.WriteAllText(Path.Combine(Cache, "tiny.pth"), "damaged");

        string path = await Store().ResolveAsync(weights);

        File.ReadAllBytes(path).Should().Equal(body);
        server.RequestCount.Should().Be(1);
    }

    [Fact]
    public void Default_cache_folder_follows_LUCENT_NET_CACHE_then_XDG_CACHE_HOME_then_home()
    {
        var env = new Dictionary<string, string?> { ["LUCENT_NET_CACHE"] = "/a", ["XDG_CACHE_HOME"] = "/b" };
        WeightStore.DefaultCacheDirectory(env.GetValueOrDefault).Should().Be(Path.Combine("/a", "weights"));
        env.Remove("LUCENT_NET_CACHE");
        WeightStore.DefaultCacheDirectory(env.GetValueOrDefault).Should().Be(Path.Combine("/b", "lucent-net", "weights"));
        env.Remove("XDG_CACHE_HOME");
        WeightStore.DefaultCacheDirectory(env.GetValueOrDefault).Should().Be(
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "lucent-net", "weights"));
    }

    [Fact]
    public void InceptionV1_descriptor_names_the_file_url_variable_and_checks_116_tensors()
    {
        var weights = PretrainedWeights.InceptionV1;
        weights.FileName.Should().Be("inception5h.pth");
        weights.Url.Should().Be(new Uri("https://github.com/ProGamerGov/pytorch-old-tensorflow-models/raw/master/inception5h.pth"));
        weights.EnvironmentVariable.Should().Be("LUCENT_NET_WEIGHTS_INCEPTIONV1");

        string good = Path.Combine(root, "good.pth");
        var w = new TorchCheckpointWriter();
        for (int i = 0; i < 116; i++)
        {
            w.AddFloat32($"t{i}", [i], 1);
        }

        File.WriteAllBytes(good, w.Legacy());
        weights.Validator!(good);

        string small = Path.Combine(root, "small.pth");
        File.WriteAllBytes(small, CheckpointBytes());
        FluentActions.Invoking(() => weights.Validator!(small)).Should().Throw<CheckpointFormatException>().WithMessage("*3 tensors*116*");
    }
}

/// <summary>Uses the real process environment; not run in parallel with other tests.</summary>
[Collection(nameof(ProcessEnvironmentCollection))]
public sealed class WeightStoreProcessEnvironmentTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), $"lucent-weights-env-{Guid.NewGuid():N}");
    private readonly Dictionary<string, string?> saved = [];

    public WeightStoreProcessEnvironmentTests()
    {
        Directory.CreateDirectory(root);
        foreach (string name in new[] { "LUCENT_NET_CACHE", "XDG_CACHE_HOME", "LUCENT_NET_WEIGHTS_DIR", "LUCENT_NET_WEIGHTS_ENVNET" })
        {
            saved[name] = Environment.GetEnvironmentVariable(name);
        }
    }

    public void Dispose()
    {
        foreach (var (name, value) in saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task Real_environment_variables_are_read_by_default()
    {
        var weights = new PretrainedWeights("EnvNet", "env.pth", new Uri("http://127.0.0.1:9/never"));
        Environment.SetEnvironmentVariable("LUCENT_NET_CACHE", Path.Combine(root, "lucent"));
        Environment.SetEnvironmentVariable("LUCENT_NET_WEIGHTS_DIR", null);
        Environment.SetEnvironmentVariable("LUCENT_NET_WEIGHTS_ENVNET", null);
        var store = new WeightStore(new WeightStoreOptions { AllowDownload = false });
        store.CacheDirectory.Should().Be(Path.Combine(root, "lucent", "weights"));

        string file = Path.Combine(root, "env.pth");
        File.WriteAllText(file, "x");
        Environment.SetEnvironmentVariable("LUCENT_NET_WEIGHTS_ENVNET", file);
        (await store.ResolveAsync(weights)).Should().Be(file);

        Environment.SetEnvironmentVariable("LUCENT_NET_WEIGHTS_ENVNET", null);
        Environment.SetEnvironmentVariable("LUCENT_NET_WEIGHTS_DIR", root);
        (await store.ResolveAsync(weights)).Should().Be(file);
    }
}

[CollectionDefinition(nameof(ProcessEnvironmentCollection), DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
}
