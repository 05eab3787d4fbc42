using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Objective;

/// <summary>
/// L_intra (Eq. 1-3): for each level x in {u, f}, anchors z_x^1 against positives z_x^2;
/// L_intra = (1/2N) sum_i (L_u(i) + L_f(i)) = mean over the enabled levels of mean_i L_x(i).
/// </summary>
public static class IntraModalLoss
{
    /// <summary>zU1, zU2, zF1, zF2: [N, E] (a level that is off may be null). Returns (L_intra, mean L_u, mean L_f).</summary>
    public static (Tensor Total, Tensor? Video, Tensor? Frame) Compute(
        Tensor? zU1, Tensor? zU2, Tensor? zF1, Tensor? zF2, double tau, bool symmetric, BatchGather? gather = null)
    {
        Tensor? video = zU1 is not null && zU2 is not null ? PrintedInfoNce.Mean(zU1, zU2, tau, symmetric, gather) : null;
        Tensor? frame = zF1 is not null && zF2 is not null ? PrintedInfoNce.Mean(zF1, zF2, tau, symmetric, gather) : null;
        return (LevelMean.Of(video, frame), video, frame);
    }
}
