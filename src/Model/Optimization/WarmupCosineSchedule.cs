using CrossVideoMAE.Torch.Optim;

namespace CrossVideoMAE.Model.Optimization;

/// <summary>
/// Linear warmup from 0 to the base lr over <c>WarmupSteps</c> iterations, then a half-cycle cosine
/// down to <c>MinLr</c> at <c>TotalSteps</c>; stepped per iteration (MAE's adjust_learning_rate).
/// </summary>
public sealed record WarmupCosineSchedule(double BaseLr, long WarmupSteps, long TotalSteps, double MinLr = 0)
{
    /// <summary>The paper's rule: base lr x effective batch / 256.</summary>
    public static double ScaledLr(double baseLr, long effectiveBatch) => baseLr * effectiveBatch / 256.0;

    public double LearningRate(double step)
    {
        if (TotalSteps <= 0 || WarmupSteps < 0 || WarmupSteps > TotalSteps)
            throw new InvalidOperationException($"schedule needs 0 <= warmup ({WarmupSteps}) <= total ({TotalSteps}) and total > 0");
        if (step < WarmupSteps) return BaseLr * step / WarmupSteps;
        if (step >= TotalSteps) return MinLr;
        double progress = (step - WarmupSteps) / (TotalSteps - WarmupSteps);
        return MinLr + (BaseLr - MinLr) * 0.5 * (1.0 + Math.Cos(Math.PI * progress));
    }

    /// <summary>Sets every group's lr to the scheduled lr times its LrScale; returns the scheduled lr.</summary>
    public double Apply(Optimizer optimizer, long step)
    {
        double lr = LearningRate(step);
        foreach (ParamGroup g in optimizer.ParamGroups) g.Lr = lr * g.LrScale;
        return lr;
    }
}
