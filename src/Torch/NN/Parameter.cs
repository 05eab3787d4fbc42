namespace CrossVideoMAE.Torch.NN;

/// <summary>A trainable tensor owned by a module: requires grad and belongs to no dispose scope.</summary>
public sealed class Parameter : Tensor
{
    public Parameter(Tensor data, bool requires_grad = true) : base(TakeHandle(data))
    {
        DetachFromDisposeScope();
        this.requires_grad = requires_grad;
    }

    // A parameter gets its own handle to a detached leaf holding the data.
    private static IntPtr TakeHandle(Tensor data) => Native.LibTorch.cvm_detach(data.Handle);
}
