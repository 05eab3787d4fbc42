namespace CrossVideoMAE.Model.Objective;

/// <summary>
/// Which terms of L = lambda_c * (L_intra + L_cross) + L_rl + L_mse are on, and their settings.
/// VideoLevel and FrameLevel choose the levels (z_u/h_u and z_f/h_f) that enter L_intra and L_cross;
/// with one level off, each contrastive term is the mean over the levels still on.
/// It is also the `loss:` section of the pretrain YAML (snake_case keys, docs/method.md section 6).
/// </summary>
public sealed record LossConfig
{
    public bool Intra { get; init; } = true;
    public bool Cross { get; init; } = true;
    public bool VideoLevel { get; init; } = true;
    public bool FrameLevel { get; init; } = true;
    public bool Reconstruction { get; init; } = true;
    public bool DecoderMse { get; init; } = true;
    /// <summary>Adds the mirrored direction (anchors from view 2 / from h) and halves, as SimCLR does.</summary>
    public bool Symmetric { get; init; }
    public double Temperature { get; init; } = 0.1;
    public double LambdaC { get; init; } = 1.0;
    /// <summary>Normalise each target token by its own mean and variance (eps 1e-6).</summary>
    public bool NormPixLoss { get; init; } = true;

    public static LossConfig Default { get; } = new();
    /// <summary>Contrastive part: intra-modal only (L_rl and L_mse stay).</summary>
    public static LossConfig IntraOnly { get; } = new() { Cross = false };
    /// <summary>Contrastive part: cross-modal only (L_rl and L_mse stay).</summary>
    public static LossConfig CrossOnly { get; } = new() { Intra = false };
    /// <summary>Contrastive terms on z_u, h_u only.</summary>
    public static LossConfig VideoLevelOnly { get; } = new() { FrameLevel = false };
    /// <summary>Contrastive terms on z_f, h_f only.</summary>
    public static LossConfig FrameLevelOnly { get; } = new() { VideoLevel = false };
    /// <summary>L_rl alone (a VideoMAE baseline).</summary>
    public static LossConfig ReconstructionOnly { get; } = new() { Intra = false, Cross = false, DecoderMse = false };

    // Methods, not properties: the pretrain YAML's loss section is this record, and every property is a key.
    public bool AnyContrastive() => Intra || Cross;

    /// <summary>The model parts the enabled terms need.</summary>
    public ForwardParts RequiredParts() =>
        (Cross ? ForwardParts.Image : ForwardParts.None) | (Reconstruction || DecoderMse ? ForwardParts.Decoder : ForwardParts.None);

    public LossConfig Validate()
    {
        if (!(Intra || Cross || Reconstruction || DecoderMse))
            throw new ArgumentException("every loss term is switched off");
        if (AnyContrastive() && !(VideoLevel || FrameLevel))
            throw new ArgumentException("contrastive terms are on but both the video and the frame level are off");
        if (!(Temperature > 0)) throw new ArgumentException($"temperature must be positive, got {Temperature}");
        if (LambdaC < 0 || double.IsNaN(LambdaC)) throw new ArgumentException($"lambda_c must be non-negative, got {LambdaC}");
        return this;
    }
}
