namespace CrossVideoMAE.TestSupport;

/// <summary>
/// Debian's PyTorch (python3-torch, the same libtorch) as an independent reference: a test
/// writes inputs, runs a Python script that computes the expected values with PyTorch, and
/// compares. Uses /usr/bin/python3 explicitly, whatever python3 is first on PATH.
/// </summary>
public static class PyTorchReference
{
    public const string Python = "/usr/bin/python3";

    /// <summary>Runs the script with the working folder as cwd and returns its stdout. The
    /// script can <c>import st</c> (python/st.py: safetensors load/save written independently of ours).</summary>
    public static string Run(string script, string workDir)
    {
        File.Copy(Path.Combine(AppContext.BaseDirectory, "python", "st.py"), Path.Combine(workDir, "st.py"), overwrite: true);
        string file = Path.Combine(workDir, "reference.py");
        File.WriteAllText(file, script);
        return ProcessRunner.Run(Python, [file], workDir: workDir);
    }
}
