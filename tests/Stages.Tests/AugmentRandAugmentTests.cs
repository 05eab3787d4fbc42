using CrossVideoMAE.Stages.Augment;
using CrossVideoMAE.Torch;
using Xunit;
using static CrossVideoMAE.Stages.Tests.AugmentTestData;

namespace CrossVideoMAE.Stages.Tests;

/// <summary>PIL's results for the RandAugment operations on four 32x32 frames, computed once, on first use:
/// the tests that only need <see cref="Images"/> do not depend on Python and PIL.</summary>
public sealed class PilReferenceFixture : IDisposable
{
    public const int Frames = 4, Size = 32;

    public PilReferenceFixture()
    {
        Images = MakeImages();
        expected = new Lazy<Dictionary<string, Tensor>>(() => RunReference(Script, [new("x", Images)]));
    }

    private const string Script = """
            import numpy as np, torch, st
            from PIL import Image, ImageOps, ImageEnhance
            x = st.load("in.safetensors")["x"].numpy()
            def per_frame(fn):
                return torch.from_numpy(np.stack([np.asarray(fn(Image.fromarray(f, "RGB"))) for f in x]).copy())
            near, affine = Image.Resampling.NEAREST, Image.Transform.AFFINE
            out = {
                "equalize": per_frame(ImageOps.equalize),
                "posterize": per_frame(lambda im: ImageOps.posterize(im, 7)),
                "solarize": per_frame(lambda im: ImageOps.solarize(im, 178.5)),
                "autocontrast": per_frame(ImageOps.autocontrast),
                "rotate": per_frame(lambda im: im.rotate(9, resample=near)),
                "rotate_neg": per_frame(lambda im: im.rotate(-9, resample=near)),
                "shearx": per_frame(lambda im: im.transform(im.size, affine, (1, 0.09, 0, 0, 1, 0), resample=near)),
                "sheary": per_frame(lambda im: im.transform(im.size, affine, (1, 0, 0, -0.09, 1, 0), resample=near)),
            }
            for name, cls in [("brightness", ImageEnhance.Brightness), ("color", ImageEnhance.Color),
                              ("contrast", ImageEnhance.Contrast), ("sharpness", ImageEnhance.Sharpness)]:
                for factor, tag in [(1.27, "up"), (0.73, "down")]:
                    out[name + "_" + tag] = per_frame(lambda im: cls(im).enhance(factor))
            st.save(out, "out.safetensors")
            """;

    /// <summary>uint8 [4, 32, 32, 3]: uniform noise, dark-skewed noise, special channels for
    /// equalisation (constant; two levels; one dominant top level, so step = 0), a gradient.</summary>
    public Tensor Images { get; }
    public Dictionary<string, Tensor> Expected => expected.Value;
    private readonly Lazy<Dictionary<string, Tensor>> expected;

    private static Tensor MakeImages()
    {
        var rnd = new Random(2024);
        var v = new byte[Frames * Size * Size * 3];
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
            {
                int p = y * Size + x;
                for (int c = 0; c < 3; c++)
                {
                    v[Index(0, y, x, c)] = (byte)rnd.Next(256);
                    v[Index(1, y, x, c)] = (byte)(255 * Math.Pow(rnd.NextDouble(), 3));
                    v[Index(3, y, x, c)] = (byte)(c == 0 ? 8 * x : c == 1 ? 8 * y : 4 * (x + y));
                }
                v[Index(2, y, x, 0)] = 77;
                v[Index(2, y, x, 1)] = (byte)(p % 3 == 0 ? 10 : 200);
                v[Index(2, y, x, 2)] = (byte)(p < 1000 ? 250 : 3 * p % 240);
            }
        return torch.tensor(v, Frames, Size, Size, 3);
    }

    private static int Index(int t, int y, int x, int c) => ((t * Size + y) * Size + x) * 3 + c;

    public void Dispose()
    {
        Images.Dispose();
        if (expected.IsValueCreated) foreach (Tensor t in expected.Value.Values) t.Dispose();
    }
}

