using System.Text.Json;
using CrossVideoMAE.Model.Diagnostics;
using CrossVideoMAE.Model.Objective;
using CrossVideoMAE.TestSupport;
using CrossVideoMAE.Torch;
using Xunit;

namespace CrossVideoMAE.Model.Tests;

public class StepInspectionTests
{
    [Fact]
    public void Recorded_step_is_self_consistent_in_pytorch_and_repeatable()
    {
        using var dir = new TempDir();
        ModelConfig c = TinySetup.Config();
        string file = dir.File("step.safetensors");
        var losses = StepInspection.Write(file, c, LossConfig.Default, seed: 7, batchSize: 3, framesPerSample: 2);

        using var sidecar = JsonDocument.Parse(File.ReadAllText(file + ".json"));
        Assert.Equal("tiny", sidecar.RootElement.GetProperty("config").GetString());
        Assert.Equal(7ul, sidecar.RootElement.GetProperty("seed").GetUInt64());
        Assert.Equal(192, sidecar.RootElement.GetProperty("model_config").GetProperty("VideoEncoder").GetProperty("EmbedDim").GetInt32());

        // PyTorch recomputes every loss term from the recorded embeddings, predictions, inputs and masks.
        var r = Reference.RunJson(dir, """
            import json, st, torch
            import cvmae_reference as R
            t = st.load("step.safetensors")
            e = lambda k: t["embedding/" + k]
            tau = 0.1
            Lu, Lf = R.contrastive(e("z_u1"), e("z_u2"), tau, False), R.contrastive(e("z_f1"), e("z_f2"), tau, False)
            Cu, Cf = R.contrastive(e("z_u"), e("h_u"), tau, False), R.contrastive(e("z_f"), e("h_f"), tau, False)
            rl1 = R.reconstruction(t["prediction/view1"], t["input/view1"], t["mask/view1"], 2, 16, True)
            rl2 = R.reconstruction(t["prediction/view2"], t["input/view2"], t["mask/view2"], 2, 16, True)
            mse = R.decoder_mse(t["prediction/view1"], t["prediction/view2"])
            total = (Lu + Lf) / 2 + (Cu + Cf) / 2 + (rl1 + rl2) / 2 + mse
            out = {k: abs(v.item() - t["loss/" + k].item()) for k, v in
                   {"intra_video": Lu, "intra_frame": Lf, "cross_video": Cu, "cross_frame": Cf,
                    "rl_view1": rl1, "rl_view2": rl2, "mse": mse, "total": total}.items()}
            out["z_u_is_view_mean"] = (e("z_u") - (e("z_u1") + e("z_u2")) / 2).abs().max().item()
            # the sampled frames are view 1's frames at the recorded indices
            v1, idx, fr = t["input/view1"], t["input/frame_indices"], t["input/frames"]
            out["frames"] = max((fr[i, j] - v1[i, :, idx[i, j]]).abs().max().item() for i in range(3) for j in range(2))
            g = {k[10:]: v.item() for k, v in t.items() if k.startswith("grad_norm/")}
            out["params"] = len([k for k in t if k.startswith("param/")])
            out["grad_entries"] = len(g)
            out["min_image_grad"] = min(v for k, v in g.items() if k.startswith("image_encoder.blocks"))
            out["min_decoder_grad"] = min(v for k, v in g.items() if k.startswith("decoder.decoder_blocks"))
            print(json.dumps(out))
            """);
        foreach (string k in new[] { "intra_video", "intra_frame", "cross_video", "cross_frame", "rl_view1", "rl_view2", "mse", "total", "z_u_is_view_mean", "frames" })
            Assert.True(r[k] < 1e-5, $"{k}: difference {r[k]}");
        using (var model = new CrossVideoMAE(c))
        {
            Assert.Equal(model.state_dict().Count, (int)r["params"]);
            Assert.Equal(model.named_parameters().Count(), (int)r["grad_entries"]);
        }
        Assert.True(r["min_image_grad"] > 0);
        Assert.True(r["min_decoder_grad"] > 0);

        var again = StepInspection.Write(dir.File("again.safetensors"), c, LossConfig.Default, seed: 7, batchSize: 3, framesPerSample: 2);
        Assert.Equal(losses, again);
    }
}
