using Xunit;
using static CrossVideoMAE.Torch.torch;
using F = CrossVideoMAE.Torch.torch.nn.functional;

namespace CrossVideoMAE.Torch.Tests;

/// <summary>CPU autocast to bfloat16: which ops change dtype, the values PyTorch gives, and scope nesting.</summary>
public class AutocastTests
{
    [Fact]
    public void Cpu_autocast_runs_matmul_and_linear_in_bfloat16_as_pytorch_does()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(51);
        Tensor a = randn([4, 8], g), b = randn([8, 3], g), w = randn([5, 8], g), bias = randn([5], g);

        Tensor mm, lin, sum, ln;
        Assert.False(is_autocast_enabled(DeviceType.CPU));
        using (autocast(DeviceType.CPU))
        {
            Assert.True(is_autocast_enabled(DeviceType.CPU));
            mm = a.matmul(b);                         // [4, 3] bf16
            lin = F.linear(a, w, bias);               // [4, 5] bf16
            sum = a + a;                              // not an autocast op: stays float32
            ln = F.layer_norm(lin, [5]);              // whatever CPU autocast's op lists say: compared below
        }
        Assert.False(is_autocast_enabled(DeviceType.CPU));
        Tensor after = a.matmul(b);

        Assert.Equal(ScalarType.BFloat16, mm.dtype);
        Assert.Equal(ScalarType.BFloat16, lin.dtype);
        Assert.Equal(ScalarType.Float32, sum.dtype);
        Assert.Equal(ScalarType.Float32, after.dtype);

        using TensorSet expected = PyTorch.Run("""
            a, b, w, bias = inp["a"], inp["b"], inp["w"], inp["bias"]
            with torch.autocast("cpu", dtype=torch.bfloat16):
                out["mm"] = a @ b
                out["lin"] = F.linear(a, w, bias)
                out["ln"] = F.layer_norm(out["lin"], [5])
            """, new Dictionary<string, Tensor> { ["a"] = a, ["b"] = b, ["w"] = w, ["bias"] = bias });

        Close.Exact(expected["mm"], mm, "bf16 matmul");
        Close.Exact(expected["lin"], lin, "bf16 linear");
        Assert.Equal(expected["ln"].dtype, ln.dtype);
        Close.Assert(expected["ln"], ln, "layer_norm of the bf16 output", atol: 1e-6, rtol: 1e-6);
    }

    [Fact]
    public void Nested_autocast_scopes_restore_the_outer_state()
    {
        using var scope = NewDisposeScope();
        Tensor a = ones([2, 2]);
        using (autocast(DeviceType.CPU))
        {
            using (autocast(DeviceType.CPU))
                Assert.Equal(ScalarType.BFloat16, a.matmul(a).dtype);
            Assert.True(is_autocast_enabled(DeviceType.CPU));
            Assert.Equal(ScalarType.BFloat16, a.matmul(a).dtype);
        }
        Assert.False(is_autocast_enabled(DeviceType.CPU));
        Assert.Equal(ScalarType.Float32, a.matmul(a).dtype);
    }
}