/// <summary>RandAugment's operations against PIL (exact where PIL's 8-bit algorithm is exact),
/// its magnitude table against torchvision's numbers, and its batching.</summary>
public class AugmentRandAugmentTests(PilReferenceFixture pil) : IClassFixture<PilReferenceFixture>
{
    private Tensor Run(Func<Tensor, Tensor> op)
    {
        using var scope = torch.NewDisposeScope();
        Tensor clip = ToClip(pil.Images); // [1, 3, T, H, W]
        return scope.MoveToOuter(FromClip(op(clip)));
    }

    [Fact]
    public void Equalize_matches_pil_exactly_per_channel_and_frame()
    {
        using Tensor got = Run(HistogramEqualize.Apply);
        using Tensor expected = pil.Expected["equalize"].to(ScalarType.Float32);
        Assert.Equal(0.0, MaxAbsDiff(got, expected));
        // Frame 2 red is constant and frame 2 blue has step 0: both stay as they were.
        using Tensor redBefore = pil.Images.select(0, 2).select(2, 0).to(ScalarType.Float32);
        using Tensor redAfter = got.select(0, 2).select(2, 0);
        Assert.Equal(0.0, MaxAbsDiff(redBefore, redAfter));
    }

    [Fact]
    public void Equalize_of_a_two_level_channel_worked_out_by_hand()
    {
        using var scope = torch.NewDisposeScope();
        // 1 channel of 8 pixels: five at 10, three at 200 (R=G=B). hist[10] = 5, hist[200] = 3,
        // step = (8 - 3) // 255 = 0 -> unchanged. With 600 pixels at 10 and 3 at 200:
        // step = 600 // 255 = 2, lut[10] = (cdf[9] + 1) // 2 = 0, lut[200] = (600 + 1) // 2 = 300 -> 255.
        float[] few = [10, 10, 10, 10, 10, 200, 200, 200];
        Tensor a = torch.tensor(few, 1, 1, 1, 1, 8).expand(1, 3, 1, 1, 8).contiguous();
        Assert.Equal(few, HistogramEqualize.Apply(a).select(1, 0).flatten().ToArray<float>());
        float[] many = Enumerable.Repeat(10f, 600).Concat([200f, 200f, 200f]).ToArray();
        Tensor b = torch.tensor(many, 1, 1, 1, 1, 603).expand(1, 3, 1, 1, 603).contiguous();
        float[] got = HistogramEqualize.Apply(b).select(1, 2).flatten().ToArray<float>();
        Assert.All(got.Take(600), v => Assert.Equal(0f, v));
        Assert.All(got.Skip(600), v => Assert.Equal(255f, v));
    }

    [Fact]
    public void Posterize_and_solarize_match_pil_exactly()
    {
        using Tensor post = Run(x => ToneOps.Posterize(x, 7));
        using Tensor postExpected = pil.Expected["posterize"].to(ScalarType.Float32);
        Assert.Equal(0.0, MaxAbsDiff(post, postExpected));
        using Tensor sol = Run(x => ToneOps.Solarize(x, 178.5));
        using Tensor solExpected = pil.Expected["solarize"].to(ScalarType.Float32);
        Assert.Equal(0.0, MaxAbsDiff(sol, solExpected));
    }

    [Theory]
    [InlineData("autocontrast", 1.0)]
    [InlineData("brightness_up", 1.0)]
    [InlineData("brightness_down", 1.0)]
    [InlineData("color_up", 2.0)]
    [InlineData("color_down", 2.0)]
    [InlineData("contrast_up", 2.0)]
    [InlineData("contrast_down", 2.0)]
    [InlineData("sharpness_up", 2.0)]
    [InlineData("sharpness_down", 2.0)]
    public void Photometric_ops_match_pil_within_its_integer_rounding(string name, double tolerance)
    {
        double factor = name.EndsWith("_up") ? 1.27 : 0.73;
        Func<Tensor, Tensor> op = name.Split('_')[0] switch
        {
            "autocontrast" => ToneOps.AutoContrast,
            "brightness" => x => ToneOps.Brightness(x, factor),
            "color" => x => ToneOps.Color(x, factor),
            "contrast" => x => ToneOps.Contrast(x, factor),
            _ => x => ToneOps.Sharpness(x, factor),
        };
        using Tensor got = Run(op);
        using Tensor expected = pil.Expected[name].to(ScalarType.Float32);
        double diff = MaxAbsDiff(got, expected);
        Assert.True(diff <= tolerance, $"{name}: max difference {diff} > {tolerance}");
    }

