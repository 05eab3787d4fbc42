using CrossVideoMAE.Torch;
using Xunit;

namespace CrossVideoMAE.Torch.Tests;

public class TensorBasicsTests
{
    [Fact]
    public void Arithmetic_matches_hand_computed_values()
    {
        using var scope = torch.NewDisposeScope();
        Tensor a = torch.tensor(new float[] { 1, 2, 3, 4 }, 2, 2);
        Tensor b = torch.tensor(new float[] { 10, 20, 30, 40 }, 2, 2);
        Assert.Equal(new float[] { 11, 22, 33, 44 }, (a + b).ToArray<float>());
        Assert.Equal(new float[] { 70, 100, 150, 220 }, a.matmul(b).ToArray<float>());
        Assert.Equal(10.0, a.sum().item(), 6);
        Assert.Equal(new long[] { 2, 2 }, a.shape);
        Assert.Equal(ScalarType.Float32, a.dtype);
        Assert.Equal(Device.CPU, a.device);
    }

    [Fact]
    public void Shape_error_becomes_a_TorchException_with_libtorchs_message()
    {
        using var scope = torch.NewDisposeScope();
        Tensor a = torch.zeros(2, 3), b = torch.zeros(4, 5);
        var e = Assert.Throws<TorchException>(() => a.matmul(b));
        Assert.Contains("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)", e.Message);
    }

    [Fact]
    public void Errors_carry_libtorchs_message_and_do_not_leak_into_later_calls()
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.zeros(2, 5, 9, 9), w = torch.zeros(4, 3, 3, 3);
        var e = Assert.Throws<TorchException>(() => torch.nn.functional.conv2d(x, w));
        Assert.Contains("expected input[2, 5, 9, 9] to have 3 channels, but got 5 channels instead", e.Message);
        Assert.DoesNotContain("Exception raised from", e.Message);     // no C++ backtrace
        // The next call succeeds and a later failure reports its own message.
        Assert.Equal(new long[] { 2, 4, 7, 7 }, torch.nn.functional.conv2d(torch.zeros(2, 3, 9, 9), w).shape);
        var e2 = Assert.Throws<TorchException>(() => x.reshape(7, 7));
        Assert.Contains("shape '[7, 7]' is invalid for input of size 810", e2.Message);
        // A failure on another thread stays on that thread.
        string? other = null;
        var thread = new Thread(() => { try { x.view(3, 3); } catch (TorchException te) { other = te.Message; } });
        thread.Start();
        thread.Join();
        Assert.Contains("is invalid for input of size 810", other);
    }

    [Fact]
    public void Dispose_scope_frees_temporaries_and_keeps_moved_results()
    {
        Tensor kept;
        Tensor temp;
        using (var scope = torch.NewDisposeScope())
        {
            temp = torch.ones(3);
            kept = scope.MoveToOuter(temp * 2);
        }
        Assert.True(temp.IsDisposed);
        Assert.False(kept.IsDisposed);
        Assert.Equal(new float[] { 2, 2, 2 }, kept.ToArray<float>());
        kept.Dispose();
        Assert.Throws<ObjectDisposedException>(() => kept.shape);
    }

    [Fact]
    public void From_array_shares_memory_without_copying()
    {
        var data = new float[] { 1, 2, 3, 4, 5, 6 };
        using Tensor t = torch.from_array(data, 2, 3);
        data[4] = 50;
        Assert.Equal(50f, t.ToArray<float>()[4]);
        t.data<float>()[0] = -1;
        Assert.Equal(-1f, data[0]);
    }

    [Fact]
    public void Indexing_follows_pytorch_semantics()
    {
        using var scope = torch.NewDisposeScope();
        Tensor t = torch.arange(24).reshape(2, 3, 4);
        Assert.Equal(new long[] { 3, 4 }, t[1].shape);
        Assert.Equal(new long[] { 20, 21, 22, 23 }, t[1, 2].ToArray<long>());
        Assert.Equal(new long[] { 2, 3, 2 }, t[.., .., 1..3].shape);
        Assert.Equal(new long[] { 2, 3 }, t[TensorIndex.Ellipsis, 0].shape);
        Assert.Equal(new long[] { 1, 2, 3, 4 }, t[TensorIndex.None].shape);
        Tensor idx = torch.tensor(new long[] { 2, 0 });
        Assert.Equal(new long[] { 8, 9, 10, 11, 0, 1, 2, 3 }, t[0, ..][idx].flatten().ToArray<long>());
    }

    [Fact]
    public void Autograd_gives_the_analytic_gradient()
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.tensor(new double[] { 1, 2, 3 }).requires_grad_();
        Tensor y = (x * x * x).sum();   // dy/dx = 3x^2
        y.backward();
        Assert.Equal(new double[] { 3, 12, 27 }, x.grad!.ToArray<double>());
    }
}
