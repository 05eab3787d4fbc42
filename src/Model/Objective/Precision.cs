using CrossVideoMAE.Torch;

namespace CrossVideoMAE.Model.Objective;

/// <summary>Losses are computed in float32 or wider even when the networks ran in bf16/fp16 (autocast).</summary>
internal static class Precision
{
    public static Tensor AtLeastFloat32(Tensor t) =>
        t.dtype is ScalarType.BFloat16 or ScalarType.Float16 ? t.to(ScalarType.Float32) : t.alias();
}
