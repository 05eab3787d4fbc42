using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Objective;

/// <summary>
/// L_cross (Eq. 5-7): for each level x in {u, f}, anchors z_x (the view average) against positives h_x;
/// L_cross = (1/2N) sum_i (C_u(i) + C_f(i)) = mean over the enabled levels of mean_i C_x(i).
/// </summary>
public static class CrossModalLoss
{
    /// <summary>zU, hU, zF, hF: [N, E] (a level that is off may be null). Returns (L_cross, mean C_u, mean C_f).</summary>
    public static (Tensor Total, Tensor? Video, Tensor? Frame) Compute(
        Tensor? zU, Tensor? hU, Tensor? zF, Tensor? hF, double tau, bool symmetric, BatchGather? gather = null)
    {
        Tensor? video = zU is not null && hU is not null ? PrintedInfoNce.Mean(zU, hU, tau, symmetric, gather) : null;
        Tensor? frame = zF is not null && hF is not null ? PrintedInfoNce.Mean(zF, hF, tau, symmetric, gather) : null;
        return (LevelMean.Of(video, frame), video, frame);
    }
}
