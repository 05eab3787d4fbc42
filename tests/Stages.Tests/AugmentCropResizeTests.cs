using CrossVideoMAE.Stages.Augment.Native;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.Tests;
using Xunit;
using static CrossVideoMAE.Torch.torch;

namespace CrossVideoMAE.Stages.Tests;

/// <summary>
/// AugmentKernels.crop_resize_into against PyTorch computing the same thing with its own ops in
/// float64: slice the box, F.interpolate (align_corners=False, with or without antialias), clamp
/// bicubic to [0, 255], flip, then x · scale + shift per channel.
/// </summary>
public class AugmentCropResizeTests
{
    private static readonly double[] Scale = [1 / (255 * 0.229), 1 / (255 * 0.224), 1 / (255 * 0.225)];
    private static readonly double[] Shift = [-0.485 / 0.229, -0.456 / 0.224, -0.406 / 0.225];
    private static readonly double[] One = [1, 1, 1], Zero = [0, 0, 0];

    private sealed record Case(string Name, int Top, int Left, int Height, int Width, int OutH, int OutW, InterpolationMode Mode,
        bool Antialias, bool Flip, bool Bytes = false, bool FloatSource = false);

    private static readonly Case[] Cases =
    [
        new("bilinear_up", 3, 5, 31, 45, 224, 224, InterpolationMode.Bilinear, false, false),
        new("bilinear_up_flip", 3, 5, 31, 45, 224, 224, InterpolationMode.Bilinear, false, true),
        new("bilinear_down", 1, 2, 37, 45, 17, 23, InterpolationMode.Bilinear, false, false),
        new("bilinear_down_aa_flip", 1, 2, 37, 45, 17, 23, InterpolationMode.Bilinear, true, true),
        new("bilinear_mixed_aa", 0, 7, 40, 13, 19, 29, InterpolationMode.Bilinear, true, false), // shrinks rows, enlarges columns
        new("bicubic_up", 3, 5, 31, 45, 224, 224, InterpolationMode.Bicubic, false, false),
        new("bicubic_up_aa_flip", 3, 5, 31, 45, 224, 224, InterpolationMode.Bicubic, true, true),
        new("bicubic_down_aa", 0, 0, 40, 52, 17, 23, InterpolationMode.Bicubic, true, false),
        new("bicubic_down_flip", 1, 2, 37, 45, 17, 23, InterpolationMode.Bicubic, false, true),
        new("nearest_odd", 2, 3, 29, 41, 13, 50, InterpolationMode.Nearest, false, true),
        new("same_size", 4, 6, 20, 30, 20, 30, InterpolationMode.Bilinear, false, true),
        new("bilinear_up_u8", 3, 5, 31, 45, 224, 224, InterpolationMode.Bilinear, false, true, Bytes: true),
        new("bicubic_down_aa_u8", 1, 2, 37, 45, 17, 23, InterpolationMode.Bicubic, true, false, Bytes: true),
        new("float_source_strided", 1, 2, 37, 45, 30, 21, InterpolationMode.Bilinear, false, true, FloatSource: true),
    ];

    [Fact]
    public void Crop_resize_flip_normalise_matches_pytorch_for_every_mode()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(51);
        Tensor images = randint(0, 256, [3, 40, 52, 3], g, ScalarType.Byte); // [T, H, W, 3]
        // The same values as float32 in a planar layout, seen as [T, H, W, 3] through a permutation (strides not interleaved).
        Tensor planar = images.permute(3, 0, 1, 2).to(ScalarType.Float32).contiguous(); // [3, T, H, W]
        Tensor floatView = planar.permute(1, 2, 3, 0);                                   // [T, H, W, 3]

