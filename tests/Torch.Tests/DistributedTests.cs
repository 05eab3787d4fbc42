using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch.Distributed;
using CrossVideoMAE.Torch.IO;
using Xunit;

namespace CrossVideoMAE.Torch.Tests;

/// <summary>
/// c10d through the shim: two ranks (processes of tests/DistributedWorker) in a Gloo group on
/// 127.0.0.1. Collective results are checked against values computed here from the ranks' known
/// inputs; the gradients of a contrastive loss over the all-gathered batch against PyTorch
/// computing the same loss over the concatenated batch in one process.
/// </summary>
public class DistributedTests
{
    private const int World = 2;

    [Fact]
    public void Two_ranks_agree_with_the_values_each_collective_must_give()
    {
        using var dir = new TempDir("cvmae-dist");
        string[] outputs = Enumerable.Range(0, World).Select(r => dir.File($"rank{r}.safetensors")).ToArray();
        var results = DistributedWorkers.Run("collectives", World, outputs, TimeSpan.FromSeconds(90));
        for (int r = 0; r < World; r++) Assert.True(results[r].exitCode == 0, $"rank {r} failed:\n{results[r].stderr}");

        var ranks = outputs.Select(o => new TensorSet(SafeTensors.Load(o).tensors)).ToArray();
        try
        {
            double sumR = Enumerable.Range(0, World).Sum(), sumR1 = sumR + World;
            for (int r = 0; r < World; r++)
            {
                TensorSet t = ranks[r];
                double[] ramp = [1, 2, 3];
                Assert.Equal(ramp.Select(v => v * sumR1), Close.Values(t["allreduce_Sum"]));
                Assert.Equal(ramp.Select(v => v * sumR1 / World), Close.Values(t["allreduce_Avg"]));
                Assert.Equal(ramp.Select(v => v * World), Close.Values(t["allreduce_Max"]));
                Assert.Equal(ramp, Close.Values(t["allreduce_Min"]));
                Assert.Equal(new long[] { 2, 3 }, t["coalesced_a"].shape);
                Assert.Equal(Enumerable.Range(0, 6).Select(i => World * i + 10 * sumR), Close.Values(t["coalesced_a"]));
                Assert.Equal(Enumerable.Repeat(-sumR, 4), Close.Values(t["coalesced_b"]));
                Assert.Equal(new long[] { World * 2, 3 }, t["allgather"].shape);
                Assert.Equal(Enumerable.Range(0, World).SelectMany(q => Enumerable.Range(0, 6).Select(i => 100.0 * q + i)),
                    Close.Values(t["allgather"]));
                Assert.Equal(Enumerable.Repeat(7.0 * World, 4), Close.Values(t["broadcast"]));
                Assert.Equal($"from rank {(r + 1) % World}", Encoding.UTF8.GetString(t["store_next"].ToArray<byte>()));
            }
            CheckGradientsAgainstPyTorch(ranks);
        }
        finally
        {
            foreach (TensorSet t in ranks) t.Dispose();
        }
    }

    /// <summary>Rank r's x.grad and y.grad must be the gradient, w.r.t. its rows, of the sum of
    /// every rank's loss: PyTorch computes it over the concatenated batch in one process.</summary>
    private static void CheckGradientsAgainstPyTorch(TensorSet[] ranks)
    {
        var inputs = new List<KeyValuePair<string, Tensor>>();
        for (int r = 0; r < World; r++)
        {
            inputs.Add(new($"x{r}", ranks[r]["x"]));
            inputs.Add(new($"y{r}", ranks[r]["y"]));
        }
        string script = $$"""
            W, B, tau = {{World}}, {{3}}, {{0.2.ToString(CultureInfo.InvariantCulture)}}
            X = torch.cat([inp[f"x{r}"] for r in range(W)]).double().requires_grad_()
            Y = torch.cat([inp[f"y{r}"] for r in range(W)]).double().requires_grad_()
            zx, zy = F.normalize(X, dim=1), F.normalize(Y, dim=1)
            labels = torch.arange(W * B)
            per_row = (F.cross_entropy(zx @ zy.T / tau, labels, reduction="none")
                       + F.cross_entropy(zy @ zx.T / tau, labels, reduction="none")) / 2
            per_rank = per_row.view(W, B).mean(1)
            per_rank.sum().backward()
            for r in range(W):
                out[f"loss{r}"] = per_rank[r].detach().float()
                out[f"x_grad{r}"] = X.grad[r * B:(r + 1) * B].float()
                out[f"y_grad{r}"] = Y.grad[r * B:(r + 1) * B].float()
            """;
        using TensorSet expected = PyTorch.Run(script, inputs);
        for (int r = 0; r < World; r++)
        {
            Close.Assert(expected[$"loss{r}"], ranks[r]["loss"], $"rank {r} loss", atol: 1e-6, rtol: 1e-5);
            Close.Assert(expected[$"x_grad{r}"], ranks[r]["x_grad"], $"rank {r} x.grad", atol: 1e-6, rtol: 1e-4);
            Close.Assert(expected[$"y_grad{r}"], ranks[r]["y_grad"], $"rank {r} y.grad", atol: 1e-6, rtol: 1e-4);
        }
    }

