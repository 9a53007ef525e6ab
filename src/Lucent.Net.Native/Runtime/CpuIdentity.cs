using System.Runtime.InteropServices;

namespace Lucent.Net.Runtime;

/// <summary>The CPU this process runs on, as /proc/cpuinfo describes it.</summary>
internal static class CpuIdentity
{
    private static readonly Lazy<(string Name, string Fingerprint)> Identity = new(Read);

    /// <summary>The model name, family, model and the AVX-512/AMX flags, e.g. <c>AMD EPYC (family 26 model 2; avx512f avx512_bf16 ...)</c>.</summary>
    public static string Name => Identity.Value.Name;

    /// <summary>Everything that identifies the CPU for the kernel cache: vendor, family, model, stepping, name, all flags.</summary>
    public static string Fingerprint => Identity.Value.Fingerprint;

    private static (string, string) Read()
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                foreach (string line in File.ReadLines("/proc/cpuinfo"))
                {
                    if (line.Length == 0)
                    {
                        break; // the first processor's block is enough
                    }

                    int colon = line.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0)
                    {
                        fields.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim());
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Fall back to what .NET knows.
        }

        string Get(string name) => fields.TryGetValue(name, out var value) ? value : "";
        string flags = Get("flags");
        var flagSet = flags.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        string notable = string.Join(", ", new[] { ("avx512f", "AVX-512"), ("avx512_bf16", "AVX-512 BF16"), ("amx_bf16", "AMX"), ("avx2", "AVX2") }
            .Where(f => flagSet.Contains(f.Item1)).Select(f => f.Item2).Take(3));
        string model = Get("model name");
        string name = model.Length == 0
            ? RuntimeInformation.ProcessArchitecture.ToString()
            : $"{model} (family {Get("cpu family")} model {Get("model")}{(notable.Length > 0 ? "; " + notable : "")})";
        string fingerprint = string.Join('|', Get("vendor_id"), Get("cpu family"), Get("model"), Get("stepping"), model, flags,
            RuntimeInformation.ProcessArchitecture, Environment.ProcessorCount);
        return (name, fingerprint);
    }
}
