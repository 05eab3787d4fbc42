using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Masking;

/// <summary>
/// Where the uniform noise of the masks comes from. <see cref="FromGenerator"/>: one generator for the
/// whole batch (rows drawn in batch order, what a single-process run and inspect-step use);
/// <see cref="PerSample"/>: each sample has its own generator, seeded by the caller from the sample's
/// identity (seed, epoch, position in the epoch), so a sample gets the same masks whichever batch,
/// batch position or rank it is trained in. A generator is converted implicitly, so
/// <c>model.forward(batch, generator)</c> keeps working.
/// </summary>
public abstract class MaskNoise
{
    /// <summary>Uniform [0, 1) noise [batch * rowsPerSample, units]: rows i*rowsPerSample .. (i+1)*rowsPerSample-1 belong to sample i.</summary>
    public abstract Tensor Draw(long batch, long rowsPerSample, long units, Device device);

    public static MaskNoise FromGenerator(Generator? generator) => new BatchNoise(generator);

    /// <summary>One generator per sample (owned by the caller, drawn from in call order: view 1, view 2, frames).</summary>
    public static MaskNoise PerSample(IReadOnlyList<Generator> generators) => new SampleNoise(generators);

    public static implicit operator MaskNoise(Generator? generator) => new BatchNoise(generator);

    private sealed class BatchNoise(Generator? generator) : MaskNoise
    {
        public override Tensor Draw(long batch, long rowsPerSample, long units, Device device) =>
            torch.rand([batch * rowsPerSample, units], generator, device: device);
    }

    private sealed class SampleNoise(IReadOnlyList<Generator> generators) : MaskNoise
    {
        public override Tensor Draw(long batch, long rowsPerSample, long units, Device device)
        {
            if (batch != generators.Count)
                throw new ArgumentException($"a batch of {batch} samples but {generators.Count} per-sample mask generators");
            using var scope = torch.NewDisposeScope();
            // Drawn on the CPU (as Generator always does), one sample at a time, then joined: [B*r, U].
            Tensor[] rows = generators.Select(g => torch.rand([rowsPerSample, units], g)).ToArray();
            return scope.MoveToOuter(torch.cat(rows, 0).to(device));
        }
    }
}