    [Fact]
    public void The_gradient_reducer_averages_during_backward_what_the_blocking_all_reduce_averages_after_it()
    {
        using var dir = new TempDir("cvmae-dist");
        string[] outputs = Enumerable.Range(0, World).Select(r => dir.File($"rank{r}.safetensors")).ToArray();
        var results = DistributedWorkers.Run("reducer", World, outputs, TimeSpan.FromSeconds(90));
        for (int r = 0; r < World; r++) Assert.True(results[r].exitCode == 0, $"rank {r} failed:\n{results[r].stderr}");

        var ranks = outputs.Select(o => new TensorSet(SafeTensors.Load(o).tensors)).ToArray();
        try
        {
            for (int r = 0; r < World; r++)
            {
                TensorSet t = ranks[r];
                // 60 floats in reverse parameter order: rank0_only + unused (20 B) and b2 (16 B) fill the first 32 B
                // bucket, then w2 (96 B) alone, b1 + w1 (24 + 120 B).
                Assert.Equal(new long[] { 36, 96, 144 }, t["buckets"].ToArray<long>());
                for (int round = 0; round < 2; round++)
                {
                    foreach (string name in new[] { "w1", "b1", "w2", "b2", "rank0_only" })
                        Close.Assert(t[$"expected_{name}"], t[$"actual{round}_{name}"], $"rank {r} round {round} {name}.grad", atol: 1e-6, rtol: 1e-5);
                    // No rank had a gradient for it: it keeps none, as with one process.
                    Assert.DoesNotContain($"actual{round}_unused", t.Names);
                    Assert.True(t[$"wait_ms{round}"].ToArray<double>()[0] >= 0, "the wait of an armed backward was not timed");
                }
                // Used on rank 0 only: rank 0's gradient over the world size, on every rank.
                Assert.True(t["expected_rank0_only"].abs().sum().item() > 0);
            }
            Close.Assert(ranks[0]["actual0_w1"], ranks[1]["actual0_w1"], "w1.grad, rank 0 against rank 1", atol: 0, rtol: 0);
        }
        finally
        {
            foreach (TensorSet t in ranks) t.Dispose();
        }
    }

    [Fact]
    public void A_killed_peer_makes_the_survivors_collective_throw_within_the_timeout()
    {
        const double timeoutSeconds = 10;
        using var dir = new TempDir("cvmae-dist");
        string[] outputs = Enumerable.Range(0, World).Select(r => dir.File($"rank{r}.txt")).ToArray();
        var results = DistributedWorkers.Run("die", World, outputs, TimeSpan.FromSeconds(60), timeoutSeconds);
        Assert.True(results[0].exitCode == 0, $"rank 0 failed:\n{results[0].stderr}");
        string[] lines = File.ReadAllLines(outputs[0]);
        double seconds = double.Parse(lines[0], CultureInfo.InvariantCulture);
        string message = string.Join("\n", lines.Skip(1));
        Assert.Contains("AllReduce (gloo, rank 0 of 2) failed", message);
        Assert.True(seconds < timeoutSeconds + 5, $"the error came after {seconds} s (timeout {timeoutSeconds} s): {message}");
    }

    [Fact]
    public void A_peer_that_stops_answering_makes_the_collective_throw_at_the_timeout()
    {
        const double timeoutSeconds = 5;
        using var dir = new TempDir("cvmae-dist");
        string[] outputs = Enumerable.Range(0, World).Select(r => dir.File($"rank{r}.txt")).ToArray();
        var results = DistributedWorkers.Run("stall", World, outputs, TimeSpan.FromSeconds(90), timeoutSeconds);
        Assert.True(results[0].exitCode == 0, $"rank 0 failed:\n{results[0].stderr}");
        string[] lines = File.ReadAllLines(outputs[0]);
        double seconds = double.Parse(lines[0], CultureInfo.InvariantCulture);
        string message = string.Join("\n", lines.Skip(1));
        Assert.Contains("AllReduce (gloo, rank 0 of 2) failed", message);
        Assert.True(seconds >= timeoutSeconds - 0.5 && seconds < timeoutSeconds + 5,
            $"the error came after {seconds} s (timeout {timeoutSeconds} s): {message}");
    }

