using Lucent.Net.Runtime;
using static TorchSharp.torch;

namespace Lucent.Net.Tests.Runtime;

/// <summary>
/// The kernel self-check's decisions, on any CPU: a simulated machine whose kernels are wrong in some
/// configurations (an injected faulty convolution run through the real probe) and right in others,
/// with oneDNN's rule that the instruction-set cap only applies before its first primitive.
/// </summary>
public sealed class KernelSelectorTests
{
    private const string Cpu = "Simulated CPU";
    private const string LibTorch = "torchsharp=0.0;libtorch_cpu=1";

    [Fact]
    public void Correct_kernels_as_shipped_are_kept_and_chosen_after_one_probe()
    {
        var machine = new SimulatedMachine();
        var (verdict, stored) = KernelSelector.Select(KernelMode.Auto, null, machine, Cpu);

        verdict.Configuration.Should().Be(KernelConfiguration.AsShipped);
        verdict.Float32Correct.Should().BeTrue();
        verdict.IsWorkaroundActive.Should().BeFalse();
        verdict.FromCache.Should().BeFalse();
        verdict.Probe.Should().NotBeNull();
        machine.Probes.Should().Be(1);
        machine.Capped.Should().BeFalse();
        stored!.Chosen.Should().Be(KernelConfiguration.AsShipped);

        // The next process only confirms.
        var next = new SimulatedMachine();
        var (cached, storedAgain) = KernelSelector.Select(KernelMode.Auto, stored, next, Cpu);
        cached.Configuration.Should().Be(KernelConfiguration.AsShipped);
        cached.FromCache.Should().BeTrue();
        next.Probes.Should().Be(0);
        next.Confirms.Should().Be(1);
        storedAgain.Should().BeNull("nothing new was learnt");
    }

    [Fact]
    public void Faulty_onednn_falls_back_to_native_kernels_then_the_next_start_picks_the_avx2_cap()
    {
        // Process 1: oneDNN as shipped is wrong (the AMD Zen 5 case); LibTorch's own kernels are right.
        var first = new SimulatedMachine { FaultyAsShipped = true };
        var (verdict1, entry1) = KernelSelector.Select(KernelMode.Auto, null, first, Cpu);
        verdict1.Configuration.Should().Be(KernelConfiguration.NativeKernels);
        verdict1.Float32Correct.Should().BeTrue();
        verdict1.AsShippedFailures.Should().NotBeEmpty();
        verdict1.NextStartTries.Should().Be(KernelConfiguration.OneDnnAvx2);
        verdict1.Description.Should().Contain("wrong").And.Contain("oneDNN off").And.Contain("next start");
        first.OneDnnEnabled.Should().BeFalse();
        first.Probes.Should().Be(2, "as shipped, then native");
        entry1!.Chosen.Should().BeNull("the AVX2 cap is still untried");

        // Process 2: the cap is set before oneDNN's first primitive, probed, and chosen.
        var second = new SimulatedMachine { FaultyAsShipped = true };
        var (verdict2, entry2) = KernelSelector.Select(KernelMode.Auto, entry1, second, Cpu);
        verdict2.Configuration.Should().Be(KernelConfiguration.OneDnnAvx2);
        verdict2.Float32Correct.Should().BeTrue();
        verdict2.AsShippedFailures.Should().NotBeEmpty("the reason for the workaround is remembered");
        second.Capped.Should().BeTrue();
        second.OneDnnEnabled.Should().BeTrue();
        second.Probes.Should().Be(1);
        entry2!.Chosen.Should().Be(KernelConfiguration.OneDnnAvx2);

        // Process 3: cached, confirmed by the short probe.
        var third = new SimulatedMachine { FaultyAsShipped = true };
        var (verdict3, entry3) = KernelSelector.Select(KernelMode.Auto, entry2, third, Cpu);
        verdict3.Configuration.Should().Be(KernelConfiguration.OneDnnAvx2);
        verdict3.FromCache.Should().BeTrue();
        verdict3.IsWorkaroundActive.Should().BeTrue();
        third.Capped.Should().BeTrue();
        third.Probes.Should().Be(0);
        entry3.Should().BeNull();
    }

