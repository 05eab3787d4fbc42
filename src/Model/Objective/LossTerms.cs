using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Objective;

/// <summary>
/// Every term of the objective as a scalar tensor (null where switched off), the total included:
/// Total = lambda_c * (Intra + Cross) + Reconstruction + DecoderMse.
/// IntraVideo/IntraFrame = mean_i L_u(i), L_f(i); CrossVideo/CrossFrame = mean_i C_u(i), C_f(i);
/// Reconstruction = (ReconstructionView1 + ReconstructionView2) / 2.
/// </summary>
public sealed record LossTerms(
    Tensor Total,
    Tensor? Intra, Tensor? IntraVideo, Tensor? IntraFrame,
    Tensor? Cross, Tensor? CrossVideo, Tensor? CrossFrame,
    Tensor? Reconstruction, Tensor? ReconstructionView1, Tensor? ReconstructionView2,
    Tensor? DecoderMse)
{
    /// <summary>The terms that are on, by their log names: total, intra, intra_video, intra_frame, cross,
    /// cross_video, cross_frame, rl, rl_view1, rl_view2, mse.</summary>
    public IEnumerable<(string Name, Tensor Value)> Named()
    {
        yield return ("total", Total);
        foreach (var (n, t) in new (string, Tensor?)[]
                 {
                     ("intra", Intra), ("intra_video", IntraVideo), ("intra_frame", IntraFrame),
                     ("cross", Cross), ("cross_video", CrossVideo), ("cross_frame", CrossFrame),
                     ("rl", Reconstruction), ("rl_view1", ReconstructionView1), ("rl_view2", ReconstructionView2),
                     ("mse", DecoderMse),
                 })
            if (t is not null) yield return (n, t);
    }

    /// <summary>The values as doubles (one device sync per term), for logs and metrics.</summary>
    public Dictionary<string, double> ToScalars() => Named().ToDictionary(x => x.Name, x => x.Value.item());
}
