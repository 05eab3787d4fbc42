using CrossVideoMAE.Stages.Augment.Native;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.Tests;
using Xunit;
using static CrossVideoMAE.Torch.torch;

namespace CrossVideoMAE.Stages.Tests;

/// <summary>
/// The uint8 kernels of AugmentKernels (libcvmae_augment: lookup tables, histograms, saturation, sharpness, pixel
/// gathers) against PyTorch computing the same with its own ops: indexing, bincount, the float
/// formulas in float64 followed by the cast toward zero.
/// </summary>
public class AugmentPixelKernelTests
{
    [Fact]
    public void Lookup_tables_histograms_and_gathers_match_pytorch_indexing()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(61);
        Tensor wide = randint(0, 256, [6, 45], g, ScalarType.Byte);
        Tensor src = wide.narrow(1, 3, 37); // [6, 37], rows 45 apart
        Tensor perRow = randint(0, 256, [6, 256], g, ScalarType.Byte);
        Tensor perPair = randint(0, 256, [2, 256], g, ScalarType.Byte); // rows 0-2 use table 0, rows 3-5 table 1
        Tensor shared = randint(0, 256, [1, 256], g, ScalarType.Byte);
        Tensor floats = randn([3, 256], g); // float32 tables, rows 0-1, 2-3, 4-5

        Tensor byRow = empty([6, 37], ScalarType.Byte), byPair = empty([6, 37], ScalarType.Byte), byAll = empty([6, 37], ScalarType.Byte);
        Tensor toFloat = full([6, 50], double.NaN).narrow(1, 5, 37); // a view with rows 50 apart
        AugmentKernels.lut_into(src, perRow, byRow);
        AugmentKernels.lut_into(src, perPair, byPair);
        AugmentKernels.lut_into(src, shared, byAll);
        AugmentKernels.lut_into(src, floats, toFloat);
        Tensor inPlace = src.clone();
        AugmentKernels.lut_into(inPlace, perRow, inPlace);

        Tensor hist = AugmentKernels.histogram_rows(src);
        Tensor index = tensor(new long[] { 36, 0, -1, 5, 5, 17, -1, 2, 30, 36, 1, -1, 0 }, 13);
        Tensor gathered = full([6, 13], 99, ScalarType.Byte);
        AugmentKernels.gather_columns_into(src, index, gathered);

        using TensorSet expected = PyTorch.Run("""
            x = inp["src"].long()
            rows = torch.arange(6)
            def lut(t):
                return torch.gather(t[rows // (6 // t.shape[0])], 1, x)
            idx = inp["index"]
            moved = inp["src"][:, idx.clamp(min=0)].clone()
            moved[:, idx < 0] = 0
            out.update(by_row=lut(inp["per_row"]), by_pair=lut(inp["per_pair"]), by_all=lut(inp["shared"]),
                       to_float=lut(inp["floats"]), hist=torch.stack([torch.bincount(r, minlength=256) for r in x]),
                       moved=moved)
            """, new Dictionary<string, Tensor>
        {
            ["src"] = src.contiguous(), ["per_row"] = perRow, ["per_pair"] = perPair, ["shared"] = shared, ["floats"] = floats,
            ["index"] = index,
        });