    [Fact]
    public void When_every_onednn_level_is_wrong_native_kernels_are_chosen()
    {
        var first = new SimulatedMachine { FaultyAsShipped = true, FaultyAvx2 = true };
        var (_, entry1) = KernelSelector.Select(KernelMode.Auto, null, first, Cpu);
        var second = new SimulatedMachine { FaultyAsShipped = true, FaultyAvx2 = true };
        var (verdict2, entry2) = KernelSelector.Select(KernelMode.Auto, entry1, second, Cpu);

        verdict2.Configuration.Should().Be(KernelConfiguration.NativeKernels);
        verdict2.Float32Correct.Should().BeTrue();
        verdict2.NextStartTries.Should().BeNull();
        second.Probes.Should().Be(1, "native kernels were already probed by the first process");
        entry2!.Chosen.Should().Be(KernelConfiguration.NativeKernels);

        var third = new SimulatedMachine { FaultyAsShipped = true, FaultyAvx2 = true };
        var (verdict3, _) = KernelSelector.Select(KernelMode.Auto, entry2, third, Cpu);
        verdict3.Configuration.Should().Be(KernelConfiguration.NativeKernels);
        third.OneDnnEnabled.Should().BeFalse();
        third.Capped.Should().BeFalse("the cap is useless when oneDNN is off");
    }

    [Fact]
    public void When_nothing_is_right_the_verdict_says_so_and_rendering_is_refused()
    {
        var first = new SimulatedMachine { FaultyAsShipped = true, FaultyAvx2 = true, FaultyNative = true };
        var (verdict1, entry1) = KernelSelector.Select(KernelMode.Auto, null, first, Cpu);
        verdict1.Float32Correct.Should().BeFalse();
        var second = new SimulatedMachine { FaultyAsShipped = true, FaultyAvx2 = true, FaultyNative = true };
        var (verdict2, _) = KernelSelector.Select(KernelMode.Auto, entry1, second, Cpu);

        verdict2.Float32Correct.Should().BeFalse();
        verdict2.Description.Should().Contain("refused");
        var refuse = () => LucentRuntime.ThrowIfIncorrect(verdict2, ScalarType.Float32);
        refuse.Should().Throw<KernelCheckException>()
            .WithMessage("*wrong results*LUCENT_NET_KERNELS*");
    }

    [Fact]
    public void A_cached_choice_that_no_longer_confirms_is_dropped_for_native_kernels()
    {
        var (_, entry) = KernelSelector.Select(KernelMode.Auto, null, new SimulatedMachine(), Cpu);
        entry!.Chosen.Should().Be(KernelConfiguration.AsShipped);

        // The same machine now computes wrong results as shipped (say, a driver or microcode change the key missed).
        var changed = new SimulatedMachine { FaultyAsShipped = true };
        var (verdict, stored) = KernelSelector.Select(KernelMode.Auto, entry, changed, Cpu);
        verdict.Configuration.Should().Be(KernelConfiguration.NativeKernels);
        verdict.Float32Correct.Should().BeTrue();
        changed.Confirms.Should().Be(1);
        changed.OneDnnEnabled.Should().BeFalse();
        stored!.Chosen.Should().BeNull("the oneDNN candidates are tried again at the next starts");
        stored.For(KernelConfiguration.AsShipped).Should().BeNull();
    }

    [Fact]
    public void A_cap_set_by_the_user_is_respected()
    {
        var first = new SimulatedMachine { FaultyAsShipped = true, UserCapsIsa = true };
        var (verdict, entry) = KernelSelector.Select(KernelMode.Auto, null, first, Cpu);
        verdict.Configuration.Should().Be(KernelConfiguration.NativeKernels);
        verdict.NextStartTries.Should().BeNull("the user's own cap is not overridden");
        entry!.Chosen.Should().Be(KernelConfiguration.NativeKernels);
        first.Capped.Should().BeFalse();
    }

    [Theory]
    [InlineData("as-shipped", KernelConfiguration.AsShipped, false)]
    [InlineData("onednn-avx2", KernelConfiguration.OneDnnAvx2, true)]
    [InlineData("native", KernelConfiguration.NativeKernels, true)]
    public void A_forced_configuration_is_applied_and_probed_without_fallback(string mode, KernelConfiguration expected, bool correct)
    {
        var machine = new SimulatedMachine { FaultyAsShipped = true };
        var (verdict, stored) = KernelSelector.Select(KernelSelfCheck.ParseMode(mode), null, machine, Cpu);
        verdict.Configuration.Should().Be(expected);
        verdict.Float32Correct.Should().Be(correct);
        verdict.Description.Should().Contain("forced by LUCENT_NET_KERNELS");
        machine.Probes.Should().Be(1);
        stored.Should().BeNull("forced runs do not change the automatic choice");
    }

    [Theory]
    [InlineData(null, "Auto")]
    [InlineData("", "Auto")]
    [InlineData("auto", "Auto")]
    [InlineData("as-shipped", "ForceAsShipped")]
    [InlineData("ONEDNN-AVX2", "ForceOneDnnAvx2")]
    [InlineData(" native ", "ForceNativeKernels")]
    public void The_mode_variable_is_parsed(string? text, string expected)
    {
        KernelSelfCheck.ParseMode(text).ToString().Should().Be(expected);
    }

