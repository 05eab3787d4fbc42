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
    public static Tensor PerSample(Tensor a, Tensor b, double tau) => PerSample(a, b, tau, gather: null);

    /// <summary>
    /// a, b: this rank's [n, E] -> l(i) of its n anchors: [n]. With <paramref name="gather"/> the sums
    /// over k run over the global batch [W*n, E] (this rank's rows at Rank x n); without it, over the n rows.
    /// </summary>
    public static Tensor PerSample(Tensor a, Tensor b, double tau, BatchGather? gather)
    {
        if (a.dim() != 2 || !a.shape.SequenceEqual(b.shape))
            throw new ArgumentException($"contrastive inputs must both be [N, E], got [{string.Join(", ", a.shape)}] and [{string.Join(", ", b.shape)}]");
        long n = a.size(0);
        using var scope = torch.NewDisposeScope();
        // Similarities divided by a small tau need more than 16-bit precision (autocast may hand us bf16).
        Tensor aAll = functional.normalize(Precision.AtLeastFloat32(a), dim: 1), bAll = functional.normalize(Precision.AtLeastFloat32(b), dim: 1);
        long offset = 0;
        if (gather is { WorldSize: > 1 })
        {
            aAll = gather.Gather(aAll);                                                   // [W*n, E]
            bAll = gather.Gather(bAll);                                                   // [W*n, E]
            offset = gather.Rank * n;
        }
        // The anchors are this rank's rows of the gathered batch, so every gradient reaches them through the gather.
        Tensor an = offset == 0 && aAll.size(0) == n ? aAll : aAll.narrow(0, offset, n);   // [n, E]
        Tensor bn = offset == 0 && bAll.size(0) == n ? bAll : bAll.narrow(0, offset, n);   // [n, E]
        Tensor ab = an.matmul(bAll.t()) / tau;                                            // [n, N] s(a_i, b_k)/tau
        Tensor aa = an.matmul(aAll.t()) / tau;                                            // [n, N] s(a_i, a_k)/tau
        Tensor rows = torch.arange(n, device: a.device) + offset;                         // [n] global index of anchor i
        Tensor cols = torch.arange(aAll.size(0), device: a.device);                       // [N]
        Tensor eye = rows.unsqueeze(1).eq(cols.unsqueeze(0));                             // [n, N] bool, k == i
        Tensor aaOthers = aa.masked_fill(eye, double.NegativeInfinity);                   // k = i left out
        Tensor logDenominator = torch.cat([aaOthers, ab], 1).logsumexp(1);               // [n]
        Tensor positive = (an * bn).sum(1) / tau;                                         // [n] s(a_i, b_i)/tau
        return scope.MoveToOuter(logDenominator - positive);
    }

    /// <summary>Mean over i of l(i); with <paramref name="symmetric"/>, the mean of both directions (a->b and b->a).
    /// With <paramref name="gather"/>, the mean over this rank's anchors against the global batch.</summary>
    public static Tensor Mean(Tensor a, Tensor b, double tau, bool symmetric, BatchGather? gather = null)
    {
        using var scope = torch.NewDisposeScope();
        Tensor forward = PerSample(a, b, tau, gather).mean();
        if (!symmetric) return scope.MoveToOuter(forward);
        Tensor backward = PerSample(b, a, tau, gather).mean();
        return scope.MoveToOuter((forward + backward) / 2);
    }
}
