using CrossVideoMAE.Model.Masking;
using CrossVideoMAE.Model.Objective;
using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch;
using Xunit;

namespace CrossVideoMAE.Model.Tests;

/// <summary>Every loss term on small hand-built embeddings against PyTorch computing the printed formulas with loops.</summary>
public class LossFormulaTests
{
    private const int N = 5, E = 6;
    private static readonly ModelConfig Geometry = TinySetup.Config();   // 4x32x32 clips: 8 tokens of 2*16*16*3 values

    private sealed record Fixture(CrossVideoMaeOutput Output, CrossVideoMaeBatch Batch, Dictionary<string, double> Expected);

    // One reference run shared by the tests of this class.
    private static readonly Lazy<Fixture> Shared = new(Build);

    private static Fixture Build()
    {
        using var g = new Generator(11);
        Tensor R(params long[] shape) => torch.randn(shape, g, ScalarType.Float64).DetachFromDisposeScope();
        Tensor zu1 = R(N, E), zu2 = R(N, E), zf1 = R(N, E), zf2 = R(N, E), hf = R(N, E);
        // Make view 2 related to view 1 so the positives dominate for some samples and not others.
        using (torch.no_grad()) { zu2.add_(zu1); zf2.add_(zf1 * 0.5); }
        long l = Geometry.VideoGrid.Length, p = Geometry.PixelsPerToken;
        Tensor v1 = R(N, 3, 4, 32, 32), v2 = R(N, 3, 4, 32, 32);
        Tensor p1 = R(N, l, p), p2 = R(N, l, p);
        Tensor m1 = torch.rand([N, l], g, ScalarType.Float64).gt(0.5).to(ScalarType.Float64).DetachFromDisposeScope();
        Tensor m2 = torch.rand([N, l], g, ScalarType.Float64).gt(0.5).to(ScalarType.Float64).DetachFromDisposeScope();
        using (torch.no_grad()) { m1[0, 0] = torch.tensor(1.0, ScalarType.Float64); m2[0, 0] = torch.tensor(1.0, ScalarType.Float64); }
        Tensor none = torch.zeros([N, 1], ScalarType.Int64).DetachFromDisposeScope();

        var view1 = new VideoViewOutput(new MaskingResult(none, m1, none), zu1, zu1, zf1, null, p1);
        var view2 = new VideoViewOutput(new MaskingResult(none, m2, none), zu2, zu2, zf2, null, p2);
        Tensor zu = ((zu1 + zu2) / 2).DetachFromDisposeScope(), zf = ((zf1 + zf2) / 2).DetachFromDisposeScope();
        var image = new ImageOutput(new MaskingResult(none, none, none), hf.unsqueeze(1).DetachFromDisposeScope(), hf, hf);
        var output = new CrossVideoMaeOutput(view1, view2, image, zu, zf);
        var batch = new CrossVideoMaeBatch(v1, v2, hf, none);

        using var dir = new TempDir();
        Reference.Save(dir.File("in.safetensors"), new Dictionary<string, Tensor>
        {
            ["zu1"] = zu1, ["zu2"] = zu2, ["zf1"] = zf1, ["zf2"] = zf2, ["h"] = hf,
            ["v1"] = v1, ["v2"] = v2, ["p1"] = p1, ["p2"] = p2, ["m1"] = m1, ["m2"] = m2,
        });
        var expected = Reference.RunJson(dir, """
            import json, st, torch
            import cvmae_reference as R
            t = st.load("in.safetensors")
            tau = 0.1
            zu = (t["zu1"] + t["zu2"]) / 2
            zf = (t["zf1"] + t["zf2"]) / 2
            out = {}
            for sym in (False, True):
                k = "sym_" if sym else ""
                out[k + "Lu"] = R.contrastive(t["zu1"], t["zu2"], tau, sym).item()
                out[k + "Lf"] = R.contrastive(t["zf1"], t["zf2"], tau, sym).item()
                out[k + "Cu"] = R.contrastive(zu, t["h"], tau, sym).item()
                out[k + "Cf"] = R.contrastive(zf, t["h"], tau, sym).item()
            # L_intra as printed: (1/2N) sum_i (L_u(i) + L_f(i)), same for L_cross
            n = t["zu1"].shape[0]
            out["intra"] = ((R.printed(t["zu1"], t["zu2"], tau) + R.printed(t["zf1"], t["zf2"], tau)).sum() / (2 * n)).item()
            out["cross"] = ((R.printed(zu, t["h"], tau) + R.printed(zf, t["h"], tau)).sum() / (2 * n)).item()
            for norm in (False, True):
                k = "norm_" if norm else "raw_"
                out[k + "rl1"] = R.reconstruction(t["p1"], t["v1"], t["m1"], 2, 16, norm).item()
                out[k + "rl2"] = R.reconstruction(t["p2"], t["v2"], t["m2"], 2, 16, norm).item()
            out["mse"] = R.decoder_mse(t["p1"], t["p2"]).item()
            out["Lu_tau05"] = R.contrastive(t["zu1"], t["zu2"], 0.5, False).item()
            print(json.dumps(out))
            """);
        return new Fixture(output, batch, expected);
    }

    private static LossTerms Terms(LossConfig config) => new CrossVideoMaeLoss(config, Geometry).Compute(Shared.Value.Output, Shared.Value.Batch);

