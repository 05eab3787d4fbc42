using CrossVideoMAE.Stages.Augment;
using CrossVideoMAE.Torch;
using Xunit;
using static CrossVideoMAE.Stages.Tests.AugmentTestData;

namespace CrossVideoMAE.Stages.Tests;

/// <summary>Crops, resizes and flips, checked against values worked out by hand or by PyTorch.</summary>
public class AugmentGeometryTests
{
    [Fact]
    public void Crop_at_output_size_copies_exactly_the_region()
    {
        using var scope = torch.NewDisposeScope();
        Tensor images = CoordinateImages(2, 32, 32); // [2, 32, 32, 3]
        var rrc = new RandomResizedCrop(size: 16);
        float[] got = rrc.Apply(images, new CropBox(4, 6, 16, 16)).ToArray<float>(); // [2, 3, 16, 16]
        for (int t = 0; t < 2; t++)
            for (int i = 0; i < 16; i++)
                for (int j = 0; j < 16; j++)
                {
                    int at = t * 3 * 256 + i * 16 + j;
                    Assert.Equal(4 + i, got[at]);         // channel 0 holds the row
                    Assert.Equal(6 + j, got[at + 256]);   // channel 1 the column
                    Assert.Equal(t, got[at + 512]);       // channel 2 the frame
                }
    }

