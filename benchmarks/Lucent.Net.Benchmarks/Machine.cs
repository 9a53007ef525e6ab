using System.Globalization;
using System.Runtime.InteropServices;
using Lucent.Net.Runtime;
using TorchSharp;

namespace Lucent.Net.Benchmarks;

/// <summary>What the harness prints about the machine, so numbers can be read in context.</summary>
internal static class Machine
{
    public static string LoadAverage()
    {
        const string path = "/proc/loadavg";
        if (!File.Exists(path))
        {
            return "n/a";
        }

        var parts = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return string.Join(' ', parts.Take(3));
    }

    public static void PrintHeader(string command)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# Lucent.Net harness: {command}"));
        Console.WriteLine($"# {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.ProcessArchitecture}");
        Console.WriteLine($"# cores (Environment.ProcessorCount) {Environment.ProcessorCount}, torch intra-op threads {torch.get_num_threads()}, inter-op threads {torch.get_num_interop_threads()}");
        Console.WriteLine($"# cpu: {CpuIdentity.Name}");
        Console.WriteLine($"# load average (1, 5, 15 min): {LoadAverage()}");
    }
}