    private static void Near(double expected, Tensor? actual, double tol = 1e-9)
    {
        Assert.NotNull(actual);
        Assert.InRange(actual!.item(), expected - tol * Math.Max(1, Math.Abs(expected)), expected + tol * Math.Max(1, Math.Abs(expected)));
    }

    [Fact]
    public void Default_objective_matches_the_printed_formulas()
    {
        using var scope = torch.NewDisposeScope();
        var x = Shared.Value.Expected;
        LossTerms t = Terms(LossConfig.Default);
        Near(x["Lu"], t.IntraVideo);
        Near(x["Lf"], t.IntraFrame);
        Near(x["Cu"], t.CrossVideo);
        Near(x["Cf"], t.CrossFrame);
        Near(x["intra"], t.Intra);
        Near(x["cross"], t.Cross);
        Near(x["norm_rl1"], t.ReconstructionView1);
        Near(x["norm_rl2"], t.ReconstructionView2);
        Near((x["norm_rl1"] + x["norm_rl2"]) / 2, t.Reconstruction);
        Near(x["mse"], t.DecoderMse);
        Near(x["intra"] + x["cross"] + (x["norm_rl1"] + x["norm_rl2"]) / 2 + x["mse"], t.Total);
        Assert.Equal(["total", "intra", "intra_video", "intra_frame", "cross", "cross_video", "cross_frame", "rl", "rl_view1", "rl_view2", "mse"],
            t.Named().Select(n => n.Name));
    }

    [Fact]
    public void Symmetric_option_averages_both_directions()
    {
        using var scope = torch.NewDisposeScope();
        var x = Shared.Value.Expected;
        LossTerms t = Terms(LossConfig.Default with { Symmetric = true });
        Near(x["sym_Lu"], t.IntraVideo);
        Near(x["sym_Lf"], t.IntraFrame);
        Near(x["sym_Cu"], t.CrossVideo);
        Near(x["sym_Cf"], t.CrossFrame);
        Near((x["sym_Lu"] + x["sym_Lf"]) / 2, t.Intra);
        Assert.NotEqual(x["Lu"], x["sym_Lu"], 6);
    }

    [Fact]
    public void Switches_leave_out_exactly_their_terms()
    {
        using var scope = torch.NewDisposeScope();
        var x = Shared.Value.Expected;
        double rl = (x["norm_rl1"] + x["norm_rl2"]) / 2;

        LossTerms intraOnly = Terms(LossConfig.IntraOnly);
        Assert.Null(intraOnly.Cross);
        Near(x["intra"] + rl + x["mse"], intraOnly.Total);

        LossTerms crossOnly = Terms(LossConfig.CrossOnly);
        Assert.Null(crossOnly.Intra);
        Near(x["cross"] + rl + x["mse"], crossOnly.Total);

        LossTerms videoOnly = Terms(LossConfig.VideoLevelOnly);
        Assert.Null(videoOnly.IntraFrame);
        Assert.Null(videoOnly.CrossFrame);
        Near(x["Lu"] + x["Cu"] + rl + x["mse"], videoOnly.Total);

        LossTerms frameOnly = Terms(LossConfig.FrameLevelOnly);
        Assert.Null(frameOnly.IntraVideo);
        Near(x["Lf"] + x["Cf"] + rl + x["mse"], frameOnly.Total);

        LossTerms recOnly = Terms(LossConfig.ReconstructionOnly);
        Assert.Equal(["total", "rl", "rl_view1", "rl_view2"], recOnly.Named().Select(n => n.Name));
        Near(rl, recOnly.Total);

        LossTerms scaled = Terms(LossConfig.Default with { LambdaC = 0.5, NormPixLoss = false, Temperature = 0.5, FrameLevel = false, DecoderMse = false });
        Near(x["Lu_tau05"], scaled.IntraVideo);
        Near(x["raw_rl1"], scaled.ReconstructionView1);
        Near(x["raw_rl2"], scaled.ReconstructionView2);
    }

    [Fact]
    public void Contrastive_denominator_excludes_self_similarity_only_on_the_anchor_side()
    {
        // Hand check with N = 2, tau = 1: a = [e1, e2], b = [e1, e1].
        // l(0) = -log(e^1 / (e^0 + e^1 + e^1)), l(1) = -log(e^0 / (e^0 + e^0 + e^0)) = log 3.
        using var scope = torch.NewDisposeScope();
        Tensor a = torch.tensor(new double[] { 1, 0, 0, 1 }, 2, 2), b = torch.tensor(new double[] { 1, 0, 1, 0 }, 2, 2);
        double[] l = PrintedInfoNce.PerSample(a, b, 1.0).ToArray<double>();
        Assert.Equal(-Math.Log(Math.E / (1 + 2 * Math.E)), l[0], 12);
        Assert.Equal(Math.Log(3), l[1], 12);
    }

    [Fact]
    public void Invalid_configurations_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new LossConfig { Intra = false, Cross = false, Reconstruction = false, DecoderMse = false }.Validate());
        Assert.Throws<ArgumentException>(() => new LossConfig { VideoLevel = false, FrameLevel = false }.Validate());
        Assert.Throws<ArgumentException>(() => new LossConfig { Temperature = 0 }.Validate());
    }
}
