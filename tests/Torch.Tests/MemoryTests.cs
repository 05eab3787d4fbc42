using CrossVideoMAE.Torch.NN;
using CrossVideoMAE.Torch.Optim;
using Xunit;
using Xunit.Abstractions;
using static CrossVideoMAE.Torch.torch;
using F = CrossVideoMAE.Torch.torch.nn.functional;

namespace CrossVideoMAE.Torch.Tests;

/// <summary>A long training loop under per-step dispose scopes holds its memory flat. Runs alone
/// (no parallel test allocates meanwhile) since it reads the whole process's resident size.</summary>
[Collection(DefaultGeneratorCollection.Name)]
public class MemoryTests(ITestOutputHelper output)
{
    private sealed class Mlp : Module
    {
        private readonly Linear fc1, fc2;

        public Mlp(Generator g)
        {
            fc1 = register_module("fc1", new Linear(64, 128, generator: g));
            fc2 = register_module("fc2", new Linear(128, 10, generator: g));
        }

        // [B, 64] -> [B, 10]
        public Tensor forward(Tensor x) => fc2.forward(F.gelu(fc1.forward(x)));
    }

    [Fact]
    public void Ten_thousand_training_steps_keep_resident_memory_flat()
    {
        // One intra-op thread: ops this small gain nothing from two, and on a loaded machine
        // OpenMP's hand-offs would make each step wait for a core (the test runs alone).
        int threads = get_num_threads();
        set_num_threads(1);
        try { Train(); }
        finally { set_num_threads(threads); }
    }

    private void Train()
    {
        using var g = new Generator(71);
        using var model = new Mlp(g);
        using var opt = new AdamW(model.parameters(), lr: 1e-3, weightDecay: 0.05);
        long rssAt1000 = 0;
        double firstLoss = 0, lastLoss = 0;
        using Tensor centers = randn([10, 64], g);     // a learnable task: noisy class centres

        for (int step = 1; step <= 10_000; step++)
        {
            using var scope = NewDisposeScope();
            Tensor y = randint(0, 10, [32], g);                            // [32]
            Tensor x = centers.index_select(0, y) + randn([32, 64], g);   // [32, 64]
            Tensor loss = F.cross_entropy(model.forward(x), y);
            opt.zero_grad();
            loss.backward();
            opt.step();
            if (step == 1) firstLoss = loss.item();
            if (step == 1000)
            {
                GC.Collect();
                rssAt1000 = ResidentBytes();
            }
            if (step > 9_900) lastLoss += loss.item() / 100;
        }
        GC.Collect();
        long rssAt10000 = ResidentBytes();
        double growthMb = (rssAt10000 - rssAt1000) / 1048576.0;
        output.WriteLine($"VmRSS at step 1000: {rssAt1000 / 1048576.0:F1} MiB, at step 10000: {rssAt10000 / 1048576.0:F1} MiB, growth {growthMb:F1} MiB; loss {firstLoss:F3} -> {lastLoss:F3}");

        Assert.True(growthMb < 100, $"resident memory grew by {growthMb:F1} MiB between step 1000 and step 10000");
        Assert.True(lastLoss < firstLoss / 2, $"the model did not learn: loss {firstLoss} -> {lastLoss}");
    }

    // VmRSS from /proc/self/status, in bytes.
    private static long ResidentBytes()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        throw new InvalidOperationException("/proc/self/status has no VmRSS line");
    }
}
