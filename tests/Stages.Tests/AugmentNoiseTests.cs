using CrossVideoMAE.Stages.Augment.Native;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.Tests;
using Xunit;
using static CrossVideoMAE.Torch.torch;

namespace CrossVideoMAE.Stages.Tests;

/// <summary>
/// AugmentKernels.normal_fill_ (random erasing's noise): its values follow the standard normal
/// distribution (PyTorch computes the Kolmogorov–Smirnov distance to the normal CDF, erf, and the
/// moments), the stream depends only on the seed and the shape, and it writes only its view.
/// </summary>
public class AugmentNoiseTests
{
    [Fact]
    public void Values_follow_the_standard_normal_distribution_tails_included()
    {
        using var scope = NewDisposeScope();
        const int n = 1_000_000;
        Tensor x = empty([n]);
        AugmentKernels.normal_fill_(x, 20_261_122);

        using TensorSet stats = PyTorch.Run("""
            x = inp["x"].double()
            s, _ = torch.sort(x)
            n = s.numel()
            cdf = 0.5 * (1 + torch.erf(s / math.sqrt(2)))
            i = torch.arange(n, dtype=torch.float64)
            ks = torch.maximum((i + 1) / n - cdf, cdf - i / n).max()
            out.update(ks=ks.reshape(1), mean=x.mean().reshape(1), var=x.var().reshape(1),
                       skew=((x - x.mean()) ** 3).mean().reshape(1), kurt=((x - x.mean()) ** 4).mean().reshape(1),
                       beyond_tail=(x.abs() > 3.442619855899).double().mean().reshape(1),
                       beyond_4=(x.abs() > 4).double().mean().reshape(1))
            """, new Dictionary<string, Tensor> { ["x"] = x });

        double Stat(string name) => stats[name].ToArray<double>()[0];
        // One million draws: the KS distance of a true normal sample exceeds 1.63/sqrt(n) with probability 1%.
        Assert.InRange(Stat("ks"), 0, 1.63 / Math.Sqrt(n));
        Assert.InRange(Stat("mean"), -0.005, 0.005);   // standard error 0.001
        Assert.InRange(Stat("var"), 0.995, 1.005);     // standard error 0.0014
        Assert.InRange(Stat("skew"), -0.012, 0.012);   // standard error 0.0024
        Assert.InRange(Stat("kurt"), 2.97, 3.03);      // standard error 0.0049
        // The ziggurat's base layer ends at r = 3.4426; beyond it values come from the exact tail:
        // P(|x| > r) = 5.76e-4 and P(|x| > 4) = 6.33e-5 (576 and 63 of a million, expected).
        Assert.InRange(Stat("beyond_tail"), 4.8e-4, 6.8e-4);
        Assert.InRange(Stat("beyond_4"), 3.5e-5, 9.5e-5);
    }

    [Fact]
    public void The_stream_depends_on_seed_and_shape_only_and_only_the_view_is_written()
    {
        using var scope = NewDisposeScope();
        Tensor clip = full([3, 4, 20, 30], double.NaN);
        Tensor box = clip.narrow(2, 5, 7).narrow(3, 11, 9);        // [3, 4, 7, 9] view, rows 30 apart
        AugmentKernels.normal_fill_(box, 42);
        Tensor dense = empty([3, 4, 7, 9]);
        AugmentKernels.normal_fill_(dense, 42);
        Tensor columns = empty([9, 7, 4, 3]).permute(3, 2, 1, 0); // [3, 4, 7, 9] with the last stride not 1
        AugmentKernels.normal_fill_(columns, 42);
        Tensor other = empty([3, 4, 7, 9]);
        AugmentKernels.normal_fill_(other, 43);

        Close.Exact(dense, box, "a box inside a clip gets the values of a dense tensor of its shape");
        Close.Exact(dense, columns, "strides do not change the values");
        Assert.Equal(3 * 4 * 7 * 9, Count(box.isnan().logical_not()));
        Assert.Equal(3 * 4 * 7 * 9, Count(clip.isnan().logical_not())); // nothing outside the box was written
        Assert.Equal(0, Count(dense.eq(other)));                       // another seed, other values
    }

    private static int Count(Tensor flags) => flags.ToArray<bool>().Count(f => f);

    [Fact]
    public void Bad_arguments_are_rejected_with_the_reason()
    {
        var e = Assert.ThrowsAny<Exception>(() => AugmentKernels.normal_fill_(zeros([4], ScalarType.Float64), 1));
        Assert.Contains("must be float32", e.Message);
    }
}