        var got = new Dictionary<string, Tensor>();
        foreach (Case c in Cases)
        {
            // A destination inside a larger batch, as the feed writes it: [2, 3, T, S_h, S_w], row 1.
            Tensor batch = full([2, 3, 3, c.OutH, c.OutW], c.Bytes ? 7 : double.NaN, c.Bytes ? ScalarType.Byte : ScalarType.Float32);
            Tensor row = batch.select(0, 1);
            AugmentKernels.crop_resize_into(c.FloatSource ? floatView : images, c.Top, c.Left, c.Height, c.Width, row, c.Mode, c.Antialias,
                c.Flip, c.Bytes ? One : Scale, c.Bytes ? Zero : Shift);
            Tensor other = batch.select(0, 0);
            Assert.True((c.Bytes ? other.eq(7) : other.isnan()).all().item() != 0, $"{c.Name}: wrote outside its row");
            got[c.Name] = row;
        }

        string cases = string.Join(",\n", Cases.Select(c =>
            $"(\"{c.Name}\", {c.Top}, {c.Left}, {c.Height}, {c.Width}, ({c.OutH}, {c.OutW}), \"{c.Mode.ToString().ToLowerInvariant()}\", " +
            $"{Py(c.Antialias)}, {Py(c.Flip)}, {Py(c.Bytes)})"));
        using TensorSet expected = PyTorch.Run($$"""
            x = inp["x"]  # [T, H, W, 3] uint8
            scale = torch.tensor([1 / (255 * 0.229), 1 / (255 * 0.224), 1 / (255 * 0.225)], dtype=torch.float64).view(3, 1, 1, 1)
            shift = torch.tensor([-0.485 / 0.229, -0.456 / 0.224, -0.406 / 0.225], dtype=torch.float64).view(3, 1, 1, 1)
            for name, t, l, h, w, size, mode, aa, flip, raw in [
            {{cases}}
            ]:
                c = x[:, t:t + h, l:l + w, :].permute(0, 3, 1, 2).double()  # [T, 3, h, w]
                if mode == "nearest":
                    r = F.interpolate(c, size=size, mode="nearest")
                else:
                    r = F.interpolate(c, size=size, mode=mode, align_corners=False, antialias=aa)
                if mode == "bicubic":
                    r = r.clamp(0, 255)
                if flip:
                    r = r.flip(-1)
                r = r.permute(1, 0, 2, 3)  # [3, T, S_h, S_w]
                out[name] = r if raw else r * scale + shift
            """, new Dictionary<string, Tensor> { ["x"] = images });

