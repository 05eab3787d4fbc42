using System.Text;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.Distributed;
using CrossVideoMAE.Torch.IO;
using static CrossVideoMAE.Torch.torch.nn.functional;

namespace CrossVideoMAE.DistributedWorker;

/// <summary>The collectives scenario: inputs depend only on the rank, so the test can compute
/// every expected result itself.</summary>
internal static class Scenarios
{
    /// <summary>Rows per rank and embedding width of the contrastive-loss check.</summary>
    public const int Batch = 3, Dim = 5;
    public const double Temperature = 0.2;

    public static void Collectives(TcpStore store, ProcessGroup pg, string output)
    {
        int r = pg.Rank;
        var results = new Dictionary<string, Tensor>();

        // rank r holds [r+1, 2(r+1), 3(r+1)]
        Tensor Ramp() => torch.arange(1, 4, 1, ScalarType.Float32) * (r + 1);
        foreach (ReduceOp op in Enum.GetValues<ReduceOp>())
        {
            Tensor t = Ramp();
            pg.AllReduce(t, op);
            results[$"allreduce_{op}"] = t;
        }

        // two tensors of different shapes, [2, 3] = 10r + 0..5 and [4] = -r
        Tensor a = (torch.arange(0, 6, 1, ScalarType.Float32) + 10 * r).reshape(2, 3);
        Tensor b = torch.full([4], -r);
        pg.AllReduceCoalesced([a, b]);
        results["coalesced_a"] = a;
        results["coalesced_b"] = b;

        // [2, 3] = 100r + 0..5 -> [world*2, 3]
        using (Tensor local = (torch.arange(0, 6, 1, ScalarType.Float32) + 100 * r).reshape(2, 3))
            results["allgather"] = pg.AllGather(local);

        Tensor c = torch.full([2, 2], 7 * (r + 1));
        pg.Broadcast(c, root: pg.WorldSize - 1);
        results["broadcast"] = c;

        pg.Barrier();

        store.Set($"key{r}", Encoding.UTF8.GetBytes($"from rank {r}"));
        int next = (r + 1) % pg.WorldSize;
        byte[] fromNext = store.Get($"key{next}");
        results["store_next"] = torch.tensor(fromNext, fromNext.Length);

        // SimCLR-style loss over the gathered batch: this rank's views x, y [B, D] (seed 1000 + r)
        using var gen = new Generator((ulong)(1000 + r));
        Tensor x = torch.randn([Batch, Dim], gen, requires_grad: true);
        Tensor y = torch.randn([Batch, Dim], gen, requires_grad: true);
        Tensor loss = ContrastiveLoss(pg, x, y);
        loss.backward();
        results["x"] = x.detach();
        results["y"] = y.detach();
        results["x_grad"] = x.grad!;
        results["y_grad"] = y.grad!;
        results["loss"] = loss.detach();

        SafeTensors.Save(output, results);
    }

    /// <summary>Mean over this rank's rows of the two-way InfoNCE between its x rows and every
    /// rank's y rows (and y against every x): [B, D] x2 -> scalar. The positive of row i is row
    /// rank*B + i of the gathered batch.</summary>
    private static Tensor ContrastiveLoss(ProcessGroup pg, Tensor x, Tensor y)
    {
        Tensor zx = normalize(x, dim: 1), zy = normalize(y, dim: 1);          // [B, D]
        Tensor allX = DistributedOps.AllGatherWithGrad(pg, zx);               // [world*B, D]
        Tensor allY = DistributedOps.AllGatherWithGrad(pg, zy);               // [world*B, D]
        Tensor labels = torch.arange(pg.Rank * Batch, (pg.Rank + 1) * Batch, 1, ScalarType.Int64); // [B]
        Tensor xy = zx.matmul(allY.t()) / Temperature;                        // [B, world*B]
        Tensor yx = zy.matmul(allX.t()) / Temperature;                        // [B, world*B]
        return (cross_entropy(xy, labels) + cross_entropy(yx, labels)) / 2;
    }
    /// <summary>The gradient reducer (DDP's c10d::Reducer) on a group of its own, against the blocking path:
    /// six parameters (one used by no rank, one by rank 0 only), two micro-batches whose loss goes through
    /// an all-gather with gradient on <paramref name="pg"/> (the contrastive terms' pattern). Expected: the
    /// micro-batches' accumulated local gradients, AllReduceCoalesced over <paramref name="pg"/> (zeros for a
    /// missing one) and divided by the world size. Actual: the same micro-batches, the second backward armed
    /// (the first only accumulates), twice in a row (the reducer is reused). Buckets of 64 bytes, the first
    /// 32: several buckets for these 60 floats.</summary>
    public static void Reducer(TcpStore store, ProcessGroup pg, string output, TimeSpan timeout)
    {
        int r = pg.Rank, w = pg.WorldSize;
        using var gen = new Generator(7);
        string[] names = ["w1", "b1", "w2", "b2", "unused", "rank0_only"];
        long[][] shapes = [[6, 5], [6], [4, 6], [4], [3], [2]];
        Tensor[] ps = shapes.Select(sh => torch.randn(sh, gen, requires_grad: true)).ToArray();
        var results = new Dictionary<string, Tensor>();

        Tensor Loss(int micro)
        {
            using var g = new Generator((ulong)(100 + 10 * r + micro));
            Tensor x = torch.randn([3, 5], g);                                   // [3, 5]
            Tensor h = (x.matmul(ps[0].t()) + ps[1]).tanh();                    // [3, 6]
            Tensor z = h.matmul(ps[2].t()) + ps[3];                             // [3, 4]
            Tensor all = DistributedOps.AllGatherWithGrad(pg, z);               // [w*3, 4]
            Tensor loss = (all * all).sum() * 0.01 + z.sum() * (micro + 1);
            return r == 0 ? loss + (ps[5] * ps[5]).sum() : loss;
        }
        void ClearGrads()
        {
            foreach (Tensor p in ps) p.grad = null;
        }

        // Expected: accumulate locally, then the blocking bucketed average.
        Loss(0).backward();
        Loss(1).backward();
        var expected = new List<Tensor>();
        foreach (Tensor p in ps) expected.Add(p.grad is { } gr ? gr.clone() : torch.zeros_like(p));
        pg.AllReduceCoalesced(expected, ReduceOp.Avg);
        for (int i = 0; i < ps.Length; i++) results[$"expected_{names[i]}"] = expected[i];
        ClearGrads();

        using var gradGroup = ProcessGroup.Create("gloo", store, r, w, timeout);
        using var reducer = new GradientReducer(gradGroup, ps, bucketBytes: 64, firstBucketBytes: 32);
        results["buckets"] = torch.tensor(reducer.BucketBytes.ToArray(), reducer.BucketBytes.Count);
        for (int round = 0; round < 2; round++)
        {
            Loss(0).backward();
            Tensor last = Loss(1);
            reducer.PrepareForBackward(last);
            last.backward();
            for (int i = 0; i < ps.Length; i++)
                if (ps[i].grad is { } gr) results[$"actual{round}_{names[i]}"] = gr.clone();
            results[$"wait_ms{round}"] = torch.tensor([reducer.LastWaitMilliseconds ?? -1.0], 1);
            ClearGrads();
        }
        SafeTensors.Save(output, results);
    }
}
