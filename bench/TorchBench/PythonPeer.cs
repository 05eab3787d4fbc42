using System.Diagnostics;
using System.Globalization;

namespace CrossVideoMAE.Bench;

/// <summary>torch_bench.py running beside us: it waits on stdin, so only one side computes at a time.</summary>
internal sealed class PythonPeer : IDisposable
{
    private readonly Process process;
    public string Banner { get; }

    public PythonPeer(string python, string script, string workload, int threads, string initFile, string stDir)
    {
        var psi = new ProcessStartInfo(python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        foreach (string a in new[] { script, "--workload", workload, "--threads", threads.ToString(CultureInfo.InvariantCulture), "--init", initFile, "--st-dir", stDir })
            psi.ArgumentList.Add(a);
        process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {python}");
        Banner = ReadLine("ready");
    }

    /// <summary>Runs n steps in Python; returns each step's cost and the last loss.</summary>
    public (StepCost[] steps, double loss) Run(int n)
    {
        process.StandardInput.WriteLine($"run {n}");
        process.StandardInput.Flush();
        double[] wall = Numbers("times"), cpu = Numbers("cpu"), faults = Numbers("faults");
        double loss = double.Parse(ReadLine("loss").Split(' ')[1], CultureInfo.InvariantCulture);
        return (wall.Select((w, i) => new StepCost(w, cpu[i], (long)faults[i])).ToArray(), loss);
    }

    private double[] Numbers(string prefix) =>
        ReadLine(prefix).Split(' ').Skip(1).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();

    private string ReadLine(string prefix)
    {
        string line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the Python side ended early (see its stderr above)");
        if (!line.StartsWith(prefix, StringComparison.Ordinal)) throw new InvalidOperationException($"unexpected line from the Python side: {line}");
        return line;
    }

    public void Dispose()
    {
        try
        {
            process.StandardInput.WriteLine("quit");
            process.StandardInput.Close();
            if (!process.WaitForExit(30_000)) process.Kill();
        }
        finally
        {
            process.Dispose();
        }
    }
}
