using System.Text.Json.Nodes;
using Lucent.Net.Runtime;

namespace Lucent.Net.Tests.Runtime;

/// <summary>
/// The measured render defaults (docs/performance.md, "Measured defaults"): the decision is a pure function of
/// injected timings (any CPU), the measurement interleaves candidates within a budget, and the cache file is
/// forgeable input that is validated like the kernel verdict's (discarded and measured again when it does not hold).
/// </summary>
public sealed class RenderTuningTests
{
    private const string Key = "0123456789abcdef01234567";
    private const string Cpu = "Simulated CPU";
    private const string LibTorch = "torchsharp=0.0;libtorch_cpu=1";

    private static readonly KernelVerdict OneDnn = new(KernelConfiguration.AsShipped, true, true, null, true, [], null, null, "as shipped");
    private static readonly TuningWorkload Work = new("Simulated.Model params=1000 layers=mixed4a input=10x3x224x224 Float32 stop-early", 10);
    private static readonly KernelVerdict Native = new(KernelConfiguration.NativeKernels, true, true, null, true, [], null, null, "native");

    [Fact]
    public void A_candidate_faster_by_more_than_the_margin_replaces_the_previous_default()
    {
        // The AMD Zen 3 numbers: whole batch 102 ms, one image at a time 77 ms per image-step.
        var (choice, _) = TuningDecision.Decide(
            [Samples(null, 102, 101, 104), Samples(1, 77, 76, 79), Samples(2, 85, 86, 84), Samples(4, 95, 96, 93)],
            previous: null);
        choice.Should().Be(1);
    }

    [Fact]
    public void A_candidate_within_the_margin_does_not_replace_the_previous_default()
    {
        var (choice, reason) = TuningDecision.Decide(
            [Samples(null, 10, 10.2, 9.9), Samples(1, 9.3, 9.2, 9.4), Samples(2, 9.5, 9.6, 9.4), Samples(4, 9.8, 9.9, 9.7)],
            previous: null);
        choice.Should().BeNull("9.3 is only 7% faster than 10");
        reason.Should().Contain("margin");

        TuningDecision.Decide([Samples(null, 10, 10, 10), Samples(1, 8.9, 9.0, 9.1)], previous: null).Choice
            .Should().Be(1, "9.0 is 10% faster than 10");
    }

    [Fact]
    public void The_previous_default_stays_when_it_is_fastest_even_if_another_is_second_by_far()
    {
        TuningDecision.Decide([Samples(null, 20, 21, 19), Samples(1, 5, 5, 5), Samples(2, 7, 7, 7)], previous: 1).Choice.Should().Be(1);
        TuningDecision.Decide([Samples(null, 4, 4, 4), Samples(1, 5, 5, 5)], previous: 1).Choice.Should().BeNull("whole batch beats one image by 20%");
    }

    [Fact]
    public void One_slow_repetition_does_not_decide_because_medians_are_compared()
    {
        // A neighbour's build stalled one repetition of the winner and sped one of the loser.
        var (choice, _) = TuningDecision.Decide([Samples(null, 10, 10, 3, 10, 10), Samples(1, 6, 60, 6, 6, 6)], previous: null);
        choice.Should().Be(1);
    }

    [Fact]
    public void A_fast_but_incorrect_candidate_is_never_chosen()
    {
        var (choice, _) = TuningDecision.Decide([Samples(null, 10, 10, 10), new TuningSamples(2, [1.0, 1.0, 1.0], Correct: false), Samples(4, 9.5, 9.5, 9.5)], previous: null);
        choice.Should().BeNull();
    }