    [Fact]
    public void An_unknown_mode_is_a_clear_error()
    {
        var parse = () => KernelSelfCheck.ParseMode("fastest");
        parse.Should().Throw<NativeRuntimeException>().WithMessage("*LUCENT_NET_KERNELS='fastest'*auto*as-shipped*onednn-avx2*native*");
    }

    [Fact]
    public void Verdicts_refuse_only_the_types_they_found_wrong()
    {
        var bf16Wrong = new KernelVerdict(KernelConfiguration.AsShipped, true, true, false, false, [], null, null, "x");
        var act32 = () => LucentRuntime.ThrowIfIncorrect(bf16Wrong, ScalarType.Float32);
        act32.Should().NotThrow();
        var act16 = () => LucentRuntime.ThrowIfIncorrect(bf16Wrong, ScalarType.BFloat16);
        act16.Should().Throw<KernelCheckException>().WithMessage("*bfloat16*float32 model*");

        var unchecked32 = new KernelVerdict(KernelConfiguration.AsShipped, false, false, null, false, [], null, null, "off");
        var actOff = () => LucentRuntime.ThrowIfIncorrect(unchecked32, ScalarType.Float32);
        actOff.Should().NotThrow("the user turned the check off");
    }

    [Fact]
    public void The_cache_round_trips_and_ignores_damaged_or_foreign_files()
    {
        string root = Path.Combine(Path.GetTempPath(), "lucent-kernel-cache-" + Guid.NewGuid().ToString("N"));
        try
        {
            var entry = new KernelCacheEntry { Key = "k1", Cpu = Cpu, LibTorch = LibTorch, Chosen = KernelConfiguration.OneDnnAvx2 };
            entry.Set(KernelConfiguration.AsShipped, new KernelResultRecord
            {
                Float32Correct = false,
                MaxFloat32Error = double.PositiveInfinity,
                Failures = [new KernelProbeFailure("c", "channels-last", "forward", "float32", double.PositiveInfinity, 1e-4)],
            });
            entry.Set(KernelConfiguration.OneDnnAvx2, new KernelResultRecord { Float32Correct = true, BFloat16Correct = true });
            KernelSelfCheck.WriteCache([root], "k1", entry);

            var read = KernelSelfCheck.ReadCache([root], "k1", Cpu, LibTorch);
            read!.Chosen.Should().Be(KernelConfiguration.OneDnnAvx2);
            read.For(KernelConfiguration.AsShipped)!.Failures.Should().ContainSingle().Which.RelativeError.Should().Be(double.PositiveInfinity);
            read.For(KernelConfiguration.OneDnnAvx2)!.BFloat16Correct.Should().BeTrue();
            Directory.GetFiles(Path.GetDirectoryName(KernelSelfCheck.CachePath(root, "k1"))!).Should().ContainSingle("no temporary file is left behind");

            KernelSelfCheck.ReadCache([root], "other", Cpu, LibTorch).Should().BeNull();
            File.WriteAllText(KernelSelfCheck.CachePath(root, "k2"), "{ not json");
            KernelSelfCheck.ReadCache([root], "k2", Cpu, LibTorch).Should().BeNull();
            File.WriteAllText(KernelSelfCheck.CachePath(root, "k3"), File.ReadAllText(KernelSelfCheck.CachePath(root, "k1")));
            KernelSelfCheck.ReadCache([root], "k3", Cpu, LibTorch).Should().BeNull("an entry made for another key is not trusted");
            File.WriteAllBytes(KernelSelfCheck.CachePath(root, "k4"), new byte[(1 << 20) + 1]);
            KernelSelfCheck.ReadCache([root], "k4", Cpu, LibTorch).Should().BeNull("oversized files are not read");
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    [Fact]
    public void A_cached_verdict_that_refuses_everything_is_not_trusted_and_probing_starts_over()
    {
        // Forged (or stale): every configuration wrong. This machine is healthy.
        var forged = new KernelCacheEntry { Key = "k", Cpu = Cpu, LibTorch = LibTorch };
        foreach (var configuration in Enum.GetValues<KernelConfiguration>())
        {
            forged.Set(configuration, WrongRecord());
        }

        forged.Problem("k", Cpu, LibTorch).Should().BeNull("the file itself is well formed");
        var machine = new SimulatedMachine();
        var (verdict, stored) = KernelSelector.Select(KernelMode.Auto, forged, machine, Cpu);

        verdict.Float32Correct.Should().BeTrue();
        verdict.Configuration.Should().Be(KernelConfiguration.AsShipped, "the fastest configuration is probed again, not skipped");
        verdict.FromCache.Should().BeFalse();
        machine.Probes.Should().Be(1);
        stored!.Chosen.Should().Be(KernelConfiguration.AsShipped);
        stored.For(KernelConfiguration.NativeKernels).Should().BeNull("the forged outcomes were dropped");
    }

    [Fact]
    public void A_cached_wrong_outcome_for_native_kernels_is_probed_again_before_refusing()
    {
        // The oneDNN levels really are wrong here; the cache falsely says LibTorch's own kernels are too.
        var forged = new KernelCacheEntry { Key = "k", Cpu = Cpu, LibTorch = LibTorch };
        forged.Set(KernelConfiguration.AsShipped, WrongRecord());
        forged.Set(KernelConfiguration.NativeKernels, WrongRecord());
        var machine = new SimulatedMachine { FaultyAsShipped = true, FaultyAvx2 = true };
        var (verdict, stored) = KernelSelector.Select(KernelMode.Auto, forged, machine, Cpu);

        verdict.Configuration.Should().Be(KernelConfiguration.NativeKernels);
        verdict.Float32Correct.Should().BeTrue("native kernels were probed in this process and are right");
        machine.Probes.Should().Be(2, "the AVX2 cap, then native kernels again");
        stored!.Chosen.Should().Be(KernelConfiguration.NativeKernels);
        stored.For(KernelConfiguration.NativeKernels)!.Float32Correct.Should().BeTrue();
    }

    [Fact]
    public void A_cached_right_outcome_for_native_kernels_is_confirmed_before_rendering_with_them()
    {
        // The cache falsely says LibTorch's own kernels are right; on this machine nothing is.
        var forged = new KernelCacheEntry { Key = "k", Cpu = Cpu, LibTorch = LibTorch };
        forged.Set(KernelConfiguration.AsShipped, WrongRecord());
        forged.Set(KernelConfiguration.NativeKernels, new KernelResultRecord { Float32Correct = true });
        var machine = new SimulatedMachine { FaultyAsShipped = true, FaultyAvx2 = true, FaultyNative = true };
        var (verdict, _) = KernelSelector.Select(KernelMode.Auto, forged, machine, Cpu);

        verdict.Float32Correct.Should().BeFalse("the short probe caught the false claim and the full probe found them wrong");
        machine.Confirms.Should().Be(1);
        machine.Probes.Should().Be(2);
        var refuse = () => LucentRuntime.ThrowIfIncorrect(verdict, ScalarType.Float32);
        refuse.Should().Throw<KernelCheckException>();
    }

    private static KernelResultRecord WrongRecord() => new()
    {
        Float32Correct = false,
        MaxFloat32Error = 1,
        Failures = [new KernelProbeFailure("forged", "channels-last", "forward", "float32", 1, 1e-4)],
    };

    /// <summary>
    /// A machine whose convolutions are wrong in the configurations flagged faulty: the real probe runs
    /// with a convolution that is 1% off on channels-last inputs there. The instruction-set cap applies
    /// only when set before oneDNN's first use, as in oneDNN.
    /// </summary>
    private sealed class SimulatedMachine : IKernelEnvironment
    {
        private static readonly ConvolutionCase[] Cases =
        [
            new("test 1x1", 1, 8, 4, 1, 1, 0, 6),
            new("test 3x3", 2, 4, 6, 3, 2, 1, 7),
        ];

        private bool oneDnnUsed;

        public bool FaultyAsShipped { get; init; }

        public bool FaultyAvx2 { get; init; }

        public bool FaultyNative { get; init; }

        public bool UserCapsIsa { get; init; }

        public bool Capped { get; private set; }

        public bool OneDnnEnabled { get; private set; } = true;

        public int Probes { get; private set; }

        public int Confirms { get; private set; }

        public void CapIsaAtAvx2()
        {
            if (!oneDnnUsed)
            {
                Capped = true;
            }
        }

        public void SetOneDnnEnabled(bool enabled) => OneDnnEnabled = enabled;

        public KernelProbeReport Probe()
        {
            Probes++;
            return Run();
        }

        public KernelProbeReport Confirm()
        {
            Confirms++;
            return Run();
        }

        private KernelProbeReport Run()
        {
            oneDnnUsed |= OneDnnEnabled;
            bool faulty = OneDnnEnabled ? (Capped ? FaultyAvx2 : FaultyAsShipped) : FaultyNative;
            return ConvolutionProbe.Run(faulty ? FaultyConvolution : ConvolutionProbeTests.RightConvolution, Cases, []);
        }

        private static Tensor FaultyConvolution(Tensor input, Tensor weight, Tensor? bias, long stride, long padding)
        {
            var output = ConvolutionProbeTests.RightConvolution(input, weight, bias, stride, padding);
            bool channelsLast = input.stride(1) == 1 && input.shape[1] > 1;
            return channelsLast ? output * 1.01 : output;
        }
    }
}
