using System.ComponentModel;
using System.Diagnostics;

namespace Lucent.Net.ModelZoo.Tests.Onnx;

/// <summary>
/// The full-size exports the zoo check reads, made once per test run by <c>Fixtures/onnx/export_zoo.py</c> with
/// Debian's PyTorch (<c>/usr/bin/python3</c>, seeded random weights). Which models depends on <c>LUCENT_ONNX_ZOO</c>:
/// unset, the CI subset (<see cref="CiModels"/>) into a temporary folder deleted afterwards; <c>all</c>, the whole
/// zoo at opsets 13 and 17 into a temporary folder; any other value, the whole zoo in that folder, exporting only
/// what is missing there (kept, so a second run reuses it). Without python3 with torch, torchvision and onnx, every
/// zoo test fails saying what to install: the check is never skipped.
/// </summary>
public sealed class OnnxZooExports : IDisposable
{
    /// <summary>The environment variable that selects the whole zoo (<c>all</c>, or a folder of exports to reuse).</summary>
    public const string Variable = "LUCENT_ONNX_ZOO";

    /// <summary>The smallest member of every torchvision 0.14 classification family (the order of export_zoo.py's ZOO), plus ResNet-50.</summary>
    public static readonly IReadOnlyList<string> Zoo =
    [
        "alexnet", "vgg11", "squeezenet1_0", "googlenet", "inception_v3", "resnet18", "resnext50_32x4d",
        "wide_resnet50_2", "densenet121", "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large",
        "shufflenet_v2_x0_5", "mnasnet0_5", "efficientnet_b0", "efficientnet_v2_s", "regnet_x_400mf",
        "regnet_y_400mf", "convnext_tiny", "vit_b_16", "swin_t", "resnet50",
    ];

    /// <summary>
    /// What a normal run (CI) checks at full size: a vision transformer (Swin-T at opset 13: 6,570 nodes before
    /// folding, the folding's hardest case) and a modern ConvNet (ConvNeXt-T at opset 17, with LayerNormalization),
    /// plus ResNet-50 at opset 13 for the step-cost comparison. Swin-T's export dominates (30 s to 100 s on two cores).
    /// </summary>
    public static readonly IReadOnlyList<(string Name, int Opset)> CiModels = [("swin_t", 13), ("convnext_tiny", 17)];

    /// <summary>The models the step-cost comparison needs (exported in every mode).</summary>
    public static readonly IReadOnlyList<(string Name, int Opset)> StepModels = [("swin_t", 13), ("resnet50", 13)];

    private static readonly TimeSpan CiTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan ZooTimeout = TimeSpan.FromMinutes(90);

    private readonly Lazy<string> _folder;
    private readonly bool _temporary;

    /// <summary>Prepares the exports (made on first use).</summary>
    public OnnxZooExports()
    {
        var setting = Environment.GetEnvironmentVariable(Variable);
        _temporary = string.IsNullOrEmpty(setting) || string.Equals(setting, "all", StringComparison.OrdinalIgnoreCase);
        var folder = _temporary ? Path.Combine(Path.GetTempPath(), "lucent-onnx-zoo-" + Guid.NewGuid().ToString("N")) : setting!;
        _folder = new Lazy<string>(() => Export(folder), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Whether this run checks the whole zoo (<c>LUCENT_ONNX_ZOO</c> set) rather than the CI subset.</summary>
    public static bool WholeZoo => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable));

    /// <summary>The (model, opset) pairs this run checks.</summary>
    public static IReadOnlyList<(string Name, int Opset)> Checked =>
        WholeZoo ? [.. Zoo.SelectMany(name => new[] { (name, 13), (name, 17) })] : CiModels;

    /// <summary>The folder holding <c>&lt;name&gt;_op&lt;opset&gt;.onnx</c> and <c>&lt;name&gt;.json</c>, exporting on first use.</summary>
    public string Folder => _folder.Value;

    /// <summary>The path of one export.</summary>
    /// <param name="name">The model.</param>
    /// <param name="opset">The opset.</param>
    /// <returns>The .onnx file's path.</returns>
    public string ModelPath(string name, int opset) => Path.Combine(Folder, $"{name}_op{opset}.onnx");

    /// <inheritdoc />
    public void Dispose()
    {
        if (_temporary && _folder.IsValueCreated && Directory.Exists(_folder.Value))
        {
            Directory.Delete(_folder.Value, recursive: true);
        }
    }

    private static string Export(string folder)
    {
        Directory.CreateDirectory(folder);
        var missing = Checked.Concat(StepModels).Distinct()
            .Where(m => !File.Exists(Path.Combine(folder, $"{m.Name}_op{m.Opset}.onnx")) || !File.Exists(Path.Combine(folder, m.Name + ".json")))
            .GroupBy(m => m.Name, m => m.Opset)
            .Select(g => g.Key + string.Concat(g.Select(o => ":" + o.ToString(System.Globalization.CultureInfo.InvariantCulture))))
            .ToList();
        if (missing.Count == 0)
        {
            return folder;
        }

        var script = Path.Combine(OnnxPyTorchFixture.Folder, "export_zoo.py");
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        Run(python, ["-c", "import torch, torchvision, onnx"], TimeSpan.FromMinutes(2), "check for PyTorch");
        Run(python, [script, folder, "--only", string.Join(",", missing)], WholeZoo ? ZooTimeout : CiTimeout, "export");
        return folder;
    }

    private static void Run(string python, string[] arguments, TimeSpan timeout, string what)
    {
        const string Install = "The full-size ONNX zoo check exports its models with Debian's PyTorch: install it with " +
            "`sudo apt-get install python3-torch python3-torchvision python3-onnx` (the test fails rather than skips without it).";
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{python} did not start. {Install}");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"{python} is missing ({e.Message}). {Install}", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"The ONNX zoo {what} ({python} {string.Join(" ", arguments)}) took over {timeout.TotalMinutes} minutes.");
            }

            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                var error = stderr.Result;
                var hint = what == "check for PyTorch" || error.Contains("ModuleNotFoundError", StringComparison.Ordinal) ? " " + Install : string.Empty;
                throw new InvalidOperationException(
                    $"The ONNX zoo {what} ({python} {string.Join(" ", arguments)}) failed with exit code {process.ExitCode}:{hint}\n{stdout.Result}\n{error}");
            }
        }
    }
}
