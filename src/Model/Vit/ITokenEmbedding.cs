using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Vit;

/// <summary>Turns an input (image or clip) into a token sequence; both expose the convolution as <c>proj</c>.</summary>
public interface ITokenEmbedding
{
    /// <summary>The token grid an input of this shape produces; throws naming the problem if the shape does not fit.</summary>
    TokenGrid GridOf(long[] inputShape);

    /// <summary>[B, C, (T,) H, W] -> [B, L, D].</summary>
    Tensor forward(Tensor x);
}
