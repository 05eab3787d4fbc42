using CrossVideoMAE.Stages.Augment;
using CrossVideoMAE.Torch;
using Xunit;
using static CrossVideoMAE.Stages.Tests.AugmentTestData;

namespace CrossVideoMAE.Stages.Tests;

/// <summary>
/// RandAugment on uint8 clips (the CPU feed's path: <see cref="ByteToneOps"/> and the native
/// gathers): against PIL's 8-bit results, and equal to the float operations cast toward zero.
/// </summary>
public class AugmentByteOpsTests(PilReferenceFixture pil) : IClassFixture<PilReferenceFixture>
{
    // pil.Images [T, H, W, 3] uint8 -> a uint8 clip [1, 3, T, H, W] -> op -> [T, H, W, 3] float.
    private Tensor Run(Func<Tensor, Tensor> op)
    {
        using var scope = torch.NewDisposeScope();
        Tensor clip = pil.Images.permute(3, 0, 1, 2).unsqueeze(0).contiguous(); // [1, 3, T, H, W] uint8
        Tensor y = op(clip);
        Assert.Equal(ScalarType.Byte, y.dtype);
        return scope.MoveToOuter(FromClip(y.to(ScalarType.Float32)));
    }

    [Theory]
    [InlineData("equalize", 0.0)]
    [InlineData("posterize", 0.0)]
    [InlineData("solarize", 0.0)]
    [InlineData("autocontrast", 1.0)]
    [InlineData("brightness_up", 0.0)]
    [InlineData("brightness_down", 0.0)]
    [InlineData("color_up", 2.0)]
    [InlineData("color_down", 2.0)]
    [InlineData("contrast_up", 2.0)]
    [InlineData("contrast_down", 2.0)]
    [InlineData("sharpness_up", 2.0)]
    [InlineData("sharpness_down", 2.0)]
    public void Byte_ops_match_pil(string name, double tolerance)
    {
        double factor = name.EndsWith("_up") ? 1.27 : 0.73;
        Func<Tensor, Tensor> op = name.Split('_')[0] switch
        {
            "equalize" => ByteToneOps.Equalize,
            "posterize" => x => ByteToneOps.Posterize(x, 7),
            "solarize" => x => ByteToneOps.Solarize(x, 178.5),
            "autocontrast" => ByteToneOps.AutoContrast,
            "brightness" => x => ByteToneOps.Brightness(x, factor),
            "color" => x => ByteToneOps.Color(x, factor),
            "contrast" => x => ByteToneOps.Contrast(x, factor),
            _ => x => ByteToneOps.Sharpness(x, factor),
        };
        using Tensor got = Run(op);
        using Tensor expected = pil.Expected[name].to(ScalarType.Float32);
        double diff = MaxAbsDiff(got, expected);
        Assert.True(diff <= tolerance, $"{name}: max difference {diff} > {tolerance}");
    }

    [Theory]
    [InlineData("rotate")]
    [InlineData("shearx")]
    public void Byte_warps_pick_the_pixels_of_the_float_warp(string name)
    {
        using var scope = torch.NewDisposeScope();
        double[] matrix = name == "rotate" ? AffineWarp.Rotate(9) : AffineWarp.ShearX(0.09, 32, 32);
        Tensor bytes = Run(x => AffineWarp.Apply(x, matrix));
        Tensor floats = FromClip(AffineWarp.Apply(ToClip(pil.Images), matrix));
        Assert.Equal(0.0, MaxAbsDiff(bytes, floats));
        Assert.True(bytes.eq(0).sum().item() > 0); // the corners are filled with zeros
    }

    [Fact]
    public void Every_byte_step_is_the_float_step_cast_toward_zero()
    {
        using var scope = torch.NewDisposeScope();
        // Smooth noise at 31x45 (odd sizes), 3 frames, two clips.
        using var g = new Generator(71);
        Tensor small = torch.rand([2 * 3, 3, 8, 12], g) * 255;
        Tensor bytes = torch.nn.functional.interpolate(small, [31, 45], InterpolationMode.Bilinear).round().clamp(0, 255)
            .to(ScalarType.Byte).reshape(2, 3, 3, 31, 45).permute(0, 2, 1, 3, 4).contiguous(); // [N=2, 3, T=3, 31, 45]
        Tensor floats = bytes.to(ScalarType.Float32);
        var ra = new RandAugment();
        foreach (RandAugmentOp op in RandAugment.Ops)
            foreach (double sign in new[] { 1.0, -1.0 })
            {
                double m = ra.MagnitudeOf(op, 31, 45) * (RandAugment.IsSigned(op) ? sign : 1);
                if (op is RandAugmentOp.TranslateX or RandAugmentOp.TranslateY) m = Math.Truncate(m);
                var step = new RandAugmentStep(op, m);
                double[] got = RandAugment.ApplyStep(bytes, step).to(ScalarType.Float32).flatten().ToArray<float>().Select(v => (double)v).ToArray();
                double[] exact = RandAugment.ApplyStep(floats, step).flatten().ToArray<float>().Select(v => (double)v).ToArray();
                // The float step's value cast toward zero. Where that value lies within 1e-3 of an integer,
                // float rounding (and the statistics: exact counts here, float sums there) may put either
                // side of the integer: both are accepted there.
                for (int i = 0; i < got.Length; i++)
                {
                    double lo = Math.Floor(exact[i] - 1e-3), hi = Math.Floor(exact[i] + 1e-3);
                    Assert.True(got[i] >= lo && got[i] <= hi, $"{step}: value {i} is {got[i]}, the float step gives {exact[i]}");
                }
            }
    }

