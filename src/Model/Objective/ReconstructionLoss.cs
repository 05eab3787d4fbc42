using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Objective;

/// <summary>
/// The reconstruction loss of one view (Eq. 10, MAE's forward_loss): the target is the view's
/// own pixels cut into tubelets ([B, L, u*p*p*C]); with norm_pix each target token is normalised
/// by its mean and (unbiased) variance, (x - mean) / sqrt(var + 1e-6); the squared error is
/// averaged over each token's values, then over the hidden tokens only.
/// </summary>
public static class ReconstructionLoss
{
    public const double NormPixEps = 1e-6;

    /// <summary>prediction [B, L, P]; video [B, C, T, H, W]; mask [B, L] (1 = hidden). Returns a scalar.</summary>
    public static Tensor Compute(Tensor prediction, Tensor video, Tensor mask, int tubelet, int patch, bool normPix)
    {
        using var scope = torch.NewDisposeScope();
        Tensor target = Patchify.Video(Precision.AtLeastFloat32(video), tubelet, patch);    // [B, L, P]
        prediction = Precision.AtLeastFloat32(prediction);
        if (!target.shape.SequenceEqual(prediction.shape))
            throw new ArgumentException($"prediction [{string.Join(", ", prediction.shape)}] does not match the target [{string.Join(", ", target.shape)}]");
        if (normPix)
        {
            Tensor mean = target.mean(-1, keepdim: true);                                    // [B, L, 1]
            Tensor var = target.var(-1, unbiased: true, keepdim: true);                      // [B, L, 1]
            target = (target - mean) / (var + NormPixEps).sqrt();
        }
        Tensor perToken = (prediction - target).square().mean(-1);                          // [B, L]
        Tensor m = mask.to(perToken.dtype);
        return scope.MoveToOuter((perToken * m).sum() / m.sum());
    }
}
