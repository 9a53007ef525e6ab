using System.Diagnostics;

namespace Lucent.Net.Tests.Runtime;

/// <summary>Private temp folders and the special files the hostile-cache tests plant: FIFOs and links to devices.</summary>
internal sealed class UnixFiles : IDisposable
{
    public UnixFiles(string prefix)
    {
        Root = Path.Combine(Path.GetTempPath(), prefix + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    /// <summary>The private folder, deleted on dispose.</summary>
    public string Root { get; }

    /// <summary>Makes a FIFO (named pipe) at <paramref name="path"/> with mkfifo(1).</summary>
    public static void MakeFifo(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var info = new ProcessStartInfo("mkfifo") { UseShellExecute = false, RedirectStandardError = true };
        info.ArgumentList.Add(path);
        using var process = Process.Start(info)!;
        process.WaitForExit();
        process.ExitCode.Should().Be(0, process.StandardError.ReadToEnd());
    }

    /// <summary>Makes a symbolic link at <paramref name="path"/> to <paramref name="target"/>.</summary>
    public static void Link(string path, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, target);
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a worker thread and fails the test if it has not finished within ten
    /// seconds (an open of a FIFO that blocks would otherwise hang the test run).
    /// </summary>
    public static T Within10Seconds<T>(Func<T> action)
    {
        var task = Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        task.Wait(TimeSpan.FromSeconds(10)).Should().BeTrue("reading must not block on a FIFO");
        return task.Result;
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
