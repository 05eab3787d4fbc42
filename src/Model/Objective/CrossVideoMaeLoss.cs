using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Objective;

/// <summary>
/// The CrossVideoMAE objective (Eq. 11): L = lambda_c * (L_intra + L_cross) + L_rl + L_mse, each
/// term switchable through <see cref="LossConfig"/>; returns every term, not only the total.
/// </summary>
public sealed class CrossVideoMaeLoss
{
    public LossConfig Config { get; }
    private readonly int tubelet, patch;

    public CrossVideoMaeLoss(LossConfig config, ModelConfig model)
    {
        Config = config.Validate();
        tubelet = model.TubeletSize;
        patch = model.PatchSize;
    }

    /// <summary>The model parts a forward pass must compute for this objective.</summary>
    public ForwardParts RequiredParts => Config.RequiredParts();

    /// <summary>Every term for one batch. With <paramref name="gather"/> (data-parallel ranks) the contrastive
    /// terms compare this rank's anchors with the global batch (<see cref="BatchGather"/>).</summary>
    public LossTerms Compute(CrossVideoMaeOutput output, CrossVideoMaeBatch batch, BatchGather? gather = null)
    {
        LossConfig c = Config;
        bool u = c.VideoLevel, f = c.FrameLevel;
        var parts = new List<Tensor>();

        Tensor? intra = null, intraU = null, intraF = null;
        if (c.Intra)
        {
            (intra, intraU, intraF) = IntraModalLoss.Compute(
                u ? output.View1.ZVideo : null, u ? output.View2.ZVideo : null,
                f ? output.View1.ZFrame : null, f ? output.View2.ZFrame : null, c.Temperature, c.Symmetric, gather);
            parts.Add(intra * c.LambdaC);
        }

        Tensor? cross = null, crossU = null, crossF = null;
        if (c.Cross)
        {
            ImageOutput image = output.Image ?? throw new ArgumentException("L_cross is on but the forward pass computed no image embeddings (ForwardParts.Image)");
            (cross, crossU, crossF) = CrossModalLoss.Compute(
                u ? output.ZVideo : null, u ? image.HVideo : null,
                f ? output.ZFrame : null, f ? image.HFrame : null, c.Temperature, c.Symmetric, gather);
            parts.Add(cross * c.LambdaC);
        }

        Tensor? rl = null, rl1 = null, rl2 = null;
        if (c.Reconstruction)
        {
            rl1 = ReconstructionLoss.Compute(Prediction(output.View1), batch.View1, output.View1.Masking.Mask, tubelet, patch, c.NormPixLoss);
            rl2 = ReconstructionLoss.Compute(Prediction(output.View2), batch.View2, output.View2.Masking.Mask, tubelet, patch, c.NormPixLoss);
            rl = (rl1 + rl2) / 2;
            parts.Add(rl);
        }

        Tensor? mse = null;
        if (c.DecoderMse)
        {
            mse = DecoderEmbeddingMse.Compute(Prediction(output.View1), Prediction(output.View2));
            parts.Add(mse);
        }

        Tensor total = parts[0].alias();
        for (int i = 1; i < parts.Count; i++) total = total + parts[i];
        return new LossTerms(total, intra, intraU, intraF, cross, crossU, crossF, rl, rl1, rl2, mse);
    }

    private static Tensor Prediction(VideoViewOutput view) =>
        view.Prediction ?? throw new ArgumentException("a decoder term is on but the forward pass ran no decoder (ForwardParts.Decoder)");
}