    [Theory]
    [InlineData("too few repetitions of the candidate", 2, 3)]
    [InlineData("too few repetitions of the previous default", 3, 2)]
    public void Too_few_repetitions_keep_the_previous_default(string why, int candidateRepetitions, int previousRepetitions)
    {
        var (choice, _) = TuningDecision.Decide(
            [new TuningSamples(null, [.. Enumerable.Repeat(10.0, previousRepetitions)], true), new TuningSamples(1, [.. Enumerable.Repeat(5.0, candidateRepetitions)], true)],
            previous: null);
        choice.Should().BeNull(why);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    public void A_candidate_with_a_meaningless_sample_is_not_chosen(double bad)
    {
        TuningDecision.Decide([Samples(null, 10, 10, 10), Samples(1, 5, bad, 5)], previous: null).Choice.Should().BeNull();
        TuningDecision.Decide([Samples(null, 10, bad, 10), Samples(1, 5, 5, 5)], previous: null).Choice.Should().BeNull("the previous default cannot be compared against");
    }

    [Fact]
    public void The_median_ignores_order_and_averages_the_middle_pair()
    {
        TuningDecision.Median([3.0, 1.0, 2.0]).Should().Be(2.0);
        TuningDecision.Median([4.0, 1.0, 3.0, 2.0]).Should().Be(2.5);
        TuningDecision.Median([]).Should().Be(double.NaN);
    }

    [Fact]
    public void Candidates_are_interleaved_in_alternating_order_after_an_untimed_warm_up_and_stop_at_the_budget()
    {
        double now = 0;
        var calls = new List<string>();
        var samples = TuningDecision.Collect(
            [null, 1, 2],
            warmUp: c => { calls.Add("w" + (c?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "W")); now += 100; return c != 2; },
            timeOne: c => { calls.Add(c?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "W"); now += 100; return 10 + (c ?? 0); },
            elapsedMilliseconds: () => now,
            budgetMilliseconds: 600,
            maxRounds: 7);

        // Warm-up 300 ms, then the budget of 600 ms counts: round 1 (300 ms) always, round 2 ends at 600, round 3 would end at 900.
        calls.Should().Equal("wW", "w1", "w2", "W", "1", "2", "2", "1", "W");
        samples.Select(s => s.Samples.Count).Should().Equal(2, 2, 2);
        samples.Select(s => s.Correct).Should().Equal(true, true, false);
        samples[1].Samples.Should().Equal(11.0, 11.0);
    }

    [Fact]
    public void The_warm_up_is_not_counted_against_the_budget_and_later_rounds_are_judged_by_the_longest_timed_round()
    {
        double now = 0;
        var samples = TuningDecision.Collect(
            [null, 1, 2], _ => { now += 2000; return true; }, _ => { now += 100; return 1; }, () => now, budgetMilliseconds: 900, maxRounds: 7);

        // A slow warm-up (6 s of first-use set-up) does not use up the budget; rounds of 300 ms fit at 0, 300 and 600 ms after it.
        samples.Should().OnlyContain(s => s.Samples.Count == 3);
        now.Should().Be(6900);
    }

    [Fact]
    public void A_long_render_on_a_busy_machine_gets_a_longer_budget_within_the_cap()
    {
        RenderTuner.BudgetFor(steps: 2, firstPassMilliseconds: 300).Should().Be(RenderTuner.BudgetMilliseconds, "a short render gets the least budget");
        RenderTuner.BudgetFor(steps: 512, firstPassMilliseconds: 300).Should().BeApproximately(0.05 * 512 * 300, 1e-9, "5% of the render's expected time");
        RenderTuner.BudgetFor(steps: 100_000, firstPassMilliseconds: 300).Should().Be(RenderTuner.MaxBudgetMilliseconds);
        RenderTuner.BudgetFor(steps: 512, firstPassMilliseconds: double.NaN).Should().Be(RenderTuner.BudgetMilliseconds);

        // Rounds of 4 s: the least budget (3 s) gets one round, too few; a 512-step render's (30 s) gets five.
        double now = 0;
        var samples = TuningDecision.Collect(
            [null, 1, 2, 4], c => { now += c is null ? 2000 : 1000; return true; }, _ => { now += 1000; return 1; }, () => now,
            budgetMilliseconds: RenderTuner.BudgetMilliseconds, maxRounds: 5, budgetAfterFirstWarmUp: first => RenderTuner.BudgetFor(512, first));
        samples.Should().OnlyContain(s => s.Samples.Count == 5, "the budget is 30 s: five rounds of 4 s after 5 s of warm-up");
        now.Should().Be(25_000);

        double then = 0;
        var brief = TuningDecision.Collect(
            [null, 1, 2, 4], c => { then += c is null ? 2000 : 1000; return true; }, _ => { then += 1000; return 1; }, () => then,
            budgetMilliseconds: RenderTuner.BudgetMilliseconds, maxRounds: 5);
        brief.Should().OnlyContain(s => s.Samples.Count == 1, "the first round always runs; a second would end past 3 s");
        TuningDecision.Conclusive(brief, null).Should().BeFalse();
    }

    [Fact]
    public void An_inconclusive_measurement_keeps_the_rule_of_thumb_caches_nothing_and_is_measured_again()
    {
        using var files = new UnixFiles("lucent-tuning");
        int measured = 0;
        Func<IReadOnlyList<int?>, (List<TuningSamples>, double)> busy = candidates =>
        {
            measured++;
            return ([.. candidates.Select(c => Samples(c, c is null ? [10, 10] : [1, 1]))], 1600);
        };

        var tuning = RenderTuner.Resolve(TuningMode.Auto, OneDnn, Location(files.Root), Work, busy);
        tuning.Source.Should().Be(RenderTuningSource.RuleOfThumb);
        tuning.MicroBatchSize.Should().BeNull("two repetitions are too few to leave the rule of thumb");
        tuning.Description.Should().Contain("did not finish 3 repetitions");
        File.Exists(RenderTuner.CachePath(files.Root, Key, Work)).Should().BeFalse();
        RenderTuner.Resolve(TuningMode.Auto, OneDnn, Location(files.Root), Work, busy);
        measured.Should().Be(2);
    }

    [Fact]
    public void The_number_of_rounds_is_capped()
    {
        double now = 0;
        var samples = TuningDecision.Collect([null, 1], _ => true, _ => { now += 1; return 1; }, () => now, budgetMilliseconds: 1e9, maxRounds: 5);
        samples.Should().OnlyContain(s => s.Samples.Count == 5);
    }

    [Fact]
    public void The_first_resolve_measures_and_caches_and_the_next_reads_the_cache()
    {
        using var files = new UnixFiles("lucent-tuning");
        var location = Location(files.Root);
        int measured = 0;
        var first = RenderTuner.Resolve(TuningMode.Auto, OneDnn, location, Work, Measure(() => measured++));
        first.Source.Should().Be(RenderTuningSource.Measured);
        first.MicroBatchSize.Should().Be(1);
        first.MicroBatchFor(10).Should().Be(1);
        first.Timings.Select(t => t.Setting).Should().Equal("whole batch", "micro-batch 1", "micro-batch 2", "micro-batch 4");
        first.Workload.Should().Be(Work.Description);
        first.Timings[0].MedianMilliseconds.Should().Be(10);
        first.Description.Should().StartWith("micro-batch 1 (measured");

        var second = RenderTuner.Resolve(TuningMode.Auto, OneDnn, location, Work, Measure(() => measured++));
        second.Source.Should().Be(RenderTuningSource.Cached);
        second.MicroBatchSize.Should().Be(1);
        measured.Should().Be(1);
        Directory.GetFiles(Path.GetDirectoryName(RenderTuner.CachePath(files.Root, Key, Work))!).Should().ContainSingle("no temporary file is left behind");

        RenderTuner.Resolve(TuningMode.Remeasure, OneDnn, location, Work, Measure(() => measured++)).Source.Should().Be(RenderTuningSource.Measured);
        measured.Should().Be(2);
    }

    [Fact]
    public void A_change_of_threads_kernels_cpu_or_allocator_measures_again()
    {
        using var files = new UnixFiles("lucent-tuning");
        int measured = 0;
        RenderTuner.Resolve(TuningMode.Auto, OneDnn, Location(files.Root), Work, Measure(() => measured++));
        RenderTuner.Resolve(TuningMode.Auto, OneDnn, Location(files.Root) with { Threads = 1 }, Work, Measure(() => measured++)).Source.Should().Be(RenderTuningSource.Measured);
        RenderTuner.Resolve(TuningMode.Auto, Native, Location(files.Root) with { Threads = 1 }, Work, Measure(() => measured++)).Source.Should().Be(RenderTuningSource.Measured);
        RenderTuner.Resolve(TuningMode.Auto, Native, Location(files.Root) with { Cpu = "Other CPU" }, Work, Measure(() => measured++)).Source.Should().Be(RenderTuningSource.Measured);
        RenderTuner.Resolve(TuningMode.Auto, Native, Location(files.Root) with { Cpu = "Other CPU", Allocator = AllocatorTuning.None }, Work, Measure(() => measured++)).Source.Should().Be(RenderTuningSource.Measured,
            "page faults weigh on large batches, so a measurement under other allocator settings says little");
        measured.Should().Be(5);
    }

    [Fact]
    public void Off_or_without_a_key_the_rule_of_thumb_is_used_without_measuring()
    {
        using var files = new UnixFiles("lucent-tuning");
        int measured = 0;
        var off = RenderTuner.Resolve(TuningMode.Off, OneDnn, Location(files.Root), Work, Measure(() => measured++));
        off.Source.Should().Be(RenderTuningSource.RuleOfThumb);
        off.MicroBatchSize.Should().BeNull("oneDNN: the whole batch");
        off.Description.Should().Contain("LUCENT_NET_TUNING=off");
        RenderTuner.Resolve(TuningMode.Auto, Native, null, Work, Measure(() => measured++)).MicroBatchSize.Should().Be(1, "LibTorch's own kernels: one image at a time");
        measured.Should().Be(0);
        File.Exists(RenderTuner.CachePath(files.Root, Key, Work)).Should().BeFalse();
    }

    [Theory]
    [InlineData("auto", "Auto")]
    [InlineData(null, "Auto")]
    [InlineData("", "Auto")]
    [InlineData(" Remeasure ", "Remeasure")]
    [InlineData("0", "Off")]
    [InlineData("off", "Off")]
    public void The_environment_variable_is_parsed(string? text, string mode) => RenderTuner.ParseMode(text).ToString().Should().Be(mode);

    [Fact]
    public void An_unknown_environment_value_names_the_valid_ones()
    {
        var act = () => RenderTuner.ParseMode("fast");
        act.Should().Throw<NativeRuntimeException>().WithMessage("*LUCENT_NET_TUNING='fast'*auto*off*remeasure*");
    }

    [Theory]
    [InlineData("choice contradicting its samples", "Chosen", "2")]
    [InlineData("choice of the whole batch contradicting its samples", "Chosen", "null")]
    [InlineData("another CPU", "Cpu", "\"Other CPU\"")]
    [InlineData("another LibTorch", "LibTorch", "\"torchsharp=9.9;libtorch_cpu=2\"")]
    [InlineData("another key", "Key", "\"ffffffffffffffffffffffff\"")]
    [InlineData("another thread count", "Threads", "7")]
    [InlineData("other kernels", "Kernels", "\"NativeKernels\"")]
    [InlineData("unknown kernels", "Kernels", "9")]
    [InlineData("other allocator settings", "Allocator", "\"None\"")]
    [InlineData("another format version", "Version", "1")]
    [InlineData("another workload", "Workload", "\"Other p=1\"")]
    [InlineData("another batch", "Batch", "12")]
    [InlineData("candidates missing", "-Candidates", null)]
    [InlineData("candidates null", "Candidates", null)]
    [InlineData("a candidate missing", "Candidates", "[{\"MicroBatchSize\":null,\"Samples\":[10,10,10],\"Correct\":true},{\"MicroBatchSize\":1,\"Samples\":[5,5,5],\"Correct\":true}]")]
    [InlineData("a candidate null", "Candidates", "[null,null,null,null]")]
    [InlineData("foreign candidates", "Candidates", "[{\"MicroBatchSize\":64,\"Samples\":[],\"Correct\":true},{\"MicroBatchSize\":1,\"Samples\":[],\"Correct\":true},{\"MicroBatchSize\":2,\"Samples\":[],\"Correct\":true},{\"MicroBatchSize\":4,\"Samples\":[],\"Correct\":true}]")]
    [InlineData("a negative sample", "Candidates", "[{\"MicroBatchSize\":null,\"Samples\":[10,-10,10],\"Correct\":true},{\"MicroBatchSize\":1,\"Samples\":[5,5,5],\"Correct\":true},{\"MicroBatchSize\":2,\"Samples\":[7,7,7],\"Correct\":true},{\"MicroBatchSize\":4,\"Samples\":[8,8,8],\"Correct\":true}]")]
    [InlineData("a NaN sample", "Candidates", "[{\"MicroBatchSize\":null,\"Samples\":[\"NaN\",10,10],\"Correct\":true},{\"MicroBatchSize\":1,\"Samples\":[5,5,5],\"Correct\":true},{\"MicroBatchSize\":2,\"Samples\":[7,7,7],\"Correct\":true},{\"MicroBatchSize\":4,\"Samples\":[8,8,8],\"Correct\":true}]")]
    [InlineData("too many samples", "Candidates", "[{\"MicroBatchSize\":null,\"Samples\":[10,10,10,10,10,10],\"Correct\":true},{\"MicroBatchSize\":1,\"Samples\":[5,5,5],\"Correct\":true},{\"MicroBatchSize\":2,\"Samples\":[7,7,7],\"Correct\":true},{\"MicroBatchSize\":4,\"Samples\":[8,8,8],\"Correct\":true}]")]
    [InlineData("negative measurement time", "MeasurementMilliseconds", "-1")]
    [InlineData("not an object", "", "[1,2,3]")]
    [InlineData("null document", "", "null")]
    [InlineData("not JSON", "", "{\"Version\":1,")]
    public void A_hostile_cache_file_is_discarded_measured_again_and_replaced(string why, string property, string? value)
    {
        using var files = new UnixFiles("lucent-tuning");
        var location = Location(files.Root);
        int measured = 0;
        RenderTuner.Resolve(TuningMode.Auto, OneDnn, location, Work, Measure(() => measured++));
        string path = RenderTuner.CachePath(files.Root, Key, Work);
        ForgedCacheFile.Edit(path, property, value);
        RenderTuner.ReadCache(location, KernelConfiguration.AsShipped, Work).Should().BeNull(why);

        var again = RenderTuner.Resolve(TuningMode.Auto, OneDnn, location, Work, Measure(() => measured++));
        again.Source.Should().Be(RenderTuningSource.Measured, why);
        measured.Should().Be(2);
        RenderTuner.ReadCache(location, KernelConfiguration.AsShipped, Work).Should().NotBeNull("the file was replaced by a valid one");
    }

    [Fact]
    public void A_rewritten_file_that_holds_together_is_read()
    {
        // The control for the hostile files above: the same edit with consistent values is accepted.
        using var files = new UnixFiles("lucent-tuning");
        var location = Location(files.Root);
        int measured = 0;
        RenderTuner.Resolve(TuningMode.Auto, OneDnn, location, Work, Measure(() => measured++));
        string path = RenderTuner.CachePath(files.Root, Key, Work);
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        root["Candidates"] = JsonNode.Parse("[{\"MicroBatchSize\":null,\"Samples\":[10,10,10],\"Correct\":true},{\"MicroBatchSize\":1,\"Samples\":[9.5,9.5,9.5],\"Correct\":true},{\"MicroBatchSize\":2,\"Samples\":[7,7,7,7,7],\"Correct\":true},{\"MicroBatchSize\":4,\"Samples\":[8,8,8],\"Correct\":true}]");
        root["Chosen"] = 2;
        File.WriteAllText(path, root.ToJsonString());

        var tuning = RenderTuner.Resolve(TuningMode.Auto, OneDnn, location, Work, Measure(() => measured++));
        tuning.Source.Should().Be(RenderTuningSource.Cached);
        tuning.MicroBatchSize.Should().Be(2);
        tuning.Timings[2].Repetitions.Should().Be(5);
        measured.Should().Be(1);
    }

    [SkippableTheory]
    [InlineData("/dev/zero")]
    [InlineData("fifo")]
    [InlineData("oversized")]
    public void A_link_fifo_or_oversized_file_is_not_read_and_is_replaced(string kind)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "needs Linux device files and mkfifo");
        using var files = new UnixFiles("lucent-tuning");
        var location = Location(files.Root);
        string path = RenderTuner.CachePath(files.Root, Key, Work);
        int measured = 0;
        switch (kind)
        {
            case "fifo":
                UnixFiles.MakeFifo(path);
                break;
            case "oversized":
                RenderTuner.Resolve(TuningMode.Auto, OneDnn, location, Work, Measure(() => measured++));
                string json = File.ReadAllText(path);
                File.WriteAllText(path, json + new string(' ', (64 * 1024) - json.Length + 1));
                measured = 0;
                break;
            default:
                UnixFiles.Link(path, kind);
                break;
        }

