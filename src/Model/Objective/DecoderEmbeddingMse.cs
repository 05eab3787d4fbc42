using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Objective;

/// <summary>L_mse (Eq. 8-9): the mean over tokens and channels (and the batch) of (e_u(f_d,1) - e_u(f_d,2))^2.</summary>
public static class DecoderEmbeddingMse
{
    /// <summary>prediction1, prediction2: [B, L, P] -> scalar.</summary>
    public static Tensor Compute(Tensor prediction1, Tensor prediction2)
    {
        if (!prediction1.shape.SequenceEqual(prediction2.shape))
            throw new ArgumentException("the two views' decoder embeddings differ in shape");
        using var scope = torch.NewDisposeScope();
        Tensor diff = Precision.AtLeastFloat32(prediction1) - Precision.AtLeastFloat32(prediction2);
        return scope.MoveToOuter(diff.square().mean());
    }
}