    [Theory]
    [InlineData("rotate")]
    [InlineData("rotate_neg")]
    [InlineData("shearx")]
    [InlineData("sheary")]
    public void Geometric_ops_match_pil_nearest_neighbour(string name)
    {
        double[] matrix = name switch
        {
            "rotate" => AffineWarp.Rotate(9),
            "rotate_neg" => AffineWarp.Rotate(-9),
            "shearx" => AffineWarp.ShearX(0.09, 32, 32),
            _ => AffineWarp.ShearY(-0.09, 32, 32),
        };
        using var scope = torch.NewDisposeScope();
        Tensor got = Run(x => AffineWarp.Apply(x, matrix));
        Tensor expected = pil.Expected[name].to(ScalarType.Float32);
        // A pixel may differ only where the two round a source coordinate that sits on a pixel
        // boundary differently; nearly all must agree exactly.
        Tensor samePixel = got.eq(expected).to(ScalarType.Float32).amin(3); // [T, H, W]
        double agree = samePixel.mean().item();
        Assert.True(agree >= 0.98, $"{name}: only {agree:P1} of pixels agree with PIL");
        // Something moved and the corners filled with zeros.
        Assert.True(MaxAbsDiff(got, pil.Images.to(ScalarType.Float32)) > 0);
    }

    [Fact]
    public void Translate_shifts_by_whole_pixels_and_fills_with_zero()
    {
        using var scope = torch.NewDisposeScope();
        float[] src = FromClip(ToClip(pil.Images)).ToArray<float>();
        float[] right = Run(x => AffineWarp.Apply(x, AffineWarp.Translate(5, 0))).ToArray<float>();
        float[] up = Run(x => AffineWarp.Apply(x, AffineWarp.Translate(0, -3))).ToArray<float>();
        const int n = 32;
        for (int t = 0; t < 4; t++)
            for (int y = 0; y < n; y++)
                for (int x = 0; x < n; x++)
                    for (int c = 0; c < 3; c++)
                    {
                        int at = ((t * n + y) * n + x) * 3 + c;
                        Assert.Equal(x >= 5 ? src[((t * n + y) * n + x - 5) * 3 + c] : 0f, right[at]);
                        Assert.Equal(y < n - 3 ? src[((t * n + y + 3) * n + x) * 3 + c] : 0f, up[at]);
                    }
        // The slicing shift RandAugment uses for whole-pixel translations gives the same pixels.
        Assert.Equal(right, Run(x => AffineWarp.Shift(x, 5, 0)).ToArray<float>());
        Assert.Equal(up, Run(x => AffineWarp.Shift(x, 0, -3)).ToArray<float>());
        Tensor both = Run(x => AffineWarp.Apply(x, AffineWarp.Translate(-7, 4)));
        Assert.Equal(0.0, MaxAbsDiff(both, Run(x => AffineWarp.Shift(x, -7, 4))));
    }

