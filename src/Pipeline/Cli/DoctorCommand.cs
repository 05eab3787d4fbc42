using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Cli;

/// <summary><c>cvmae doctor</c>: reports the runtime this program depends on and fails clearly when part of it is missing.</summary>
public static class DoctorCommand
{
    public static Command Create()
    {
        var cmd = new Command("doctor", "Print libtorch version, BLAS, threads, devices, ffmpeg and libjpeg-turbo; exit 1 if a dependency is missing.");
        cmd.SetAction(_ => Run(Console.Out));
        return cmd;
    }

    public static int Run(TextWriter o)
    {
        var problems = new List<string>();

        try
        {
            o.WriteLine($"libtorch        {torch.__version__}");
            using (var a = torch.randn(64, 64)) using (var b = a.matmul(a)) { }  // loads BLAS
            o.WriteLine($"BLAS            {BlasInUse()}");
            o.WriteLine($"threads         {torch.get_num_threads()} intra-op (cores: {Environment.ProcessorCount}; set CVMAE_THREADS to change)");
            bool cuda = torch.cuda.is_available();
            o.WriteLine($"CUDA build      {(torch.cuda.built_with_cuda() ? "yes" : "no (CPU libtorch)")}");
            o.WriteLine($"CUDA devices    {(cuda ? torch.cuda.device_count() : 0)}");
            if (cuda)
                for (int i = 0; i < torch.cuda.device_count(); i++)
                    o.WriteLine($"  cuda:{i}        {torch.cuda.get_device_name(i)}");
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            problems.Add($"the native shim (libcvmae_torch.so) or libtorch could not be loaded: {e.GetBaseException().Message}. Run ./run setup.");
        }

        foreach (string tool in new[] { "ffmpeg", "ffprobe" })
        {
            string? version = ToolVersion(tool);
            o.WriteLine($"{tool,-15} {version ?? "MISSING"}");
            if (version is null) problems.Add($"{tool} is not on PATH (Debian: apt-get install ffmpeg)");
        }

        bool jpeg = NativeLibrary.TryLoad("libturbojpeg.so.0", out IntPtr h);
        if (jpeg) NativeLibrary.Free(h);
        o.WriteLine($"libturbojpeg    {(jpeg ? "found" : "MISSING")}");
        if (!jpeg) problems.Add("libturbojpeg.so.0 is missing (Debian: apt-get install libturbojpeg0)");

        foreach (string p in problems) CliLog.Error(p);
        o.WriteLine(problems.Count == 0 ? "ok: every dependency is present" : $"{problems.Count} problem(s)");
        return problems.Count == 0 ? ExitCodes.Success : ExitCodes.RunFailed;
    }

    // The BLAS library mapped into this process, read from /proc/self/maps, plus libtorch's own note.
    private static string BlasInUse()
    {
        string mapped = "unknown";
        try
        {
            var libs = File.ReadLines("/proc/self/maps")
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
                .Where(p => p.Contains("blas", StringComparison.OrdinalIgnoreCase) || p.Contains("mkl", StringComparison.OrdinalIgnoreCase))
                .Distinct().ToList();
            if (libs.Count > 0) mapped = string.Join(", ", libs.Select(ResolveLink));
        }
        catch (IOException) { }
        string config = torch.show_config();
        int at = config.IndexOf("BLAS_INFO=", StringComparison.Ordinal);
        string info = at < 0 ? "" : config[(at + 10)..].Split(',')[0];
        return info.Length > 0 ? $"{mapped} (libtorch BLAS_INFO={info})" : mapped;
    }

    private static string ResolveLink(string path)
    {
        try { return new FileInfo(path).ResolveLinkTarget(true)?.FullName ?? path; }
        catch (IOException) { return path; }
    }

    private static string? ToolVersion(string tool)
    {
        try
        {
            var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("-version");
            using Process p = Process.Start(psi)!;
            string first = p.StandardOutput.ReadLine() ?? "";
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? first : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }
}
