using static CrossVideoMAE.Torch.torch.nn;

namespace CrossVideoMAE.Torch.NN;

/// <summary>y = x Wᵀ + b, weight [out, in]. Initialised as PyTorch's default unless re-initialised.</summary>
public sealed class Linear : Module
{
    public Parameter weight { get; }
    public Parameter? bias { get; }

    public Linear(long inFeatures, long outFeatures, bool hasBias = true, Generator? generator = null)
    {
        double bound = 1.0 / Math.Sqrt(inFeatures);
        weight = register_parameter("weight", torch.empty([outFeatures, inFeatures]).uniform_(-bound, bound, generator));
        if (hasBias) bias = register_parameter("bias", torch.empty([outFeatures]).uniform_(-bound, bound, generator));
    }

    // x: [..., in] -> [..., out]
    public Tensor forward(Tensor x) => functional.linear(x, weight, bias);
}

/// <summary>LayerNorm over the last dimensions with affine weight and bias.</summary>
public sealed class LayerNorm : Module
{
    private readonly long[] normalizedShape;
    public double Eps { get; }
    public Parameter weight { get; }
    public Parameter bias { get; }

    public LayerNorm(long dim, double eps = 1e-5)
    {
        normalizedShape = [dim];
        Eps = eps;
        weight = register_parameter("weight", torch.ones([dim]));
        bias = register_parameter("bias", torch.zeros([dim]));
    }

    public Tensor forward(Tensor x) => functional.layer_norm(x, normalizedShape, weight, bias, Eps);
}

/// <summary>Dropout that is active only in training mode.</summary>
public sealed class Dropout(double p = 0.5) : Module
{
    public double P { get; } = p;
    public Tensor forward(Tensor x) => P == 0 || !training ? x.alias() : functional.dropout(x, P, true);
}

/// <summary>3-D convolution, weight [out, in, kt, kh, kw].</summary>
public sealed class Conv3d : Module
{
    private readonly long[] stride;
    public Parameter weight { get; }
    public Parameter? bias { get; }

    public Conv3d(long inChannels, long outChannels, long[] kernel, long[]? stride = null, bool hasBias = true, Generator? generator = null)
    {
        this.stride = stride ?? [1, 1, 1];
        double bound = 1.0 / Math.Sqrt(inChannels * kernel[0] * kernel[1] * kernel[2]);
        weight = register_parameter("weight", torch.empty([outChannels, inChannels, kernel[0], kernel[1], kernel[2]]).uniform_(-bound, bound, generator));
        if (hasBias) bias = register_parameter("bias", torch.empty([outChannels]).uniform_(-bound, bound, generator));
    }

    // x: [B, C, T, H, W] -> [B, out, T', H', W']
    public Tensor forward(Tensor x) => functional.conv3d(x, weight, bias, stride);
}

/// <summary>2-D convolution, weight [out, in, kh, kw].</summary>
public sealed class Conv2d : Module
{
    private readonly long[] stride;
    public Parameter weight { get; }
    public Parameter? bias { get; }

    public Conv2d(long inChannels, long outChannels, long[] kernel, long[]? stride = null, bool hasBias = true, Generator? generator = null)
    {
        this.stride = stride ?? [1, 1];
        double bound = 1.0 / Math.Sqrt(inChannels * kernel[0] * kernel[1]);
        weight = register_parameter("weight", torch.empty([outChannels, inChannels, kernel[0], kernel[1]]).uniform_(-bound, bound, generator));
        if (hasBias) bias = register_parameter("bias", torch.empty([outChannels]).uniform_(-bound, bound, generator));
    }

    // x: [B, C, H, W] -> [B, out, H', W']
    public Tensor forward(Tensor x) => functional.conv2d(x, weight, bias, stride);
}
