using CrossVideoMAE.Torch;
using CrossVideoMAE.Stages.Augment.Native;

namespace CrossVideoMAE.Stages.Augment;

/// <summary>The mixing drawn for one batch. Lambda is the weight of each sample's own content
/// (1: no mixing); for cutmix it is already corrected to the pasted area, and the box
/// rows [Top, Bottom) x columns [Left, Right) is where the partner's pixels go.</summary>
public readonly record struct MixParams(double Lambda, bool UseCutmix, int Top, int Bottom, int Left, int Right)
{
    public static readonly MixParams None = new(1, false, 0, 0, 0, 0);
    public bool Active => Lambda < 1;
}

/// <summary>
/// timm's Mixup in "batch" mode: one lambda for the whole batch, each sample i mixed with sample
/// B-1-i (the batch flipped). With both mixup and cutmix on, cutmix is chosen with probability
/// SwitchProb. Mixup: x = λ·x + (1-λ)·flip(x), λ ~ Beta(α_mixup, α_mixup). Cutmix: λ ~
/// Beta(α_cutmix, α_cutmix), a box of size (int(H·sqrt(1-λ)), int(W·sqrt(1-λ))) centred uniformly
/// and clipped to the image receives the partner's pixels (the same box in every frame), and λ is
/// corrected to 1 - box area / image area. Targets: label-smoothed one-hot (off = ε/K,
/// on = 1 - ε + ε/K) mixed with the same λ.
/// </summary>
public sealed class MixupCutmix
{
    public MixupCutmix(double mixupAlpha = 0.8, double cutmixAlpha = 1.0, double switchProb = 0.5, double mixProb = 1.0,
        double labelSmoothing = 0.1, bool correctLambda = true)
    {
        if (mixupAlpha < 0 || cutmixAlpha < 0) throw new ArgumentException("mixup and cutmix alphas must not be negative");
        if (!(switchProb >= 0 && switchProb <= 1)) throw new ArgumentOutOfRangeException(nameof(switchProb), switchProb, "must be in [0, 1]");
        if (!(mixProb >= 0 && mixProb <= 1)) throw new ArgumentOutOfRangeException(nameof(mixProb), mixProb, "must be in [0, 1]");
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "must be in [0, 1)");
        MixupAlpha = mixupAlpha;
        CutmixAlpha = cutmixAlpha;
        SwitchProb = switchProb;
        MixProb = mixProb;
        LabelSmoothing = labelSmoothing;
        CorrectLambda = correctLambda;
    }

    public double MixupAlpha { get; }
    public double CutmixAlpha { get; }
    public double SwitchProb { get; }
    public double MixProb { get; }
    public double LabelSmoothing { get; }
    public bool CorrectLambda { get; }
    public bool Enabled => MixupAlpha > 0 || CutmixAlpha > 0;

    /// <summary>Draws the mixing of one batch of images of the given size.</summary>
    public MixParams Sample(AugmentRandom rng, int height, int width)
    {
        if (!Enabled || !rng.Bernoulli(MixProb)) return MixParams.None;
        bool cutmix;
        double lambda;
        if (MixupAlpha > 0 && CutmixAlpha > 0)
        {
            cutmix = rng.Bernoulli(SwitchProb);
            lambda = cutmix ? rng.Beta(CutmixAlpha, CutmixAlpha) : rng.Beta(MixupAlpha, MixupAlpha);
        }
        else if (MixupAlpha > 0)
        {
            cutmix = false;
            lambda = rng.Beta(MixupAlpha, MixupAlpha);
        }
        else
        {
            cutmix = true;
            lambda = rng.Beta(CutmixAlpha, CutmixAlpha);
        }
        if (lambda >= 1) return MixParams.None;
        if (!cutmix) return new MixParams(lambda, false, 0, 0, 0, 0);

        double ratio = Math.Sqrt(1 - lambda);
        int cutH = (int)(height * ratio), cutW = (int)(width * ratio);
        int cy = rng.IntInclusive(0, height - 1), cx = rng.IntInclusive(0, width - 1);
        int top = Math.Clamp(cy - cutH / 2, 0, height), bottom = Math.Clamp(cy + cutH / 2, 0, height);
        int left = Math.Clamp(cx - cutW / 2, 0, width), right = Math.Clamp(cx + cutW / 2, 0, width);
        if (CorrectLambda) lambda = 1 - (double)(bottom - top) * (right - left) / ((double)height * width);
        return new MixParams(lambda, true, top, bottom, left, right);
    }

    /// <summary>
    /// Mixes <c>x [B, ..., H, W]</c> (float) in place with the flipped batch, pair by pair
    /// (sample i with sample B-1-i), so no batch-sized temporary is made.
    /// </summary>
    public static void ApplyInPlace(Tensor x, MixParams p)
    {
        if (!p.Active) return;
        if (x.dim() < 3) throw new ArgumentException($"expected [B, ..., H, W], got [{string.Join(", ", x.shape)}]", nameof(x));
        if (p.UseCutmix && (p.Bottom <= p.Top || p.Right <= p.Left)) return;
        long batch = x.size(0);
        // On the CPU one native pass per pair (AugmentKernels.swap_ / mix_pair_); elsewhere libtorch ops
        // with the same arithmetic.
        bool native = x.device.Type == DeviceType.CPU && x.dtype == ScalarType.Float32;
        for (long i = 0; i < batch / 2; i++)
        {
            using var scope = torch.NewDisposeScope();
            Tensor a = x.select(0, i), b = x.select(0, batch - 1 - i); // [..., H, W] views
            if (p.UseCutmix)
            {
                Tensor ra = a.narrow(-2, p.Top, p.Bottom - p.Top).narrow(-1, p.Left, p.Right - p.Left);
                Tensor rb = b.narrow(-2, p.Top, p.Bottom - p.Top).narrow(-1, p.Left, p.Right - p.Left);
                if (native)
                {
                    AugmentKernels.swap_(ra, rb);
                    continue;
                }
                Tensor saved = ra.clone();
                ra.copy_(rb);
                rb.copy_(saved);
            }
            else if (native)
            {
                AugmentKernels.mix_pair_(a, b, p.Lambda);
            }
            else
            {
                Tensor d = (a - b).mul_(1 - p.Lambda); // (1-λ)(a - b)
                a.sub_(d);                              // λa + (1-λ)b
                b.add_(d);                              // λb + (1-λ)a
            }
        }
    }

    /// <summary>Soft targets <c>[B, numClasses]</c> float32 for integer <c>labels [B]</c>, on the labels' device.</summary>
    public Tensor Targets(Tensor labels, int numClasses, MixParams p)
    {
        if (labels.dim() != 1) throw new ArgumentException($"labels must be [B], got [{string.Join(", ", labels.shape)}]", nameof(labels));
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "need at least one class");
        using var scope = torch.NewDisposeScope();
        Tensor l = labels.to(ScalarType.Int64);
        long lo = l.numel() == 0 ? 0 : l.min().item_long(), hi = l.numel() == 0 ? 0 : l.max().item_long();
        if (lo < 0 || hi >= numClasses) throw new ArgumentOutOfRangeException(nameof(labels), $"labels span [{lo}, {hi}], classes are [0, {numClasses - 1}]");
        double off = LabelSmoothing / numClasses, on = 1 - LabelSmoothing + off;
        Tensor y = torch.nn.functional.one_hot(l, numClasses).to(ScalarType.Float32) * (on - off) + off; // [B, K]
        Tensor mixed = p.Active ? y * p.Lambda + y.flip(0) * (1 - p.Lambda) : y;
        return scope.MoveToOuter(mixed);
    }
}
