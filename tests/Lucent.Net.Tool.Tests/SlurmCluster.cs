using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Lucent.Net.Tool.Tests;

/// <summary>
/// A one-node Slurm cluster on 127.0.0.1 (munged, slurmctld, slurmd) with its configuration and state in a temp folder,
/// for tests that submit real array jobs. Needs root and Debian's slurm-wlm and munge packages (.ci/run installs them).
/// </summary>
internal sealed class SlurmCluster : IDisposable
{
    private readonly List<string> pidFiles = [];

    private SlurmCluster(string root) => Root = root;

    public string Root { get; }

    public string Config => Path.Combine(Root, "slurm.conf");

    /// <summary>Why the cluster cannot start here, or null when it can.</summary>
    public static string? MissingReason()
    {
        string[] needed = ["/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch", "/usr/sbin/munged"];
        if (needed.FirstOrDefault(f => !File.Exists(f)) is { } missing)
        {
            return $"Slurm is not installed ({missing} is missing): 'apt-get install slurm-wlm munge' to run the Slurm test (CI does).";
        }

        return Environment.UserName == "root" ? null : "The one-node Slurm cluster needs root (SlurmUser=root, munged as munge).";
    }

    /// <summary>Skips the calling test where Slurm cannot run, and fails it instead under CI (which must run it).</summary>
    public static void SkipUnlessAvailable()
    {
        string? missing = MissingReason();
        if (missing is not null && string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("CI must run the Slurm test: " + missing);
        }

        Skip.If(missing is not null, missing);
    }

    /// <summary>
    /// The deployment file users copy (<c>deploy/slurm/gallery.sbatch</c>), written into <paramref name="folder"/> as a
    /// three-task array without its GPU request (no GPU here), with an empty log folder beside it.
    /// </summary>
    public static (string Script, string Logs) WriteGalleryScript(string folder)
    {
        string deployed = File.ReadAllText(Path.Combine(ToolProcess.RepositoryRoot, "deploy", "slurm", "gallery.sbatch"));
        string script = Path.Combine(folder, "gallery.sbatch");
        File.WriteAllText(script, Regex.Replace(
            Regex.Replace(
                Regex.Replace(deployed, @"^#SBATCH --gres=.*$\n", string.Empty, RegexOptions.Multiline),
                @"^#SBATCH --array=.*$", "#SBATCH --array=0-2", RegexOptions.Multiline),
            @"^SHARDS=\d+$", "SHARDS=3", RegexOptions.Multiline));
        string logs = Path.Combine(folder, "slurm-logs");
        Directory.CreateDirectory(logs);
        return (script, logs);
    }

    /// <summary>The <c>sbatch</c> options that run the gallery in <paramref name="dir"/> with the built tool, one thread per task.</summary>
    public static string[] GalleryOptions(string logs, string dir) =>
        ["--chdir", logs, "--cpus-per-task=1", "--mem=1000", $"--export=ALL,GALLERY_DIR={dir},LUCENT=dotnet {ToolProcess.Dll},DEVICE=cpu,THREADS=1"];

    public static SlurmCluster Start(string root)
    {
        Directory.CreateDirectory(root);
        var cluster = new SlurmCluster(root);
        try
        {
            cluster.StartDaemons();
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    public string Run(string command, params string[] args)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["SLURM_CONF"] = Config;
        using var process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', args)} exited with {process.ExitCode}: {output}");
        }

        return output;
    }

    /// <summary>Submits a batch script and returns the job id.</summary>
    public string Submit(string script, params string[] options) =>
        Run("sbatch", ["--parsable", .. options, script]).Trim().Split(';')[0];

    /// <summary>Waits until none of the job's tasks is pending or running.</summary>
    public async Task WaitForJobAsync(string jobId, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (string.IsNullOrWhiteSpace(Run("squeue", "--noheader", "--jobs", jobId)))
            {
                return;
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"Slurm job {jobId} did not finish in {timeout}: {Run("squeue", "--jobs", jobId)}");
    }

    public void Dispose()
    {
        foreach (string pidFile in pidFiles.AsEnumerable().Reverse())
        {
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int pid))
            {
                try
                {
                    using var daemon = Process.GetProcessById(pid);
                    daemon.Kill();
                    daemon.WaitForExit(10_000);
                }
                catch (ArgumentException)
                {
                    // Already gone.
                }
            }
        }
    }

    private void StartDaemons()
    {
        string host = Run("hostname", "-s").Trim();
        foreach (string sub in new[] { "state", "spool", "log" })
        {
            Directory.CreateDirectory(Path.Combine(Root, sub));
        }

        File.WriteAllText(Config, string.Join('\n',
            "ClusterName=lucenttest",
            $"SlurmctldHost={host}",
            "SlurmctldAddr=127.0.0.1",
            "SlurmUser=root",
            "SlurmctldPort=16817",
            "SlurmdPort=16818",
            "AuthType=auth/munge",
            $"StateSaveLocation={Root}/state",
            $"SlurmdSpoolDir={Root}/spool",
            $"SlurmctldPidFile={Root}/slurmctld.pid",
            $"SlurmdPidFile={Root}/slurmd.pid",
            $"SlurmctldLogFile={Root}/log/slurmctld.log",
            $"SlurmdLogFile={Root}/log/slurmd.log",
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "SchedulerType=sched/backfill",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core",
            "ReturnToService=2",
            "MpiDefault=none",
            "JobAcctGatherType=jobacct_gather/none",
            $"NodeName={host} NodeAddr=127.0.0.1 CPUs={Environment.ProcessorCount} RealMemory=4000 State=UNKNOWN",
            $"PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES",
            string.Empty));

        if (!File.Exists("/etc/munge/munge.key"))
        {
            Directory.CreateDirectory("/etc/munge");
            File.WriteAllBytes("/etc/munge/munge.key", System.Security.Cryptography.RandomNumberGenerator.GetBytes(1024));
            Run("chown", "munge:munge", "/etc/munge/munge.key");
            Run("chmod", "400", "/etc/munge/munge.key");
        }

        Directory.CreateDirectory("/run/munge");
        Run("chown", "munge:munge", "/run/munge");
        if (!MungeWorks())
        {
            pidFiles.Add("/run/munge/munged.pid");
            Run("su", "-s", "/bin/sh", "munge", "-c", "/usr/sbin/munged");
        }

        pidFiles.Add(Path.Combine(Root, "slurmctld.pid"));
        Run("/usr/sbin/slurmctld", "-f", Config);
        pidFiles.Add(Path.Combine(Root, "slurmd.pid"));
        Run("/usr/sbin/slurmd", "-f", Config);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                if (Run("sinfo", "--noheader", "--format=%t").Trim() is "idle" or "mix")
                {
                    return;
                }
            }
            catch (InvalidOperationException)
            {
                // slurmctld not answering yet.
            }

            Thread.Sleep(500);
        }

        throw new TimeoutException("The one-node Slurm cluster did not come up: " + File.ReadAllText(Path.Combine(Root, "log", "slurmctld.log")));
    }

    private static bool MungeWorks()
    {
        try
        {
            var info = new ProcessStartInfo("/bin/sh", ["-c", "munge -n | unmunge"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(info)!;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
