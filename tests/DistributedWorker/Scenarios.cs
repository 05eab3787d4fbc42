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
}
