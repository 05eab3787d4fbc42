using CrossVideoMAE.Torch;
using static CrossVideoMAE.Torch.torch.nn;

namespace CrossVideoMAE.Model.Objective;

/// <summary>
/// The contrastive form printed in the paper (Eq. 1-3 and 5-7), for anchors a and positives b, N x E:
///   l(i) = -log( exp(s(a_i,b_i)/tau) / ( sum_{k != i} exp(s(a_i,a_k)/tau) + sum_k exp(s(a_i,b_k)/tau) ) )
/// with s the cosine similarity: the anchor's own modality/view excludes k = i, the other includes it.
/// </summary>
public static class PrintedInfoNce
{
    /// <summary>a, b: [N, E] -> l(i): [N].</summary>
    public static Tensor PerSample(Tensor a, Tensor b, double tau)
    {
        if (a.dim() != 2 || !a.shape.SequenceEqual(b.shape))
            throw new ArgumentException($"contrastive inputs must both be [N, E], got [{string.Join(", ", a.shape)}] and [{string.Join(", ", b.shape)}]");
        long n = a.size(0);
        using var scope = torch.NewDisposeScope();
        // Similarities divided by a small tau need more than 16-bit precision (autocast may hand us bf16).
        Tensor an = functional.normalize(Precision.AtLeastFloat32(a), dim: 1), bn = functional.normalize(Precision.AtLeastFloat32(b), dim: 1);
        Tensor ab = an.matmul(bn.t()) / tau;                                              // [N, N] s(a_i, b_k)/tau
        Tensor aa = an.matmul(an.t()) / tau;                                              // [N, N] s(a_i, a_k)/tau
        Tensor idx = torch.arange(n, device: a.device);
        Tensor eye = idx.unsqueeze(0).eq(idx.unsqueeze(1));                              // [N, N] bool, k == i
        Tensor aaOthers = aa.masked_fill(eye, double.NegativeInfinity);                   // k = i left out
        Tensor logDenominator = torch.cat([aaOthers, ab], 1).logsumexp(1);               // [N]
        Tensor positive = (an * bn).sum(1) / tau;                                         // [N] s(a_i, b_i)/tau
        return scope.MoveToOuter(logDenominator - positive);
    }

    /// <summary>Mean over i of l(i); with <paramref name="symmetric"/>, the mean of both directions (a->b and b->a).</summary>
    public static Tensor Mean(Tensor a, Tensor b, double tau, bool symmetric)
    {
        using var scope = torch.NewDisposeScope();
        Tensor forward = PerSample(a, b, tau).mean();
        if (!symmetric) return scope.MoveToOuter(forward);
        Tensor backward = PerSample(b, a, tau).mean();
        return scope.MoveToOuter((forward + backward) / 2);
    }
}
