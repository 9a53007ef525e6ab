namespace Lucent.Net.Runtime;

/// <summary>One candidate's measurements: milliseconds per image, one per interleaved repetition.</summary>
/// <param name="MicroBatchSize">The candidate; null for the whole batch.</param>
/// <param name="Samples">Milliseconds per image, one per repetition.</param>
/// <param name="Correct">Whether its result equalled the whole batch's.</param>
internal sealed record TuningSamples(int? MicroBatchSize, IReadOnlyList<double> Samples, bool Correct);

/// <summary>
/// The measured-default decision, a pure function of the measurements (tests inject timings): the candidate
/// with the lowest median wins only when it beats the previous default (the rule of thumb) by
/// <see cref="Margin"/>; with too few repetitions, or an incorrect or unmeasured previous default, the
/// previous default stays.
/// </summary>
internal static class TuningDecision
{
    /// <summary>How much faster (as a fraction of the previous default's median) a candidate must be to replace it.</summary>
    public const double Margin = 0.10;

    /// <summary>The fewest repetitions per candidate a decision needs.</summary>
    public const int MinRepetitions = 3;

    /// <summary>The median of finite samples; NaN when there are none.</summary>
    /// <param name="samples">The samples.</param>
    /// <returns>The median.</returns>
    public static double Median(IReadOnlyList<double> samples)
    {
        var sorted = samples.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>Whether the measurements can decide anything: the previous default was measured correct with enough finite repetitions.</summary>
    /// <param name="candidates">Each candidate's measurements.</param>
    /// <param name="previous">The previous default.</param>
    /// <returns>True when <see cref="Decide"/> compares against measurements rather than keeping the previous default for want of them.</returns>
    public static bool Conclusive(IReadOnlyList<TuningSamples> candidates, int? previous) =>
        candidates.FirstOrDefault(c => c.MicroBatchSize == previous) is { } baseline && Usable(baseline);

    private static bool Usable(TuningSamples c) =>
        c.Correct && c.Samples.Count >= MinRepetitions && c.Samples.All(s => double.IsFinite(s) && s > 0);

    /// <summary>Chooses the micro-batch size.</summary>
    /// <param name="candidates">Each candidate's measurements.</param>
    /// <param name="previous">The previous default (null for the whole batch), kept unless a candidate is clearly faster.</param>
    /// <returns>The choice and why, in words.</returns>
    public static (int? Choice, string Reason) Decide(IReadOnlyList<TuningSamples> candidates, int? previous)
    {
        var baseline = candidates.FirstOrDefault(c => c.MicroBatchSize == previous);
        if (baseline is null || !Usable(baseline))
        {
            return (previous, "the previous default was not measured well enough to compare against");
        }

        double baselineMedian = Median(baseline.Samples);
        var best = baseline;
        double bestMedian = baselineMedian;
        foreach (var candidate in candidates)
        {
            if (!Usable(candidate))
            {
                continue;
            }

            double median = Median(candidate.Samples);
            if (median < bestMedian)
            {
                best = candidate;
                bestMedian = median;
            }
        }

        if (ReferenceEquals(best, baseline))
        {
            return (previous, "the previous default was fastest");
        }

        return bestMedian <= (1 - Margin) * baselineMedian
            ? (best.MicroBatchSize, "fastest by more than the margin")
            : (previous, "no candidate beat the previous default by the margin");
    }

    /// <summary>
    /// Runs the candidates interleaved: one warm-up round that is not timed and always runs whole (it pays each
    /// candidate's first-use set-up; <paramref name="warmUp"/> also says whether the candidate is correct), then rounds
    /// in alternating order (reversed on every other round) until <paramref name="maxRounds"/> rounds or until the next
    /// round would end past <paramref name="budgetMilliseconds"/> counted from the end of the warm-up (judged by the
    /// longest timed round; the first timed round always runs). So the measurement takes at most the warm-up round plus
    /// the budget, or plus one round when a single round is longer than the budget.
    /// </summary>
    /// <param name="candidates">The candidates.</param>
    /// <param name="warmUp">Runs one candidate once, untimed, and says whether its result is correct.</param>
    /// <param name="timeOne">Runs one candidate once and returns its milliseconds per image.</param>
    /// <param name="elapsedMilliseconds">The time since the measurement began.</param>
    /// <param name="budgetMilliseconds">The time the timed rounds may take.</param>
    /// <param name="maxRounds">The most rounds counted.</param>
    /// <param name="budgetAfterFirstWarmUp">
    /// Optionally, the budget to use instead once the first candidate's warm-up took the given milliseconds (a render
    /// scales it with its own length, <see cref="RenderTuner.BudgetFor"/>).
    /// </param>
    /// <returns>Each candidate's samples and correctness.</returns>
    public static List<TuningSamples> Collect(
        IReadOnlyList<int?> candidates,
        Func<int?, bool> warmUp,
        Func<int?, double> timeOne,
        Func<double> elapsedMilliseconds,
        double budgetMilliseconds,
        int maxRounds,
        Func<double, double>? budgetAfterFirstWarmUp = null)
    {
        var samples = candidates.Select(_ => new List<double>()).ToArray();
        double start = elapsedMilliseconds();
        bool[] correct = new bool[candidates.Count];
        for (int i = 0; i < candidates.Count; i++)
        {
            correct[i] = warmUp(candidates[i]);
            if (i == 0 && budgetAfterFirstWarmUp is not null)
            {
                budgetMilliseconds = budgetAfterFirstWarmUp(elapsedMilliseconds() - start);
            }
        }

        double timedStart = elapsedMilliseconds();
        double longest = 0;
        for (int round = 0; round < maxRounds; round++)
        {
            double roundStart = elapsedMilliseconds();
            if (round > 0 && roundStart - timedStart + longest > budgetMilliseconds)
            {
                break;
            }

            for (int i = 0; i < candidates.Count; i++)
            {
                int index = round % 2 == 0 ? i : candidates.Count - 1 - i;
                samples[index].Add(timeOne(candidates[index]));
            }

            longest = Math.Max(longest, elapsedMilliseconds() - roundStart);
        }

        return [.. candidates.Select((c, i) => new TuningSamples(c, samples[i], correct[i]))];
    }
}
