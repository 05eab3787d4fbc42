using System.Text.Json;
using System.Text.Json.Serialization;
using CrossVideoMAE.Model.Objective;
using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.IO;
using CrossVideoMAE.Torch.NN;

namespace CrossVideoMAE.Model.Diagnostics;

/// <summary>
/// One forward and backward pass of CrossVideoMAE on a deterministic random batch, with every
/// intermediate recorded, so another implementation (or PyTorch) can check it step by step.
/// Weights come from <c>seed</c>, the batch (<see cref="SyntheticBatch"/>) from <c>seed + 1</c>,
/// the masks from <c>seed + 2</c>.
/// </summary>
public static class StepInspection
{
    /// <summary>Keys of the recorded tensors:
    /// param/{state-dict name}; input/view1, input/view2, input/frames, input/frame_indices;
    /// mask/{view1,view2,frames}, ids_keep/{...}, ids_restore/{...};
    /// embedding/{z_u1, z_u2, z_f1, z_f2, z_u, z_f, h_u, h_f};
    /// prediction/{view1, view2} (e_u(f_d,t), [B, L, P]); loss/{term} (see <see cref="LossTerms.Named"/>);
    /// grad_norm/{parameter name} (L2 norm of its gradient, 0 when it got none).</summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, double> Losses) Run(
        ModelConfig config, LossConfig lossConfig, ulong seed, int batchSize, int framesPerSample)
    {
        if (batchSize < 2) throw new ArgumentException("the contrastive terms need a batch of at least 2");
        if (framesPerSample < 1) throw new ArgumentException("at least one sampled frame per clip");

        using var model = new CrossVideoMAE(config, seed);
        var loss = new CrossVideoMaeLoss(lossConfig, config);
        CrossVideoMaeBatch batch = SyntheticBatch.Make(config, batchSize, framesPerSample, seed + 1);
        using var maskGenerator = new Generator(seed + 2);

        CrossVideoMaeOutput o = model.forward(batch, maskGenerator, ForwardParts.All);
        LossTerms terms = loss.Compute(o, batch);
        terms.Total.backward();

        var t = new Dictionary<string, Tensor>();
        foreach (var (name, value) in model.state_dict()) t[$"param/{name}"] = value.detach();
        t["input/view1"] = batch.View1;
        t["input/view2"] = batch.View2;
        t["input/frames"] = batch.Frames;
        t["input/frame_indices"] = batch.FrameIndices;
        Record(t, "view1", o.View1.Masking);
        Record(t, "view2", o.View2.Masking);
        Record(t, "frames", o.Image!.Masking);
        t["embedding/z_u1"] = o.View1.ZVideo.detach();
        t["embedding/z_u2"] = o.View2.ZVideo.detach();
        t["embedding/z_f1"] = o.View1.ZFrame.detach();
        t["embedding/z_f2"] = o.View2.ZFrame.detach();
        t["embedding/z_u"] = o.ZVideo.detach();
        t["embedding/z_f"] = o.ZFrame.detach();
        t["embedding/h_u"] = o.Image.HVideo.detach();
        t["embedding/h_f"] = o.Image.HFrame.detach();
        t["prediction/view1"] = o.View1.Prediction!.detach();
        t["prediction/view2"] = o.View2.Prediction!.detach();
        foreach (var (name, value) in terms.Named()) t[$"loss/{name}"] = value.detach();
        foreach (var (name, p) in model.named_parameters())
        {
            using Tensor? g = p.grad;
            t[$"grad_norm/{name}"] = g is null ? torch.zeros([]) : g.norm();
        }
        return (t, terms.ToScalars());
    }

    /// <summary>Runs the step and writes <paramref name="path"/> (safetensors) plus <c>{path}.json</c> naming the config.</summary>
    public static Dictionary<string, double> Write(string path, ModelConfig config, LossConfig lossConfig, ulong seed, int batchSize, int framesPerSample)
    {
        using var scope = torch.NewDisposeScope();
        var (tensors, losses) = Run(config, lossConfig, seed, batchSize, framesPerSample);
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["config"] = config.Name, ["seed"] = seed.ToString() });
        var sidecar = new
        {
            config = config.Name,
            seed,
            batch_size = batchSize,
            frames_per_sample = framesPerSample,
            model_config = config,
            loss_config = lossConfig,
            losses,
            tensor_count = tensors.Count,
        };
        var json = new JsonSerializerOptions { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };
        File.WriteAllText(path + ".json", JsonSerializer.Serialize(sidecar, json));
        return losses;
    }

    private static void Record(Dictionary<string, Tensor> t, string key, Masking.MaskingResult m)
    {
        t[$"mask/{key}"] = m.Mask;
        t[$"ids_keep/{key}"] = m.IdsKeep;
        t[$"ids_restore/{key}"] = m.IdsRestore;
    }
}
