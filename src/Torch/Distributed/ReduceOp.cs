namespace CrossVideoMAE.Torch.Distributed;

/// <summary>How <see cref="ProcessGroup.AllReduce"/> combines the ranks' tensors. <see cref="Avg"/>
/// is the sum divided by the world size (floating-point tensors only). The numbers are the shim's.</summary>
public enum ReduceOp
{
    Sum = 0,
    Avg = 1,
    Max = 2,
    Min = 3,
}
