using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lucent.Net.ModelZoo.Tests.Checkpoints;
using Lucent.Net.ModelZoo.Weights;
using Lucent.Net.Runtime;

namespace Lucent.Net.ModelZoo.Tests.Weights;

/// <summary>
/// What the weight store trusts: endless or oversized downloads stop at a cap, pinned files must match their git
/// blob id or SHA-256, and a bad file in the cache is moved aside and fetched again. Every server is on 127.0.0.1.
/// </summary>
public sealed class WeightTrustTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), $"lucent-trust-{Guid.NewGuid():N}");
    private readonly Dictionary<string, string?> environment = [];
    private readonly HttpClient client = new() { Timeout = Timeout.InfiniteTimeSpan };

    public WeightTrustTests()
    {
        LucentRuntime.EnsureInitialized();
        Directory.CreateDirectory(root);
    }

    private string Cache => Path.Combine(root, "cache");

    private string CachedFile => Path.Combine(Cache, "tiny.pth");

    public void Dispose()
    {
        client.Dispose();
        Directory.Delete(root, recursive: true);
    }

    /// <summary>The git blob id, computed here independently of the library: SHA-1 of "blob N\0" + bytes.</summary>
    private static string GitBlobId(byte[] bytes)
    {
        byte[] header = Encoding.ASCII.GetBytes($"blob {bytes.Length.ToString(CultureInfo.InvariantCulture)}\0");
        return Convert.ToHexString(SHA1.HashData([.. header, .. bytes])).ToLowerInvariant();
    }

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

    private static PretrainedWeights Tiny(Uri url, string? gitBlobSha1 = null, long? maxSize = null) => new("TinyNet", "tiny.pth", url)
    {
        Validator = path => PretrainedWeights.RequireStateDict(path, 3),
        GitBlobSha1 = gitBlobSha1,
        MaxSize = maxSize,
    };

    private void CacheHoldsNothingUsable()
    {
        File.Exists(CachedFile).Should().BeFalse();
        if (Directory.Exists(Cache))
        {
            Directory.GetFiles(Cache, "*.partial").Should().BeEmpty();
        }
    }

    /// <summary>A state dict of 116 one-element tensors: the shape of the 12 kB fake InceptionV1.</summary>
    private static byte[] FakeInceptionV1()
    {
        var w = new TorchCheckpointWriter();
        for (int i = 0; i < PretrainedWeights.InceptionV1TensorCount; i++)
        {
            w.AddFloat32($"t{i}", [i], 1);
        }

        return w.Legacy();
    }

    // ---- Item 6: downloads are capped ----------------------------------------------------------------------

    [Fact]
    public void The_default_download_cap_is_two_GiB_and_must_be_positive()
    {
        new WeightStoreOptions().MaxDownloadBytes.Should().Be(2L << 30).And.Be(WeightStoreOptions.DefaultMaxDownloadBytes);
        FluentActions.Invoking(() => new WeightStore(new WeightStoreOptions { MaxDownloadBytes = 0 }))
            .Should().Throw<ArgumentException>().WithMessage("*MaxDownloadBytes*");
    }

    [Theory]
    [InlineData("store cap")]
    [InlineData("descriptor MaxSize")]
    public async Task An_endless_body_without_a_length_stops_at_the_cap_and_leaves_nothing(string which)
    {
        // Before: with no expected size and no Content-Length the store wrote until the server stopped (252 MB).
        const long cap = 2L << 20;
        await using var server = new TestHttpServer([]);
        var weights = which == "store cap" ? Tiny(server.Url("/endless")) : Tiny(server.Url("/endless"), maxSize: cap);
        var store = Store(o => o.MaxDownloadBytes = which == "store cap" ? cap : WeightStoreOptions.DefaultMaxDownloadBytes);
        var clock = Stopwatch.StartNew();

        var e = (await FluentActions.Awaiting(() => store.ResolveAsync(weights)).Should().ThrowAsync<WeightsUnavailableException>()).Which;

        e.Message.Should().Contain("more than the 2,097,152 bytes").And.Contain(which == "store cap" ? "MaxDownloadBytes" : "MaxSize");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15));
        server.EndlessBytesSent.Should().BeLessThan(64L << 20, "the client stops reading at the cap (socket buffers hold a few MB more)");
        CacheHoldsNothingUsable();
    }

    [Fact]
    public async Task An_announced_length_above_the_cap_is_refused_before_the_body_is_read()
    {
        await using var server = new TestHttpServer(WeightStoreTests.CheckpointBytes());
        var weights = Tiny(server.Url("/huge-length"));

        var e = (await FluentActions.Awaiting(() => Store().ResolveAsync(weights)).Should().ThrowAsync<WeightsUnavailableException>()).Which;

        e.Message.Should().Contain("announced 1,099,511,627,776 bytes").And.Contain("MaxDownloadBytes");
        CacheHoldsNothingUsable();
    }

    // ---- Item 10: InceptionV1 is pinned ----------------------------------------------------------------------

    [Fact]
    public void InceptionV1_is_pinned_by_its_git_blob_id_with_a_size_cap()
    {
        var weights = PretrainedWeights.InceptionV1;
        weights.GitBlobSha1.Should().Be("119f77db85c8352960933e025312b507d9a96ed7");
        weights.IsPinned.Should().BeTrue();
        weights.MaxSize.Should().Be(32L << 20);

        var mirror = weights.WithUrl(new Uri("http://127.0.0.1:9/inception5h.pth"));
        mirror.GitBlobSha1.Should().Be(weights.GitBlobSha1);
        mirror.MaxSize.Should().Be(weights.MaxSize);
        mirror.Validator.Should().BeSameAs(weights.Validator);
        mirror.FileName.Should().Be("inception5h.pth");
    }

    [Fact]
    public void The_git_blob_id_is_the_one_git_prints()
    {
        // `printf 'hello\n' | git hash-object --stdin` prints ce013625030ba8dba906f756967f9e9ca394464a.
        string file = Path.Combine(root, "hello.txt");
        File.WriteAllBytes(file, "hello\n"u8.ToArray());
        var digest = WeightFileChecks.Digest(file);
        digest.GitBlobSha1.Should().Be("ce013625030ba8dba906f756967f9e9ca394464a");
        digest.Sha256.Should().Be(Convert.ToHexString(SHA256.HashData("hello\n"u8.ToArray())).ToLowerInvariant());
        digest.Size.Should().Be(6);
    }

    [Theory]
    [InlineData("/ok")]
    [InlineData("/nolength")]
    public async Task A_fake_InceptionV1_at_the_url_is_refused_with_expected_and_actual_hashes(string route)
    {
        // Before: a 12 kB state dict of 116 one-element tensors served at the URL was accepted and cached.
        byte[] fake = FakeInceptionV1();
        await using var server = new TestHttpServer(fake);
        var weights = PretrainedWeights.InceptionV1.WithUrl(server.Url(route));

        var e = (await FluentActions.Awaiting(() => Store().ResolveAsync(weights)).Should().ThrowAsync<WeightsUnavailableException>()).Which;

        var mismatch = e.InnerException.Should().BeOfType<WeightsHashMismatchException>().Which;
        mismatch.Check.Should().Be("git blob SHA-1");
        mismatch.Expected.Should().Be(PretrainedWeights.InceptionV1GitBlobSha1);
        mismatch.Actual.Should().Be(GitBlobId(fake));
        e.Message.Should().Contain(PretrainedWeights.InceptionV1GitBlobSha1).And.Contain(GitBlobId(fake));
        File.Exists(Path.Combine(Cache, "inception5h.pth")).Should().BeFalse();
        Directory.GetFiles(Cache).Should().BeEmpty();
    }

    [Theory]
    [InlineData("/ok")]
    [InlineData("/nolength")]
    public async Task A_pinned_download_is_verified_and_its_size_and_sha256_are_recorded(string route)
    {
        byte[] body = WeightStoreTests.CheckpointBytes();
        await using var server = new TestHttpServer(body);
        var weights = Tiny(server.Url(route), gitBlobSha1: GitBlobId(body));

        string path = await Store().ResolveAsync(weights);

        File.ReadAllBytes(path).Should().Equal(body);
        using var record = JsonDocument.Parse(File.ReadAllBytes(path + ".verified.json"));
        record.RootElement.GetProperty("size").GetInt64().Should().Be(body.Length);
        record.RootElement.GetProperty("sha256").GetString().Should().Be(Convert.ToHexString(SHA256.HashData(body)).ToLowerInvariant());
        record.RootElement.GetProperty("gitBlobSha1").GetString().Should().Be(GitBlobId(body));
        record.RootElement.GetProperty("verifiedBy").GetString().Should().Contain("git blob SHA-1");

        // The recorded SHA-256 works as a pin too.
        var bySha256 = new PretrainedWeights("TinyNet", "tiny.pth", server.Url(route)) { Sha256 = record.RootElement.GetProperty("sha256").GetString() };
        (await Store().ResolveAsync(bySha256)).Should().Be(path);
        server.RequestCount.Should().Be(1);
    }

    [Fact]
    public async Task Own_weights_load_only_through_an_explicit_path_never_from_variables_or_the_cache()
    {
        byte[] fake = FakeInceptionV1();
        string own = Path.Combine(root, "own", "inception5h.pth");
        Directory.CreateDirectory(Path.GetDirectoryName(own)!);
        File.WriteAllBytes(own, fake);
        var weights = PretrainedWeights.InceptionV1.WithUrl(new Uri("http://127.0.0.1:9/never"));
        var store = Store(o => o.AllowDownload = false);

        // Explicit: the caller's own file, unpinned, on purpose.
        (await store.ResolveAsync(weights, own)).Should().Be(own);

        // The same file through LUCENT_NET_WEIGHTS_INCEPTIONV1 or LUCENT_NET_WEIGHTS_DIR: refused, with the hashes and the way out.
        environment["LUCENT_NET_WEIGHTS_INCEPTIONV1"] = own;
        var e = (await FluentActions.Awaiting(() => store.ResolveAsync(weights)).Should().ThrowAsync<WeightsUnavailableException>()).Which;
        e.Message.Should().Contain("LUCENT_NET_WEIGHTS_INCEPTIONV1").And.Contain(PretrainedWeights.InceptionV1GitBlobSha1).And.Contain("explicitly");
        e.InnerException.Should().BeOfType<WeightsHashMismatchException>().Which.Actual.Should().Be(GitBlobId(fake));
        File.Exists(own).Should().BeTrue("a user's file is never moved or deleted");

        environment.Remove("LUCENT_NET_WEIGHTS_INCEPTIONV1");
        environment["LUCENT_NET_WEIGHTS_DIR"] = Path.GetDirectoryName(own);
        (await FluentActions.Awaiting(() => store.ResolveAsync(weights)).Should().ThrowAsync<WeightsUnavailableException>())
            .Which.InnerException.Should().BeOfType<WeightsHashMismatchException>();

        // In the cache: not trusted either; moved aside.
        environment.Remove("LUCENT_NET_WEIGHTS_DIR");
        Directory.CreateDirectory(Cache);
        File.WriteAllBytes(Path.Combine(Cache, "inception5h.pth"), fake);
        (await FluentActions.Awaiting(() => store.ResolveAsync(weights)).Should().ThrowAsync<WeightsUnavailableException>())
            .Which.Message.Should().Contain("moved to").And.Contain("inception5h.pth.bad").And.Contain("downloads are disabled");
        File.Exists(store.GetQuarantinePath(weights)).Should().BeTrue();
    }

    // ---- Item 11: a bad cached file is not returned ----------------------------------------------------------

    public static TheoryData<string, string> BadCacheCases => new()
    {
        { "pinned", "half copy" },
        { "pinned", "flipped byte" },
        { "pinned", "empty" },
        { "structure only", "half copy" },
        { "structure only", "empty" },
        { "structure only", "flipped byte" },
        { "recorded", "half copy" },
        { "recorded", "flipped byte" },
    };

    [Theory]
    [MemberData(nameof(BadCacheCases))]
    public async Task A_bad_cached_file_is_moved_aside_and_downloaded_again(string trust, string damage)
    {
        byte[] body = WeightStoreTests.CheckpointBytes();
        await using var server = new TestHttpServer(body);
        var weights = Tiny(server.Url("/ok"), gitBlobSha1: trust == "pinned" ? GitBlobId(body) : null);
        var store = Store();
        if (trust == "recorded")
        {
            // A first, good download records the size and SHA-256; then the copy is damaged.
            await store.ResolveAsync(weights);
        }

        Directory.CreateDirectory(Cache);
        byte[] bad = damage switch
        {
            "half copy" => body[..(body.Length / 2)],
            "empty" => [],
            _ => FlipInData(body),
        };
        File.WriteAllBytes(CachedFile, bad);
        int requestsBefore = server.RequestCount;

        string path = await store.ResolveAsync(weights);

        File.ReadAllBytes(path).Should().Equal(body);
        server.RequestCount.Should().Be(requestsBefore + 1);
        File.ReadAllBytes(store.GetQuarantinePath(weights)).Should().Equal(bad, "the bad copy is kept aside, not returned");

        // The good copy is then trusted from the cache without another request.
        (await store.ResolveAsync(weights)).Should().Be(path);
        server.RequestCount.Should().Be(requestsBefore + 1);
    }

    /// <summary>The checkpoint with one bit changed in the middle, inside tensor "a"'s 8,000 bytes: same size, same zip structure.</summary>
    private static byte[] FlipInData(byte[] body)
    {
        byte[] copy = (byte[])body.Clone();
        copy[copy.Length / 2] ^= 0x01;
        return copy;
    }
}