        var tuning = UnixFiles.Within10Seconds(() => RenderTuner.Resolve(TuningMode.Auto, OneDnn, location, Work, Measure(() => measured++)));
        tuning.Source.Should().Be(RenderTuningSource.Measured);
        measured.Should().Be(1);
        new FileInfo(path).LinkTarget.Should().BeNull();
        RenderTuner.ReadCache(location, KernelConfiguration.AsShipped, Work).Should().NotBeNull();
    }

    [Theory]
    [InlineData(1, new int[0])]
    [InlineData(2, new[] { 1 })]
    [InlineData(3, new[] { 1, 2 })]
    [InlineData(4, new[] { 1, 2 })]
    [InlineData(10, new[] { 1, 2, 4 })]
    public void The_candidates_are_the_whole_batch_and_the_smaller_sizes(int batch, int[] smaller) =>
        RenderTuner.CandidatesFor(batch).Should().Equal([null, .. smaller.Select(c => (int?)c)]);

    [Fact]
    public void Micro_batched_candidates_are_timed_on_a_few_whole_micro_batches_and_the_whole_batch_on_all_images()
    {
        RenderTuner.ImagesTimed(null, 10).Should().Be(10);
        RenderTuner.ImagesTimed(1, 10).Should().Be(4);
        RenderTuner.ImagesTimed(2, 10).Should().Be(4);
        RenderTuner.ImagesTimed(4, 12).Should().Be(4);
        RenderTuner.ImagesTimed(4, 3).Should().Be(3);
        RenderTuner.ImagesTimed(3, 12).Should().Be(6, "two whole micro-batches of 3");
    }

    [Theory]
    [InlineData(4, 10)]
    [InlineData(3, 10)]
    [InlineData(4, 6)]
    public void A_size_that_does_not_divide_the_batch_is_timed_on_the_whole_batch_with_its_short_last_slice(int size, int batch) =>
        RenderTuner.ImagesTimed(size, batch).Should().Be(batch, "the render runs the short last slice too, which costs more per image");

    [Fact]
    public void An_oversubscribed_machine_is_not_measured_and_a_measurement_the_load_spoiled_is_not_cached()
    {
        using var files = new UnixFiles("lucent-tuning");
        var location = Location(files.Root);
        int measured = 0;
        var busy = RenderTuner.Resolve(TuningMode.Auto, OneDnn, location, Work, Measure(() => measured++), () => 8.5);
        busy.Source.Should().Be(RenderTuningSource.RuleOfThumb);
        busy.Description.Should().Contain("not measured: the machine is busy, load 8.5 per core");
        measured.Should().Be(0, "a busy machine is not measured");
        var forced = RenderTuner.Resolve(TuningMode.Remeasure, OneDnn, location, Work, Measure(() => measured++), () => 8.5);
        forced.Description.Should().Contain("for this process only, not cached", "remeasure measures a busy machine but does not cache it");
        measured.Should().Be(1);
        measured = 0;

        var loads = new Queue<double?>([1.0, 8.5]);
        var busier = RenderTuner.Resolve(TuningMode.Auto, OneDnn, location, Work, Measure(() => measured++), loads.Dequeue);
        busier.Source.Should().Be(RenderTuningSource.Measured);
        busier.MicroBatchSize.Should().Be(1, "this process uses what it measured");
        busier.Description.Should().Contain("under load 8.5 per core, so for this process only, not cached");
        File.Exists(RenderTuner.CachePath(files.Root, Key, Work)).Should().BeFalse();

        RenderTuner.Resolve(TuningMode.Auto, OneDnn, location, Work, Measure(() => measured++), () => RenderTuner.BusyLoadPerCore).Source
            .Should().Be(RenderTuningSource.Measured, "at the threshold the machine counts as quiet");
        RenderTuner.Resolve(TuningMode.Auto, OneDnn, location, Work, Measure(() => measured++), () => 9).Source
            .Should().Be(RenderTuningSource.Cached, "a quiet measurement was cached");
        RenderTuner.Resolve(TuningMode.Auto, OneDnn, location, Work with { Batch = 3 }, Measure(() => measured++), () => null).Source
            .Should().Be(RenderTuningSource.Measured, "an unknown load is taken as quiet");
        File.Exists(RenderTuner.CachePath(files.Root, Key, Work with { Batch = 3 })).Should().BeTrue();
        measured.Should().Be(3);
        RenderTuner.LoadPerCore().Should().Match(l => l == null || l >= 0);
    }

    [Fact]
    public void Each_workload_has_its_own_cache_file_and_measurement()
    {
        using var files = new UnixFiles("lucent-tuning");
        var location = Location(files.Root);
        var other = Work with { Description = "Other p=1 layers=conv2 input=10x3x32x32 Float32 stop-early" };
        RenderTuner.CachePath(files.Root, Key, other).Should().NotBe(RenderTuner.CachePath(files.Root, Key, Work));
        RenderTuner.CachePath(files.Root, Key, Work with { Batch = 3 }).Should().NotBe(RenderTuner.CachePath(files.Root, Key, Work));
        int measured = 0;
        RenderTuner.Resolve(TuningMode.Auto, OneDnn, location, Work, Measure(() => measured++));
        RenderTuner.Resolve(TuningMode.Auto, OneDnn, location, other, Measure(() => measured++)).Source.Should().Be(RenderTuningSource.Measured);
        RenderTuner.Resolve(TuningMode.Auto, OneDnn, location, Work, Measure(() => measured++)).Source.Should().Be(RenderTuningSource.Cached);
        RenderTuner.Resolve(TuningMode.Auto, OneDnn, location, other, Measure(() => measured++)).Source.Should().Be(RenderTuningSource.Cached);
        measured.Should().Be(2);
    }

    [Fact]
    public void A_workload_description_with_control_characters_or_of_any_length_is_stored_bounded()
    {
        var hostile = new TuningWorkload("a\nb\u0000" + new string('x', 5000), 10);
        hostile.Stored.Should().HaveLength(TuningWorkload.MaxDescriptionLength).And.NotContainAny("\n", "\u0000");
        hostile.Hash.Should().MatchRegex("^[0-9a-f]{16}$");
    }

    [Fact]
    public void The_measurement_marks_a_candidate_whose_gradient_differs_from_the_whole_batch_as_wrong()
    {
        // Injected passes: the whole batch's gradient is 1..10 per image; micro-batch 2 gets image 1 wrong.
        LucentRuntime.EnsureInitialized();
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var whole = TorchSharp.torch.arange(1, 11, dtype: TorchSharp.torch.ScalarType.Float32).reshape(10, 1);
        int passes = 0;
        var (samples, milliseconds) = Lucent.Net.Rendering.MicroBatchTuning.Measure(RenderTuner.CandidatesFor(10), steps: 10, candidate =>
        {
            passes++;
            var rows = whole.narrow(0, 0, RenderTuner.ImagesTimed(candidate, 10)).clone();
            return candidate == 2 ? rows.index_put_(TorchSharp.torch.tensor(99f), TorchSharp.torch.TensorIndex.Single(1)) : rows;
        });
        samples.Select(s => s.MicroBatchSize).Should().Equal(null, 1, 2, 4);
        samples.Select(s => s.Correct).Should().Equal(true, true, false, true);
        passes.Should().BeGreaterThanOrEqualTo(4 + (4 * TuningDecision.MinRepetitions), "a warm-up round and at least three timed rounds fit the budget");
        samples.Should().OnlyContain(s => s.Samples.Count >= TuningDecision.MinRepetitions && s.Samples.All(x => x >= 0));
        milliseconds.Should().BeGreaterThan(0);
        TuningDecision.Decide(samples, null).Choice.Should().NotBe(2, "a wrong candidate is never chosen");
    }

    private static TuningLocation Location(string root) => new(Key, [root], Cpu, LibTorch, 2, AllocatorTuning.KeepFreedMemory);

    private static TuningSamples Samples(int? microBatch, params double[] samples) => new(microBatch, samples, true);

    /// <summary>A measurement that counts its calls: one image at a time is fastest by far.</summary>
    private static Func<IReadOnlyList<int?>, (List<TuningSamples>, double)> Measure(Action counted) => candidates =>
    {
        counted();
        return ([.. candidates.Select(c => Samples(c, c switch { null => [10, 11, 9], 1 => [6, 6.5, 5.5], 2 => [7, 7, 7], _ => [8, 8, 8] }))], 1234);
    };
}