    [Fact]
    public void Deferred_steps_give_the_bytes_of_the_steps_one_by_one_and_normalise_alike()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(72);
        Tensor small = torch.rand([4, 3, 6, 9], g) * 255;
        Tensor clip = torch.nn.functional.interpolate(small, [27, 33], InterpolationMode.Bilinear).round().clamp(0, 255)
            .to(ScalarType.Byte).permute(1, 0, 2, 3).unsqueeze(0).contiguous(); // [1, 3, T=4, 27, 33]
        var ra = new RandAugment(magnitude: 9, numOps: 4);
        var rng = new AugmentRandom(8);
        RandAugmentStep[][] plans = ra.Sample(rng, 40, 27, 33);
        // Chains that mix pointwise, geometric and neighbourhood steps in every order, plus fixed ones.
        RandAugmentStep[][] fixedPlans =
        [
            [new(RandAugmentOp.Brightness, 0.27), new(RandAugmentOp.Equalize, 0), new(RandAugmentOp.Contrast, -0.27), new(RandAugmentOp.AutoContrast, 0)],
            [new(RandAugmentOp.Solarize, 178.5), new(RandAugmentOp.Rotate, 9), new(RandAugmentOp.Posterize, 7), new(RandAugmentOp.Equalize, 0)],
            [new(RandAugmentOp.Posterize, 4), new(RandAugmentOp.Sharpness, 0.27), new(RandAugmentOp.Identity, 0), new(RandAugmentOp.Contrast, 0.27)],
        ];
        double[] mean = Normalize.ImageNetMean, std = Normalize.ImageNetStd;
        int pending = 0;
        foreach (RandAugmentStep[] plan in plans.Concat(fixedPlans))
        {
            using var inner = torch.NewDisposeScope();
            Tensor oneByOne = clip;
            foreach (RandAugmentStep step in plan) oneByOne = RandAugment.ApplyStep(oneByOne, step);
            (Tensor pixels, Tensor? levels) = RandAugment.ApplyStepsDeferred(clip, plan);
            Tensor deferred = levels is null ? pixels : ByteToneOps.Lut(pixels, levels);
            Assert.Equal(0.0, MaxAbsDiff(oneByOne, deferred));
            if (levels is not null) pending++;

            // The normalising write with the pending tables equals normalising the bytes.
            Tensor viaTables = torch.empty([3, 4, 27, 33]);
            Normalize.ImageNet.WriteInto(pixels.select(0, 0), viaTables, channelDim: 0, levels);
            float[] bytes = oneByOne.select(0, 0).to(ScalarType.Float32).flatten().ToArray<float>();
            float[] normalised = viaTables.flatten().ToArray<float>();
            int plane = 4 * 27 * 33;
            for (int i = 0; i < bytes.Length; i += 97)
            {
                int c = i / plane;
                Assert.Equal((bytes[i] / 255.0 - mean[c]) / std[c], normalised[i], 1e-5);
            }
        }
        Assert.True(pending > 10, $"only {pending} chains ended with pointwise steps pending");
    }

    [Fact]
    public void Bad_byte_clips_are_rejected()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => ByteToneOps.Brightness(torch.zeros([1, 4, 2, 5, 5], ScalarType.Byte), 1.2));
        Assert.Contains("[N, 3, T, H, W]", e.Message);
        e = Assert.Throws<ArgumentException>(() => ByteToneOps.Brightness(torch.zeros([1, 3, 2, 5, 5], ScalarType.Float32), 1.2));
        Assert.Contains("uint8 CPU", e.Message);
        e = Assert.Throws<ArgumentException>(() => ByteToneOps.Lut(torch.zeros([1, 3, 2, 5, 5], ScalarType.Byte), torch.zeros([2, 256])));
        Assert.Contains("[6, 256] or [1, 256]", e.Message);
    }
}