        Close.Exact(expected["by_row"], byRow, "per-row tables");
        Close.Exact(expected["by_pair"], byPair, "a table per group of three rows");
        Close.Exact(expected["by_all"], byAll, "one table for all rows");
        Close.Exact(expected["to_float"], toFloat, "float32 table into a strided view");
        Close.Exact(expected["by_row"], inPlace, "in place");
        Close.Exact(expected["hist"], hist, "histogram_rows");
        Close.Exact(expected["moved"], gathered, "gather_columns_into");
    }

    [Fact]
    public void Saturation_and_sharpness_are_the_float_formulas_cast_toward_zero()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(62);
        Tensor clips = randint(0, 256, [2, 3, 517], g, ScalarType.Byte);  // [N, 3, pixels]: not a multiple of the kernel's block
        Tensor planes = randint(0, 256, [4, 13, 17], g, ScalarType.Byte); // [R, H, W]
        double[] factors = [1.27, 0.73, 0.3, 0, -0.4, 2.5];

        var got = new Dictionary<string, Tensor>();
        foreach (double f in factors)
        {
            Tensor sat = empty([2, 3, 517], ScalarType.Byte);
            AugmentKernels.adjust_saturation_into(clips, f, sat);
            Tensor sharp = empty([4, 13, 17], ScalarType.Byte);
            AugmentKernels.adjust_sharpness_into(planes, f, sharp);
            got[$"sat_{f}"] = sat;
            got[$"sharp_{f}"] = sharp;
            // In place gives the same values.
            Tensor satInPlace = clips.clone(), sharpInPlace = planes.clone();
            AugmentKernels.adjust_saturation_into(satInPlace, f, satInPlace);
            AugmentKernels.adjust_sharpness_into(sharpInPlace, f, sharpInPlace);
            Close.Exact(sat, satInPlace, $"saturation {f} in place");
            Close.Exact(sharp, sharpInPlace, $"sharpness {f} in place");
        }

        // Exact values in float64; the kernel computes in float32, so it may land on either side of an
        // integer that the exact value sits within 1e-3 of: it must lie in [floor(v - 1e-3), floor(v + 1e-3)].
        using TensorSet expected = PyTorch.Run($$"""
            x = inp["clips"].double()
            p = inp["planes"].double()
            gray = 0.2989 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3]
            box = F.conv2d(p.unsqueeze(1), torch.ones(1, 1, 3, 3, dtype=torch.float64)).squeeze(1)  # [R, H-2, W-2]
            for f in [{{string.Join(", ", factors.Select(f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}}]:
                sat = gray + f * (x - gray)
                sharp = p.clone()
                sharp[:, 1:-1, 1:-1] = (1 - f) / 13 * box + (f + 4 * (1 - f) / 13) * p[:, 1:-1, 1:-1]
                for name, v in [("sat", sat), ("sharp", sharp)]:
                    out[f"{name}_{f}_lo"] = (v - 1e-3).clamp(0, 255).floor()
                    out[f"{name}_{f}_hi"] = (v + 1e-3).clamp(0, 255).floor()
            """, new Dictionary<string, Tensor> { ["clips"] = clips, ["planes"] = planes });

        foreach (double f in factors)
            foreach (string op in new[] { "sat", "sharp" })
            {
                string key = $"{op}_{f.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}";
                double[] v = Close.Values(got[$"{op}_{f}"]), lo = Close.Values(expected[key + "_lo"]), hi = Close.Values(expected[key + "_hi"]);
                for (int i = 0; i < v.Length; i++)
                    Assert.True(v[i] >= lo[i] && v[i] <= hi[i], $"{key}: element {i} is {v[i]}, expected {lo[i]}..{hi[i]}");
            }
        // Planes too small for a 3x3 neighbourhood are left as they are.
        Tensor thin = randint(0, 256, [2, 2, 9], g, ScalarType.Byte);
        Tensor thinOut = empty([2, 2, 9], ScalarType.Byte);
        AugmentKernels.adjust_sharpness_into(thin, 2.0, thinOut);
        Close.Exact(thin, thinOut, "2-row planes");
    }

    [Fact]
    public void Mix_pair_and_swap_match_pytorch_on_strided_views()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(63);
        Tensor batch = randn([2, 3, 4, 9, 11], g);          // [B, C, T, H, W]
        Tensor original = batch.clone();
        // Mixup of the whole pair, then cutmix's box swap on a strided region.
        AugmentKernels.mix_pair_(batch.select(0, 0), batch.select(0, 1), 0.3);
        Tensor boxA = batch.select(0, 0).narrow(2, 2, 5).narrow(3, 3, 6), boxB = batch.select(0, 1).narrow(2, 2, 5).narrow(3, 3, 6);
        AugmentKernels.swap_(boxA, boxB);
        Tensor bytes = randint(0, 256, [2, 5, 7], g, ScalarType.Byte);
        Tensor bytesBefore = bytes.clone();
        AugmentKernels.swap_(bytes.select(0, 0).narrow(1, 1, 4), bytes.select(0, 1).narrow(1, 1, 4));

        using TensorSet expected = PyTorch.Run("""
            x = inp["x"].clone()
            a, b = x[0].clone(), x[1].clone()
            d = (a - b) * (1 - 0.3)
            x[0], x[1] = a - d, b + d
            box = x[0, :, :, 2:7, 3:9].clone()
            x[0, :, :, 2:7, 3:9] = x[1, :, :, 2:7, 3:9]
            x[1, :, :, 2:7, 3:9] = box
            y = inp["bytes"].clone()
            y[0, :, 1:5], y[1, :, 1:5] = inp["bytes"][1, :, 1:5], inp["bytes"][0, :, 1:5]
            out.update(x=x, bytes=y)
            """, new Dictionary<string, Tensor> { ["x"] = original, ["bytes"] = bytesBefore });
        Close.Exact(expected["x"], batch, "mix_pair_ then swap_");
        Close.Exact(expected["bytes"], bytes, "swap_ on uint8 views");
    }

    [Fact]
    public void Bad_arguments_are_rejected_with_the_reason()
    {
        using var scope = NewDisposeScope();
        Tensor rows = zeros([6, 10], ScalarType.Byte);
        Tensor table = zeros([3, 256], ScalarType.Byte);
        void Expect(string fragment, Action call)
        {
            var e = Assert.ThrowsAny<Exception>(call);
            Assert.Contains(fragment, e.Message);
        }
        Expect("source must be uint8", () => AugmentKernels.lut_into(zeros([6, 10]), table, zeros([6, 10], ScalarType.Byte)));
        Expect("contiguous [G, 256]", () => AugmentKernels.lut_into(rows, zeros([3, 255], ScalarType.Byte), zeros([6, 10], ScalarType.Byte)));
        Expect("4 tables do not divide 6 rows", () => AugmentKernels.lut_into(rows, zeros([4, 256], ScalarType.Byte), zeros([6, 10], ScalarType.Byte)));
        Expect("the table's type", () => AugmentKernels.lut_into(rows, table, zeros([6, 10])));
        Expect("the destination is", () => AugmentKernels.lut_into(rows, table, zeros([6, 9], ScalarType.Byte)));
        Expect("must be uint8 or float32", () => AugmentKernels.lut_into(rows, zeros([3, 256], ScalarType.Int32), zeros([6, 10], ScalarType.Int32)));
        Expect("rows must be contiguous", () => AugmentKernels.lut_into(zeros([10, 6], ScalarType.Byte).t(), table, zeros([6, 10], ScalarType.Byte)));
        Tensor big = zeros([6, 20], ScalarType.Byte);
        Expect("overlaps the source", () => AugmentKernels.lut_into(big.narrow(1, 0, 10), table, big.narrow(1, 5, 10)));
        Expect("must be 2-D", () => AugmentKernels.histogram_rows(zeros([6], ScalarType.Byte)));
        Expect("must be uint8", () => AugmentKernels.histogram_rows(zeros([6, 10])));
        Expect("[N, 3, pixels]", () => AugmentKernels.adjust_saturation_into(zeros([2, 4, 5], ScalarType.Byte), 1.2, zeros([2, 4, 5], ScalarType.Byte)));
        Expect("finite", () => AugmentKernels.adjust_saturation_into(zeros([2, 3, 5], ScalarType.Byte), double.NaN, zeros([2, 3, 5], ScalarType.Byte)));
        Expect("of one shape", () => AugmentKernels.adjust_sharpness_into(zeros([2, 5, 5], ScalarType.Byte), 1.2, zeros([2, 5, 6], ScalarType.Byte)));
        Expect("must be uint8", () => AugmentKernels.adjust_sharpness_into(zeros([2, 5, 5]), 1.2, zeros([2, 5, 5])));
        Tensor planes = zeros([3, 5, 5], ScalarType.Byte);
        Expect("overlaps the source", () => AugmentKernels.adjust_sharpness_into(planes.narrow(0, 0, 2), 1.2, planes.narrow(0, 1, 2)));
        Expect("outside [-1, 10)", () => AugmentKernels.gather_columns_into(rows, tensor(new long[] { 0, 10 }, 2), zeros([6, 2], ScalarType.Byte)));
        Expect("outside [-1, 10)", () => AugmentKernels.gather_columns_into(rows, tensor(new long[] { -2 }, 1), zeros([6, 1], ScalarType.Byte)));
        Expect("contiguous int64", () => AugmentKernels.gather_columns_into(rows, tensor(new int[] { 0 }, 1), zeros([6, 1], ScalarType.Byte)));
        Expect("must be [6, 2]", () => AugmentKernels.gather_columns_into(rows, tensor(new long[] { 0, 1 }, 2), zeros([6, 3], ScalarType.Byte)));
        Tensor pair = zeros([2, 4, 6]);
        Expect("differ in shape", () => AugmentKernels.mix_pair_(pair.select(0, 0), pair.select(0, 1).narrow(1, 0, 5), 0.5));
        Expect("differ in type", () => AugmentKernels.swap_(zeros([4]), zeros([4], ScalarType.Byte)));
        Expect("must be float32", () => AugmentKernels.mix_pair_(zeros([4], ScalarType.Float64), zeros([4], ScalarType.Float64), 0.5));
        Expect("last dimension must be contiguous", () => AugmentKernels.mix_pair_(pair.select(0, 0).t(), pair.select(0, 1).t(), 0.5));
        Expect("the tensors overlap", () => AugmentKernels.swap_(pair.narrow(0, 0, 1), pair.narrow(0, 0, 1)));
        Expect("lambda must be finite", () => AugmentKernels.mix_pair_(pair.select(0, 0), pair.select(0, 1), double.PositiveInfinity));
    }
}
