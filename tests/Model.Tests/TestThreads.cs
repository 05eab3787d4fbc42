using System.Runtime.CompilerServices;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Tests;

internal static class TestThreads
{
    /// <summary>xunit runs test classes in parallel on a 2-core machine; one intra-op thread per
    /// test avoids OpenMP threads spinning against each other (8x slower steps when oversubscribed).
    /// CVMAE_THREADS still overrides.</summary>
    [ModuleInitializer]
    internal static void OneIntraOpThread()
    {
        if (Environment.GetEnvironmentVariable("CVMAE_THREADS") is null) torch.set_num_threads(1);
    }
}
