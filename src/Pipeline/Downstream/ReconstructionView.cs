using CrossVideoMAE.Model;
using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Pipeline.Downstream;

/// <summary>One clip's panels for the reconstruction figure, all [C, T, H, W] in normalised pixel space.</summary>
public sealed record ReconstructionPanels(Tensor Original, Tensor Masked, Tensor Reconstruction, Tensor AttentionReceived) : IDisposable
{
    public void Dispose()
    {
        Original.Dispose();
        Masked.Dispose();
        Reconstruction.Dispose();
        AttentionReceived.Dispose();
    }
}

/// <summary>
/// The paper's Figure 1 for a CrossVideoMAE model: the clip, the masked input the encoder sees
/// (hidden tubelets blanked), and the decoder's reconstruction. The model predicts per-token
/// normalised pixels (norm_pix); as in MAE's visualisation, each predicted token is un-normalised
/// with the mean and variance of that token's own target pixels; visible tokens show the input.
/// The attention panel is the last encoder block's attention received per token (all tokens, no mask).
/// </summary>
public static class ReconstructionView
{
    /// <param name="video">[B, C, T, H, W] normalised clips</param>
    public static IReadOnlyList<ReconstructionPanels> Build(CrossVideoMAE.Model.CrossVideoMAE model, Tensor video, Generator maskGenerator, bool normPix = true)
    {
        ModelConfig c = model.Config;
        long b = video.size(0);
        var result = new List<ReconstructionPanels>();
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        model.eval();
        using Tensor frameIndices = torch.zeros([b, 1], ScalarType.Int64, video.device);
        var view = model.forward_video_view(video, frameIndices, maskGenerator, withDecoder: true);
        Tensor mask = view.Masking.Mask.unsqueeze(-1);                                      // [B, L, 1], 1 = hidden
        Tensor target = Patchify.Video(video, c.TubeletSize, c.PatchSize);                   // [B, L, P]
        Tensor prediction = view.Prediction!.to(ScalarType.Float32);                         // [B, L, P]
        if (normPix)
        {
            Tensor mean = target.mean(-1, keepdim: true);                                    // [B, L, 1]
            Tensor var = target.var(-1, unbiased: true, keepdim: true);
            prediction = prediction * (var + 1e-6).sqrt() + mean;
        }
        Tensor masked = target * (1 - mask);                                                 // hidden -> 0 (the normalised mean colour)
        Tensor pasted = target * (1 - mask) + prediction * mask;
        Tensor maskedVideo = Patchify.Unvideo(masked, c.VideoGrid, c.TubeletSize, c.PatchSize, c.InChannels);   // [B, C, T, H, W]
        Tensor reconVideo = Patchify.Unvideo(pasted, c.VideoGrid, c.TubeletSize, c.PatchSize, c.InChannels);
        Tensor received = LastBlockAttention.Received(model.video_encoder, video);         // [B, L]
        Tensor attention = received.reshape(b, c.VideoGrid.T, c.VideoGrid.H, c.VideoGrid.W); // [B, T', H', W']
        for (int i = 0; i < b; i++)
            result.Add(new ReconstructionPanels(
                video.select(0, i).cpu().DetachFromDisposeScope(), maskedVideo.select(0, i).cpu().DetachFromDisposeScope(),
                reconVideo.select(0, i).cpu().DetachFromDisposeScope(), attention.select(0, i).cpu().DetachFromDisposeScope()));
        view.Masking.Dispose();
        return result;
    }
}