    [Fact]
    public void Halving_a_crop_bilinearly_averages_each_two_by_two_block()
    {
        using var scope = torch.NewDisposeScope();
        Tensor images = RandomBytes(3, 1, 20, 20, 3);
        byte[] src = images.ToArray<byte>();
        float[] got = new RandomResizedCrop(size: 8).Apply(images, new CropBox(2, 3, 16, 16)).ToArray<float>(); // [1, 3, 8, 8]
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 8; i++)
                for (int j = 0; j < 8; j++)
                {
                    double sum = 0;
                    for (int dy = 0; dy < 2; dy++)
                        for (int dx = 0; dx < 2; dx++)
                            sum += src[((2 + 2 * i + dy) * 20 + 3 + 2 * j + dx) * 3 + c];
                    Assert.Equal(sum / 4, got[c * 64 + i * 8 + j], tolerance: 1e-5);
                }
    }

    [Fact]
    public void Crop_resize_matches_pytorch_interpolate_for_bilinear_and_antialiased_bicubic()
    {
        using var scope = torch.NewDisposeScope();
        Tensor images = RandomBytes(5, 3, 30, 40, 3); // [3, 30, 40, 3]
        var box = new CropBox(3, 7, 21, 27);
        Tensor bilinear = new RandomResizedCrop(16, interpolation: InterpolationMode.Bilinear).Apply(images, box);
        Tensor bicubic = new RandomResizedCrop(16, interpolation: InterpolationMode.Bicubic, antialias: true).Apply(images, box);
        Tensor upscaled = new RandomResizedCrop(32, interpolation: InterpolationMode.Bilinear).Apply(images, box);
        const string script = """
            import torch, torch.nn.functional as F, st
            x = st.load("in.safetensors")["x"]
            crop = x[:, 3:24, 7:34, :].permute(0, 3, 1, 2).float()
            st.save({
                "bilinear": F.interpolate(crop, size=(16, 16), mode="bilinear", align_corners=False),
                "bicubic": F.interpolate(crop, size=(16, 16), mode="bicubic", align_corners=False, antialias=True).clamp(0, 255),
                "up": F.interpolate(crop, size=(32, 32), mode="bilinear", align_corners=False),
            }, "out.safetensors")
            """;
        var expected = RunReference(script, [new("x", images)]);
        Assert.True(MaxAbsDiff(bilinear, expected["bilinear"]) < 1e-3);
        Assert.True(MaxAbsDiff(bicubic, expected["bicubic"]) < 1e-3);
        Assert.True(MaxAbsDiff(upscaled, expected["up"]) < 1e-3);
    }

    [Theory]
    [InlineData(InterpolationMode.Bilinear, false, false)]
    [InlineData(InterpolationMode.Bilinear, false, true)]
    [InlineData(InterpolationMode.Bilinear, true, true)]
    [InlineData(InterpolationMode.Bicubic, true, false)]
    [InlineData(InterpolationMode.Bicubic, false, true)]
    [InlineData(InterpolationMode.Nearest, false, true)]
    public void Native_crop_equals_the_libtorch_chain_of_the_gpu_path(InterpolationMode mode, bool antialias, bool flip)
    {
        using var scope = torch.NewDisposeScope();
        Tensor images = RandomBytes(9, 3, 37, 50, 3); // [3, 37, 50, 3]
        foreach (CropBox box in new[] { new CropBox(2, 5, 31, 45), new CropBox(0, 0, 37, 50), new CropBox(4, 9, 16, 16) })
            foreach (Tensor source in new[] { images, images.to(ScalarType.Float32) })
            {
                Tensor native = ClipTensor.CropResizePlanar(source, box, 16, 16, mode, antialias, flip);            // CPU: one native pass
                Tensor chain = ClipTensor.CropResizePlanarWithTorchOps(source, box, 16, 16, mode, antialias, flip); // what GPUs run
                Assert.True(MaxAbsDiff(native, chain) < 2e-3, $"{box} from {source.dtype}: differs by {MaxAbsDiff(native, chain)}");
            }
    }

    [Fact]
    public void Short_side_resize_keeps_the_aspect_and_antialiases_when_shrinking()
    {
        using var scope = torch.NewDisposeScope();
        var resize = new ShortSideResize(32);
        Assert.Equal((32, 42), resize.OutputSize(48, 64));  // int(32 · 64 / 48) = 42
        Assert.Equal((56, 32), resize.OutputSize(70, 40));  // int(32 · 70 / 40) = 56
        Tensor clips = RandomBytes(11, 2, 2, 48, 64, 3); // [B, T, H, W, 3]
        Tensor resized = resize.Apply(clips);
        Assert.Equal(new long[] { 2, 2, 32, 42, 3 }, resized.shape);
        const string script = """
            import torch, torch.nn.functional as F, st
            x = st.load("in.safetensors")["x"].float()
            n = x.reshape(4, 48, 64, 3).permute(0, 3, 1, 2)
            r = F.interpolate(n, size=(32, 42), mode="bilinear", align_corners=False, antialias=True)
            st.save({"r": r.permute(0, 2, 3, 1).reshape(2, 2, 32, 42, 3)}, "out.safetensors")
            """;
        var expected = RunReference(script, [new("x", clips)]);
        Assert.True(MaxAbsDiff(resized, expected["r"]) < 1e-3);

        Tensor already = RandomBytes(12, 1, 2, 32, 40, 3);
        Tensor same = resize.Apply(already);
        Assert.Equal(ScalarType.Byte, same.dtype);
        Assert.Equal(already.ToArray<byte>(), same.ToArray<byte>());
    }

    [Fact]
    public void Flip_mirrors_exactly_the_chosen_samples()
    {
        using var scope = torch.NewDisposeScope();
        float[] v = Enumerable.Range(0, 3 * 2 * 4).Select(i => (float)i).ToArray();
        Tensor x = torch.tensor(v, 3, 2, 4); // [B=3, 2, W=4]
        float[] got = RandomHorizontalFlip.Apply(x, [true, false, true]).ToArray<float>();
        float[] expected =
        [
            3, 2, 1, 0, 7, 6, 5, 4,
            8, 9, 10, 11, 12, 13, 14, 15,
            19, 18, 17, 16, 23, 22, 21, 20,
        ];
        Assert.Equal(expected, got);
        Assert.Equal(v, x.ToArray<float>()); // the input is untouched
    }

    [Fact]
    public void Random_resized_crop_boxes_respect_scale_and_ratio_and_repeat_for_a_seed()
    {
        var rrc = new RandomResizedCrop(224);
        const int h = 256, w = 341, n = 3000;
        var rng = new AugmentRandom(42);
        CropBox[] boxes = rrc.Sample(rng, n, h, w);
        foreach (CropBox b in boxes)
        {
            Assert.True(b.FitsIn(h, w), $"{b} outside {h}x{w}");
            // w and h are rounded from sqrt(area·r) and sqrt(area/r) (both >= 72 here): a few % slack.
            Assert.InRange(b.Area, 0.08 * h * w * 0.97, (long)h * w);
            double ratio = (double)b.Width / b.Height;
            Assert.InRange(ratio, 0.75 * 0.97, 4.0 / 3 * 1.03);
        }
        // Scale is uniform in [0.08, 1]: the mean area fraction of accepted boxes is well below 1 and above 0.3.
        double meanScale = boxes.Average(b => (double)b.Area / (h * w));
        Assert.InRange(meanScale, 0.38, 0.49); // 0.434 in a 20000-draw simulation of the algorithm
        Assert.True(boxes.Select(b => b.Area).Distinct().Count() > n / 3);

        var again = new AugmentRandom(42);
        Assert.Equal(boxes, rrc.Sample(again, n, h, w));
        var other = new AugmentRandom(43);
        Assert.NotEqual(boxes, rrc.Sample(other, n, h, w));
    }

    [Fact]
    public void Random_resized_crop_falls_back_to_a_centre_crop_in_the_ratio_range()
    {
        var rrc = new RandomResizedCrop(224);
        var rng = new AugmentRandom(1);
        // A 10x1000 strip: every attempt needs h >= sqrt(0.08 · 10000 / (4/3)) > 24 > 10 rows.
        Assert.Equal(new CropBox(0, 493, 10, 13), rrc.SampleBox(rng, 10, 1000)); // w = round(10 · 4/3) = 13
        Assert.Equal(new CropBox(493, 0, 13, 10), rrc.SampleBox(rng, 1000, 10)); // h = round(10 / (3/4)) = 13
    }

    [Fact]
    public void Eval_transform_centre_and_three_crops_take_the_right_regions()
    {
        using var scope = torch.NewDisposeScope();
        var single = new EvalTransform(new EvalConfig(ShortSide: 32, CropSize: 16));
        Assert.Equal([new CropBox(8, 12, 16, 16)], single.CropBoxes(32, 40));
        var multi = new EvalTransform(new EvalConfig(ShortSide: 16, CropSize: 16, SpatialCrops: 3));
        Assert.Equal([new CropBox(0, 0, 16, 16), new CropBox(0, 10, 16, 16), new CropBox(0, 20, 16, 16)], multi.CropBoxes(16, 36));
        Assert.Equal([new CropBox(0, 0, 16, 16), new CropBox(10, 0, 16, 16), new CropBox(20, 0, 16, 16)], multi.CropBoxes(36, 16));

        // Already at the short side: the output is the normalised region itself.
        Tensor clips = CoordinateImages(2, 16, 36).unsqueeze(0); // [1, T=2, 16, 36, 3]
        float[] got = multi.Apply(clips).ToArray<float>();       // [1, 3 crops, 3, 2, 16, 16]
        double[] mean = Normalize.ImageNetMean, std = Normalize.ImageNetStd;
        int[] lefts = [0, 10, 20];
        for (int k = 0; k < 3; k++)
            for (int t = 0; t < 2; t++)
                for (int i = 0; i < 16; i++)
                    for (int j = 0; j < 16; j++)
                    {
                        double[] raw = [i, lefts[k] + j, t];
                        for (int c = 0; c < 3; c++)
                        {
                            int at = (((k * 3 + c) * 2 + t) * 16 + i) * 16 + j;
                            Assert.Equal((raw[c] / 255 - mean[c]) / std[c], got[at], tolerance: 1e-5);
                        }
                    }
    }

    [Fact]
    public void Normalize_uses_imagenet_mean_and_std_on_the_0_255_scale()
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.tensor(new float[] { 0, 255, 128, 64, 255, 0 }, 2, 3); // [N=2, C=3]
        float[] got = Normalize.ImageNet.Apply(x, channelDim: 1).ToArray<float>();
        float[] expected =
        [
            (float)((0 - 0.485) / 0.229), (float)((1 - 0.456) / 0.224), (float)((128 / 255.0 - 0.406) / 0.225),
            (float)((64 / 255.0 - 0.485) / 0.229), (float)((1 - 0.456) / 0.224), (float)((0 - 0.406) / 0.225),
        ];
        for (int i = 0; i < 6; i++) Assert.Equal(expected[i], got[i], tolerance: 1e-5);
        Assert.Equal(-2.1179039, got[0], tolerance: 1e-5); // (0 - 0.485) / 0.229 worked out by hand
        Assert.Equal(2.4285714, got[4], tolerance: 1e-5);  // (1 - 0.456) / 0.224 = 0.544 / 0.224
    }

    [Theory]
    [InlineData(224, 224)]
    [InlineData(31, 45)]
    public void Warp_through_a_source_index_picks_the_pixels_of_grid_sample_nearest(int h, int w)
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(11);
        Tensor x = torch.rand([1, 3, 2, h, w], g) * 255; // [N, C, T, H, W]
        double[][] matrices =
        [
            AffineWarp.Rotate(9), AffineWarp.Rotate(-9), AffineWarp.Rotate(3.3),
            AffineWarp.ShearX(0.09, h, w), AffineWarp.ShearX(-0.09, h, w), AffineWarp.ShearY(0.09, h, w), AffineWarp.ShearY(-0.09, h, w),
            AffineWarp.Translate(30, 0), AffineWarp.Translate(0, -7),
        ];
        foreach (double[] m in matrices)
        {
            // The reference: libtorch's own grid_sample over the grid affine_grid builds from the same matrix.
            float[] theta =
            [
                (float)m[0], (float)(m[1] * h / w), (float)(m[2] * 2 / w),
                (float)(m[3] * w / h), (float)m[4], (float)(m[5] * 2 / h),
            ];
            Tensor grid = torch.nn.functional.affine_grid(torch.tensor(theta, 1, 2, 3), [1, 6, h, w], align_corners: false);
            Tensor expected = torch.nn.functional.grid_sample(x.reshape(1, 6, h, w), grid, GridSampleMode.Nearest, GridPadding.Zeros, align_corners: false);
            Tensor got = AffineWarp.Apply(x, m);
            Assert.Equal(0.0, MaxAbsDiff(got.reshape(1, 6, h, w), expected));
        }
    }

    [Fact]
    public void Normalize_writes_into_a_strided_destination_and_leaves_the_source()
    {
        using var scope = torch.NewDisposeScope();
        Tensor source = torch.tensor(new float[] { 0, 255, 51, 102, 153, 204 }, 3, 2); // [C=3, 2]
        Tensor batch = torch.zeros([2, 3]);
        Tensor destination = batch.permute(1, 0); // [3, 2] view with strides (1, 3)
        Normalize.ImageNet.WriteInto(source, destination, channelDim: 0);
        float[] got = batch.ToArray<float>(); // [2, 3]: row j holds sample j's three channels
        double[] mean = Normalize.ImageNetMean, std = Normalize.ImageNetStd;
        float[] raw = [0, 255, 51, 102, 153, 204];
        for (int c = 0; c < 3; c++)
            for (int j = 0; j < 2; j++)
                Assert.Equal((raw[c * 2 + j] / 255.0 - mean[c]) / std[c], got[j * 3 + c], tolerance: 1e-5);
        Assert.Equal(raw, source.ToArray<float>());
        Assert.Equal(-2.1179039, got[0], tolerance: 1e-5); // (0 - 0.485) / 0.229 worked out by hand
    }
}
