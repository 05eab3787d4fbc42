using System.Diagnostics;
using System.Globalization;

namespace CrossVideoMAE.Bench;

/// <summary>What one step cost: wall-clock ms, process CPU ms (all threads), minor page faults.</summary>
internal readonly record struct StepCost(double WallMs, double CpuMs, long MinorFaults)
{
    /// <summary>Times <paramref name="step"/> in this process.</summary>
    public static StepCost Measure(Action step)
    {
        var (cpu0, faults0) = ProcessCounters();
        long t0 = Stopwatch.GetTimestamp();
        step();
        double wall = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        var (cpu1, faults1) = ProcessCounters();
        return new StepCost(wall, cpu1 - cpu0, faults1 - faults0);
    }

    // CPU ms (user + system, all threads) and minor faults so far, from /proc/self/stat.
    private static (double cpuMs, long minorFaults) ProcessCounters()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        // Fields after the parenthesised command name: state is field 3, minflt 10, utime 14, stime 15.
        string[] f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long minflt = long.Parse(f[7], CultureInfo.InvariantCulture);
        long ticks = long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
        return (ticks * 1000.0 / ClockTicksPerSecond, minflt);
    }

    // USER_HZ: 100 on Linux x86-64.
    private const double ClockTicksPerSecond = 100;
}