    [Fact]
    public void Ranks_gathering_different_shapes_all_get_an_error_naming_each_shape()
    {
        using var dir = new TempDir("cvmae-dist");
        string[] outputs = Enumerable.Range(0, World).Select(r => dir.File($"rank{r}.txt")).ToArray();
        var results = DistributedWorkers.Run("mismatch", World, outputs, TimeSpan.FromSeconds(90));
        for (int r = 0; r < World; r++)
        {
            Assert.True(results[r].exitCode == 0, $"rank {r} failed:\n{results[r].stderr}");
            Assert.Contains($"AllGather (gloo, rank {r} of 2) failed: the ranks' tensors differ: rank 0 has Float [1, 2], " +
                            "rank 1 has Float [2, 2]; every rank must pass the same shape and dtype", File.ReadAllText(outputs[r]));
        }
    }

    [Fact]
    public void A_port_in_use_gives_an_error_naming_host_and_port()
    {
        var listener = new TcpListener(IPAddress.IPv6Any, 0);
        listener.Server.DualMode = true;
        listener.Start();
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var clock = Stopwatch.StartNew();
            var e = Assert.Throws<TorchException>(() => new TcpStore("127.0.0.1", port, 1, isServer: true, TimeSpan.FromSeconds(20)));
            Assert.Contains($"TCPStore server on 127.0.0.1:{port}", e.Message);
            Assert.Contains("in use", e.Message);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the error took {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public void A_store_whose_peers_never_come_gives_up_at_its_timeout()
    {
        var timeout = TimeSpan.FromSeconds(2);
        var clock = Stopwatch.StartNew();
        var server = Assert.Throws<TorchException>(() => new TcpStore("127.0.0.1", 0, 2, isServer: true, timeout));
        Assert.Contains("TCPStore server on 127.0.0.1:0", server.Message);
        Assert.True(clock.Elapsed < timeout + TimeSpan.FromSeconds(8), $"the server gave up after {clock.Elapsed.TotalSeconds:F1} s");

        int port = DistributedWorkers.FreePort();
        clock.Restart();
        var client = Assert.Throws<TorchException>(() => new TcpStore("127.0.0.1", port, 2, isServer: false, timeout));
        Assert.Contains($"TCPStore client of 127.0.0.1:{port}", client.Message);
        Assert.True(clock.Elapsed < timeout + TimeSpan.FromSeconds(8), $"the client gave up after {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void Get_of_a_key_nobody_sets_times_out_naming_the_key()
    {
        using var store = new TcpStore("127.0.0.1", 0, 1, isServer: true, TimeSpan.FromSeconds(1));
        store.Set("config", [1, 2, 3]);
        Assert.Equal(new byte[] { 1, 2, 3 }, store.Get("config"));
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<TorchException>(() => store.Get("absent"));
        Assert.Contains($"TCPStore get of 'absent' on 127.0.0.1:{store.Port} failed", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"the get gave up after {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void One_rank_group_keeps_values_and_passes_gradients_through()
    {
        using var store = new TcpStore("127.0.0.1", 0, 1, isServer: true, TimeSpan.FromSeconds(20));
        Assert.True(store.Port > 0);
        using var pg = ProcessGroup.Create("gloo", store, 0, 1, TimeSpan.FromSeconds(20));
        Assert.Equal((0, 1, "gloo"), (pg.Rank, pg.WorldSize, pg.Backend));
        using var scope = torch.NewDisposeScope();
        Tensor t = torch.tensor(new float[] { 1, -2, 3 }, 3);
        pg.AllReduce(t, ReduceOp.Avg);
        Assert.Equal(new double[] { 1, -2, 3 }, Close.Values(t));
        Tensor x = torch.tensor(new float[] { 1, 2, 3, 4 }, 2, 2);
        x.requires_grad = true;
        Tensor all = DistributedOps.AllGatherWithGrad(pg, x);
        (all * all).sum().backward();
        Assert.Equal(new double[] { 2, 4, 6, 8 }, Close.Values(x.grad!));

        var bad = Assert.Throws<TorchException>(() => ProcessGroup.Create("mpi", store, 0, 1, TimeSpan.FromSeconds(5)));
        Assert.Contains("unknown backend 'mpi'", bad.Message);
        var avgInt = Assert.Throws<TorchException>(() => pg.AllReduce(torch.ones([2], ScalarType.Int64), ReduceOp.Avg));
        Assert.Contains("AllReduce (gloo, rank 0 of 1) failed: Avg needs a floating-point tensor", avgInt.Message);
    }
}
