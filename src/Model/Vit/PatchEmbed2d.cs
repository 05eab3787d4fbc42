using CrossVideoMAE.Torch;
using CrossVideoMAE.Torch.NN;

namespace CrossVideoMAE.Model.Vit;

/// <summary>Image to tokens: a patch x patch Conv2d with stride patch (<c>patch_embed.proj</c>).</summary>
public sealed class PatchEmbed2d : Module, ITokenEmbedding
{
    public int PatchSize { get; }
    public int InChannels { get; }
    public Conv2d proj { get; }

    public PatchEmbed2d(int inChannels, long embedDim, int patchSize)
    {
        PatchSize = patchSize;
        InChannels = inChannels;
        proj = register_module("proj", new Conv2d(inChannels, embedDim, [patchSize, patchSize], [patchSize, patchSize]));
    }

    public TokenGrid GridOf(long[] inputShape)
    {
        if (inputShape.Length != 4 || inputShape[1] != InChannels)
            throw new ArgumentException($"image encoder input must be [B, {InChannels}, H, W], got [{string.Join(", ", inputShape)}]");
        if (inputShape[2] % PatchSize != 0 || inputShape[3] % PatchSize != 0)
            throw new ArgumentException($"image size {inputShape[2]}x{inputShape[3]} is not divisible by the patch size {PatchSize}");
        return TokenGrid.Image(inputShape[2] / PatchSize, inputShape[3] / PatchSize);
    }

    // x: [B, C, H, W] -> [B, H/p * W/p, D], tokens in (h, w) order
    public Tensor forward(Tensor x)
    {
        GridOf(x.shape);
        using var scope = torch.NewDisposeScope();
        Tensor y = proj.forward(x);                        // [B, D, H', W']
        return scope.MoveToOuter(y.flatten(2).transpose(1, 2)); // [B, L, D]
    }
}