        foreach (Case c in Cases)
        {
            if (c.Bytes)
            {
                Assert.Equal(ScalarType.Byte, got[c.Name].dtype);
                // Rounded to the nearest level: within half a level of the exact value.
                Close.Assert(expected[c.Name], got[c.Name], c.Name, atol: 0.5 + 1e-3, rtol: 0);
            }
            else
            {
                Close.Assert(expected[c.Name], got[c.Name], c.Name, atol: 2e-5, rtol: 0);
            }
        }
    }

    [Fact]
    public void Uint8_output_rounds_half_to_even_and_clamps()
    {
        using var scope = NewDisposeScope();
        // One row 0, 3, 255, 250: doubling its width bilinearly gives 0, 0.75, 2.25, 66, 192, 253.75, 251.25, 250
        // (taps 1/4, 3/4). Halving it gives the means 1.5 and 252.5: half to even, 2 and 252.
        Tensor images = tensor(new byte[] { 0, 0, 0, 3, 3, 3, 255, 255, 255, 250, 250, 250 }, 1, 1, 4, 3);
        Tensor wide = empty([3, 1, 1, 8], ScalarType.Byte);
        AugmentKernels.crop_resize_into(images, 0, 0, 1, 4, wide, InterpolationMode.Bilinear, false, false, One, Zero);
        Assert.Equal(new byte[] { 0, 1, 2, 66, 192, 254, 251, 250 }, wide.select(0, 1).flatten().ToArray<byte>());
        Tensor half = empty([3, 1, 1, 2], ScalarType.Byte);
        AugmentKernels.crop_resize_into(images, 0, 0, 1, 4, half, InterpolationMode.Bilinear, false, false, One, Zero);
        Assert.Equal(new byte[] { 2, 252 }, half.select(0, 2).flatten().ToArray<byte>());
        // scale 2 pushes 192 and up past 255: clamped, never wrapped.
        AugmentKernels.crop_resize_into(images, 0, 0, 1, 4, wide, InterpolationMode.Bilinear, false, false, [2, 2, 2], Zero);
        Assert.Equal(new byte[] { 0, 2, 4, 132, 255, 255, 255, 255 }, wide.select(0, 0).flatten().ToArray<byte>());
    }

    [Fact]
    public void Bad_arguments_are_rejected_with_the_reason()
    {
        using var scope = NewDisposeScope();
        Tensor images = zeros([2, 10, 12, 3], ScalarType.Byte);
        Tensor dst = empty([3, 2, 8, 8]);
        void Expect(string fragment, Action call)
        {
            var e = Assert.ThrowsAny<Exception>(call);
            Assert.Contains(fragment, e.Message);
        }
        InterpolationMode bl = InterpolationMode.Bilinear;
        Expect("does not fit a 10x12 frame", () => AugmentKernels.crop_resize_into(images, 3, 0, 8, 8, dst, bl, false, false, One, Zero));
        Expect("does not fit", () => AugmentKernels.crop_resize_into(images, 0, -1, 8, 8, dst, bl, false, false, One, Zero));
        Expect("does not fit", () => AugmentKernels.crop_resize_into(images, 0, 0, 0, 8, dst, bl, false, false, One, Zero));
        Expect("source must be uint8 or float32", () =>
            AugmentKernels.crop_resize_into(zeros([2, 10, 12, 3], ScalarType.Int32), 0, 0, 8, 8, dst, bl, false, false, One, Zero));
        Expect("source must be [T, H, W, 3]", () =>
            AugmentKernels.crop_resize_into(zeros([2, 10, 12, 4], ScalarType.Byte), 0, 0, 8, 8, dst, bl, false, false, One, Zero));
        Expect("destination must be [3, 2, S_h, S_w]", () =>
            AugmentKernels.crop_resize_into(images, 0, 0, 8, 8, empty([3, 3, 8, 8]), bl, false, false, One, Zero));
        Expect("destination must be float32 or uint8", () =>
            AugmentKernels.crop_resize_into(images, 0, 0, 8, 8, empty([3, 2, 8, 8], ScalarType.Float64), bl, false, false, One, Zero));
        Expect("stride(3) = 1", () =>
            AugmentKernels.crop_resize_into(images, 0, 0, 8, 8, empty([3, 2, 8, 8]).transpose(2, 3), bl, false, false, One, Zero));
        Expect("antialias needs bilinear or bicubic", () =>
            AugmentKernels.crop_resize_into(images, 0, 0, 8, 8, dst, InterpolationMode.Nearest, true, false, One, Zero));
        Expect("not Area", () => AugmentKernels.crop_resize_into(images, 0, 0, 8, 8, dst, InterpolationMode.Area, false, false, One, Zero));
        Expect("need 3 values", () => AugmentKernels.crop_resize_into(images, 0, 0, 8, 8, dst, bl, false, false, [1, 1], Zero));
        Expect("finite", () => AugmentKernels.crop_resize_into(images, 0, 0, 8, 8, dst, bl, false, false, [1, double.NaN, 1], Zero));
        Tensor floats = zeros([3, 2, 10, 12]);
        Expect("overlaps the source", () => AugmentKernels.crop_resize_into(floats.permute(1, 2, 3, 0), 0, 0, 8, 8, floats.narrow(2, 0, 8).narrow(3, 0, 8),
            bl, false, false, One, Zero));
    }

    private static string Py(bool b) => b ? "True" : "False";
}