    [Fact]
    public void Magnitude_nine_of_thirty_one_bins_gives_torchvisions_values()
    {
        var ra = new RandAugment(magnitude: 9, numOps: 2);
        Assert.Equal(0.09, ra.MagnitudeOf(RandAugmentOp.ShearX, 224, 224), 10);
        Assert.Equal(150.0 / 331.0 * 224 * 9 / 30, ra.MagnitudeOf(RandAugmentOp.TranslateX, 224, 224), 10); // 30.45 -> int 30
        Assert.Equal(9.0, ra.MagnitudeOf(RandAugmentOp.Rotate, 224, 224), 10);
        Assert.Equal(0.27, ra.MagnitudeOf(RandAugmentOp.Brightness, 224, 224), 10);
        Assert.Equal(7.0, ra.MagnitudeOf(RandAugmentOp.Posterize, 224, 224));
        Assert.Equal(178.5, ra.MagnitudeOf(RandAugmentOp.Solarize, 224, 224), 10);
        var strongest = new RandAugment(magnitude: 30);
        Assert.Equal(4.0, strongest.MagnitudeOf(RandAugmentOp.Posterize, 224, 224));
        Assert.Equal(0.0, strongest.MagnitudeOf(RandAugmentOp.Solarize, 224, 224), 10);

        var rng = new AugmentRandom(9);
        RandAugmentStep[][] plan = ra.Sample(rng, 400, 224, 224);
        Assert.All(plan, p => Assert.Equal(2, p.Length));
        var steps = plan.SelectMany(p => p).ToArray();
        Assert.Equal(14, steps.Select(s => s.Op).Distinct().Count());
        Assert.All(steps.Where(s => s.Op == RandAugmentOp.TranslateX), s => Assert.Equal(30.0, Math.Abs(s.Magnitude)));
        Assert.Contains(steps, s => s.Op == RandAugmentOp.Rotate && s.Magnitude < 0);
        Assert.Contains(steps, s => s.Op == RandAugmentOp.Rotate && s.Magnitude > 0);
        Assert.All(steps.Where(s => s.Op == RandAugmentOp.Solarize), s => Assert.Equal(178.5, s.Magnitude, 10));
    }

    [Fact]
    public void Every_op_treats_the_frames_of_a_clip_alike()
    {
        using var scope = torch.NewDisposeScope();
        Tensor frame = RandomBytes(77, 1, 24, 24, 3).to(ScalarType.Float32);            // [1, H, W, 3]
        Tensor clip = frame.expand(3, 24, 24, 3).permute(3, 0, 1, 2).unsqueeze(0).contiguous(); // [1, 3, T=3, H, W]
        var ra = new RandAugment();
        foreach (RandAugmentOp op in RandAugment.Ops)
        {
            double m = ra.MagnitudeOf(op, 24, 24);
            Tensor y = RandAugment.ApplyStep(clip, new RandAugmentStep(op, RandAugment.IsSigned(op) ? -m : m)); // [1, 3, 3, H, W]
            Tensor first = y.narrow(2, 0, 1);
            Assert.True(MaxAbsDiff(y, first.expand(y.shape)) == 0, $"{op} changed frames differently");
        }
    }

    [Fact]
    public void Batched_application_equals_each_sample_on_its_own()
    {
        using var scope = torch.NewDisposeScope();
        Tensor batch = RandomBytes(5, 5, 3, 2, 20, 20).to(ScalarType.Float32); // [B=5, 3, T=2, H, W]
        RandAugmentStep bright = new(RandAugmentOp.Brightness, 0.27), rot = new(RandAugmentOp.Rotate, -9),
            eq = new(RandAugmentOp.Equalize, 0), id = new(RandAugmentOp.Identity, 0), post = new(RandAugmentOp.Posterize, 7);
        RandAugmentStep[][] plan = [[bright, eq], [eq, rot], [bright, eq], [rot, id], [id, post]];
        Tensor together = RandAugment.Apply(batch, plan);
        for (int i = 0; i < 5; i++)
        {
            Tensor alone = batch.narrow(0, i, 1);
            foreach (RandAugmentStep step in plan[i]) alone = RandAugment.ApplyStep(alone, step);
            Assert.Equal(0.0, MaxAbsDiff(together.narrow(0, i, 1), alone));
        }
        Assert.True(MaxAbsDiff(together, batch) > 0);
    }
}
