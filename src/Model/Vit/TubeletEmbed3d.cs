using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.NN;

namespace CrossVideoMAE.Model.Vit;

/// <summary>Clip to tokens: a tubelet x patch x patch Conv3d with equal stride (<c>patch_embed.proj</c>).</summary>
public sealed class TubeletEmbed3d : Module, ITokenEmbedding
{
    public int TubeletSize { get; }
    public int PatchSize { get; }
    public int InChannels { get; }
    public Conv3d proj { get; }

    public TubeletEmbed3d(int inChannels, long embedDim, int tubeletSize, int patchSize)
    {
        TubeletSize = tubeletSize;
        PatchSize = patchSize;
        InChannels = inChannels;
        long[] k = [tubeletSize, patchSize, patchSize];
        proj = register_module("proj", new Conv3d(inChannels, embedDim, k, k));
    }

    public TokenGrid GridOf(long[] inputShape)
    {
        if (inputShape.Length != 5 || inputShape[1] != InChannels)
            throw new ArgumentException($"video encoder input must be [B, {InChannels}, T, H, W], got [{string.Join(", ", inputShape)}]");
        if (inputShape[2] % TubeletSize != 0)
            throw new ArgumentException($"{inputShape[2]} frames are not divisible by the tubelet size {TubeletSize}");
        if (inputShape[3] % PatchSize != 0 || inputShape[4] % PatchSize != 0)
            throw new ArgumentException($"frame size {inputShape[3]}x{inputShape[4]} is not divisible by the patch size {PatchSize}");
        return new TokenGrid(inputShape[2] / TubeletSize, inputShape[3] / PatchSize, inputShape[4] / PatchSize);
    }

    // x: [B, C, T, H, W] -> [B, T/t * H/p * W/p, D], tokens in (t, h, w) order
    public Tensor forward(Tensor x)
    {
        GridOf(x.shape);
        using var scope = torch.NewDisposeScope();
        Tensor y = proj.forward(x);                        // [B, D, T', H', W']
        return scope.MoveToOuter(y.flatten(2).transpose(1, 2)); // [B, L, D]
    }
}
