using BenchmarkDotNet.Running;
using Lucent.Net.Benchmarks;
using Lucent.Net.Runtime;

double mainAtMs = (DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime).TotalMilliseconds;
LucentRuntime.EnsureInitialized();
double initialisedAtMs = (DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime).TotalMilliseconds;
string command = args.Length > 0 ? args[0] : "help";
var rest = args.Skip(1).ToArray();
if (command != "help" && !BenchmarkDevice.TrySelect(rest))
{
    return 1;
}

switch (command)
{
    case "compare":
        return CompareCommand.Run(new HarnessOptions(rest));
    case "tuning":
        return rest.Contains("--explore") ? TuningExplore.Run(new HarnessOptions(rest)) : TuningCommand.Run();
    case "startup":
        return StartupCommand.Run(new HarnessOptions(rest), mainAtMs, initialisedAtMs);
    case "memory":
        return MemoryCommand.Run(new HarnessOptions(rest));
    case "variants":
        return VariantsCommand.Run(new HarnessOptions(rest));
    case "lrn":
        return LrnProbe.Run(new HarnessOptions(rest));
    case "profile":
        return ProfileCommand.Run(new HarnessOptions(rest));
    case "resnet":
        return ResNetProbe.Run(new HarnessOptions(rest));
    case "pool":
        return PoolProbe.Run(new HarnessOptions(rest));
    case "relu":
        return ReluProbe.Run(new HarnessOptions(rest));
    case "spectrum":
        return MethodsCommand.Spectrum(new HarnessOptions(rest));
    case "macoprobe":
        return MethodsCommand.MacoProbe(new HarnessOptions(rest));
    case "methods":
        return MethodsCommand.Methods(new HarnessOptions(rest));
    case "bdn":
        BenchmarkSwitcher.FromAssembly(typeof(CompareCommand).Assembly).Run(rest, BenchmarkConfig.Create());
        return 0;
    default:
        Console.WriteLine("""
            Lucent.Net benchmarks.
              compare  [--steps 20] [--repeats 1] [--lucent-channels 4] [--single] [--bf16] [--threads N] [--micro-batch N] [--alternatives]
                       Lucent-faithful loop vs our default path on the Part 1 workload
              tuning                                            the measured defaults (LUCENT_NET_TUNING=remeasure measures again)
              startup  [--steps 20]                             process start to first render step (runtime, kernel check, model, steps)
              memory   [--steps 512] [--batched-steps 128] [--threads N]
                       memory growth of a long render and peak of a batched render
              variants [--steps 10] [--repeats 2] [--threads N] [--lrn] [--micro-batches]
                       our path with candidate settings (LRN as before, channels-first, bf16, plain ReLU, threads, micro-batches), with image quality
              profile  [--steps 5] [--batch 10]                where one step spends its time
              lrn [--batch 10] | relu | pool                    LRN, redirected-ReLU and max-pool (incl. separable) implementations: values, gradients, time
              resnet   [--steps 8] [--repeats 2] [--bf16]      ResNet-18 render steps: channels-last vs channels-first (and bfloat16)
              spectrum --photos DIR [--size 224] [--out file.lmag]  MACO's average magnitude spectrum of a folder of photos
              methods  --photos DIR [--channels 16] [--first-channel N (default 0)] [--steps 128] [--crops 4] [--start 0.5] [--end 0.05] [--lr 1.0] [--methods lucent,maco,accentuation] [--layers layer1,...] [--out DIR]
                       ResNet-18 units with Lucent's default, MACO and feature accentuation: activation, robustness,
                       high-frequency share, ratio to the best photo (quality, not timing; docs/maco.md)
              bdn      [BenchmarkDotNet arguments, e.g. --filter *]  micro-benchmarks of the pieces
            """);
        return command == "help" ? 0 : 2;
}
