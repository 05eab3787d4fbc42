using Xunit;
using static CrossVideoMAE.Torch.torch;

namespace CrossVideoMAE.Torch.Tests;

/// <summary>OpenMP keeps the intra-op thread count per OS thread; set_num_threads must still reach
/// threads that already ran ops (the .NET thread pool runs training steps on any of them).
/// Shares MemoryTests' collection since both change the process-wide count.</summary>
[Collection(DefaultGeneratorCollection.Name)]
public class ThreadCountTests
{
    [Fact]
    public void A_count_set_on_one_thread_applies_on_a_thread_that_already_ran_ops()
    {
        int before = get_num_threads();
        int other = before == 1 ? 2 : 1;
        using var ready = new ManualResetEventSlim();
        using var changed = new ManualResetEventSlim();
        int seenFirst = 0, seenAfter = 0;
        var worker = new Thread(() =>
        {
            using (Tensor t = ones([64, 64]).matmul(ones([64, 64]))) seenFirst = get_num_threads();
            ready.Set();
            changed.Wait();
            seenAfter = get_num_threads();
        });
        try
        {
            worker.Start();
            ready.Wait();
            set_num_threads(other);
            changed.Set();
            worker.Join();
            Assert.Equal(before, seenFirst);
            Assert.Equal(other, seenAfter);
        }
        finally
        {
            changed.Set();
            set_num_threads(before);
        }
    }
}
