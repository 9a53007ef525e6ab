using System.Diagnostics;
using System.Text;

namespace Lucent.Net.Tool.Tests;

/// <summary>Runs the built tool (<c>dotnet lucent.dll</c>) as a separate process, as users and schedulers do.</summary>
internal sealed class ToolProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private ToolProcess(Process process) => this.process = process;

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "lucent.dll");

    /// <summary>The repository root (the folder holding Lucent.Net.sln).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Lucent.Net.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("Lucent.Net.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public int Id => process.Id;

    public static ToolProcess Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    /// <summary>Starts the tool with extra environment variables (for example a crash point).</summary>
    public static ToolProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Dll);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Shards come from arguments in these tests, never from a scheduler the test itself runs under.
        foreach (string name in new[] { "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX", "JOB_COMPLETION_INDEX" })
        {
            info.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info };
        var tool = new ToolProcess(process);
        process.OutputDataReceived += (_, e) => tool.Append(e.Data);
        process.ErrorDataReceived += (_, e) => tool.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return tool;
    }

    /// <summary>Runs to completion and returns the exit code and all output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        using var tool = Start(args);
        int code = await tool.WaitAsync(TimeSpan.FromMinutes(5));
        return (code, tool.Output);
    }

    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancellation.Token);
        process.WaitForExit(); // drains the output handlers
        return process.ExitCode;
    }

    /// <summary>Waits until the output contains <paramref name="text"/> (or the process ends).</summary>
    public async Task<bool> WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (Output.Contains(text, StringComparison.Ordinal))
            {
                return true;
            }

            if (process.HasExited)
            {
                // The output is read asynchronously: wait until it is all in before deciding the text never came.
                await process.WaitForExitAsync();
                return Output.Contains(text, StringComparison.Ordinal);
            }

            await Task.Delay(10);
        }

        return false;
    }

    /// <summary>SIGKILL: the process gets no chance to clean up.</summary>
    public void Kill() => process.Kill(entireProcessTree: true);

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
