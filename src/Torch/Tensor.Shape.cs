using CrossVideoMAE.Torch.Native;

namespace CrossVideoMAE.Torch;

/// <summary>Views, shape changes, gathering and indexing.</summary>
public partial class Tensor
{
    private unsafe Tensor WithDims(delegate*<IntPtr, long*, int, IntPtr> f, long[] dims)
    {
        fixed (long* p = dims) return new(f(Handle, p, dims.Length));
    }

    public unsafe Tensor reshape(params long[] shape) => WithDims(&LibTorch.cvm_reshape, shape);
    public unsafe Tensor view(params long[] shape) => WithDims(&LibTorch.cvm_view, shape);
    public unsafe Tensor permute(params long[] dims) => WithDims(&LibTorch.cvm_permute, dims);
    public unsafe Tensor expand(params long[] shape) => WithDims(&LibTorch.cvm_expand, shape);
    public unsafe Tensor repeat(params long[] repeats) => WithDims(&LibTorch.cvm_repeat, repeats);
    public unsafe Tensor flip(params long[] dims) => WithDims(&LibTorch.cvm_flip, dims);
    public Tensor expand_as(Tensor other) => expand(other.shape);
    public Tensor view_as(Tensor other) => view(other.shape);
    public Tensor transpose(long dim0, long dim1) => new(LibTorch.cvm_transpose(Handle, dim0, dim1));
    public Tensor t() => transpose(0, 1);
    public Tensor flatten(long start_dim = 0, long end_dim = -1) => new(LibTorch.cvm_flatten(Handle, start_dim, end_dim));
    public Tensor unsqueeze(long dim) => new(LibTorch.cvm_unsqueeze(Handle, dim));
    public Tensor squeeze(long dim) => new(LibTorch.cvm_squeeze(Handle, dim));
    public Tensor squeeze() => new(LibTorch.cvm_squeeze_all(Handle));
    public Tensor repeat_interleave(long repeats, long dim) => new(LibTorch.cvm_repeat_interleave(Handle, repeats, dim));
    public Tensor narrow(long dim, long start, long length) => new(LibTorch.cvm_narrow(Handle, dim, start, length));
    public Tensor select(long dim, long index) => new(LibTorch.cvm_select(Handle, dim, index));
    public Tensor slice(long dim, long start, long end, long step = 1) => new(LibTorch.cvm_slice(Handle, dim, start, end, step));
    public Tensor tril(long diagonal = 0) => new(LibTorch.cvm_tril(Handle, diagonal));
    public Tensor triu(long diagonal = 0) => new(LibTorch.cvm_triu(Handle, diagonal));

    public unsafe Tensor roll(long[] shifts, long[] dims)
    {
        if (shifts.Length != dims.Length) throw new ArgumentException("roll needs one shift per dimension");
        fixed (long* s = shifts) fixed (long* d = dims) return new(LibTorch.cvm_roll(Handle, s, d, dims.Length));
    }

    /// <summary>Splits into parts of the given sizes along dim.</summary>
    public unsafe Tensor[] split(long[] sizes, long dim = 0)
    {
        var handles = new IntPtr[sizes.Length];
        fixed (long* s = sizes) fixed (IntPtr* h = handles)
            Check.Status(LibTorch.cvm_split_with_sizes(Handle, s, sizes.Length, dim, h));
        return handles.Select(h => new Tensor(h)).ToArray();
    }

    /// <summary>Splits into parts of <paramref name="size"/> along dim (the last may be smaller).</summary>
    public Tensor[] split(long size, long dim = 0)
    {
        long n = this.size((int)dim);
        var sizes = new List<long>();
        for (long at = 0; at < n; at += size) sizes.Add(Math.Min(size, n - at));
        return split(sizes.ToArray(), dim);
    }

    public unsafe Tensor[] chunk(long chunks, long dim = 0)
    {
        var handles = new IntPtr[chunks];
        int count;
        fixed (IntPtr* h = handles) Check.Status(LibTorch.cvm_chunk(Handle, chunks, dim, h, &count));
        return handles.Take(count).Select(h => new Tensor(h)).ToArray();
    }

    public Tensor[] unbind(long dim = 0)
    {
        long n = size((int)dim);
        var parts = new Tensor[n];
        for (long i = 0; i < n; i++) parts[i] = select(dim, i);
        return parts;
    }

    public Tensor gather(long dim, Tensor index) => new(LibTorch.cvm_gather(Handle, dim, index.Handle));
    public Tensor scatter(long dim, Tensor index, Tensor src) => new(LibTorch.cvm_scatter(Handle, dim, index.Handle, src.Handle));
    public Tensor scatter_add(long dim, Tensor index, Tensor src) => new(LibTorch.cvm_scatter_add(Handle, dim, index.Handle, src.Handle));
    public Tensor index_select(long dim, Tensor index) => new(LibTorch.cvm_index_select(Handle, dim, index.Handle));
    public Tensor masked_select(Tensor mask) => new(LibTorch.cvm_masked_select(Handle, mask.Handle));
    public Tensor nonzero() => new(LibTorch.cvm_nonzero(Handle));

    /// <summary>
    /// Indexing as in PyTorch: integers, ranges/slices, <see cref="TensorIndex.None"/>,
    /// <see cref="TensorIndex.Ellipsis"/>, or tensors (advanced indexing; the other entries must
    /// then be full slices or an ellipsis).
    /// </summary>
    public Tensor this[params TensorIndex[] indices]
    {
        get => Index(indices);
        set => IndexPut(indices, value);
    }

    private Tensor Index(TensorIndex[] indices)
    {
        if (indices.Any(i => i.Kind == TensorIndex.IndexKind.Tensor)) return AdvancedIndex(indices);
        using var scope = new DisposeScope();
        Tensor cur = this;
        int dimAt = 0;
        int consumed = indices.Count(i => i.Kind is TensorIndex.IndexKind.Single or TensorIndex.IndexKind.Slice);
        foreach (TensorIndex ix in indices)
        {
            switch (ix.Kind)
            {
                case TensorIndex.IndexKind.Single:
                    cur = cur.select(dimAt, ix.Start!.Value);
                    break;
                case TensorIndex.IndexKind.Slice:
                    long n = cur.size(dimAt);
                    cur = cur.slice(dimAt, ix.Start ?? 0, ix.Stop ?? n, ix.Step);
                    dimAt++;
                    break;
                case TensorIndex.IndexKind.None:
                    cur = cur.unsqueeze(dimAt);
                    dimAt++;
                    break;
                case TensorIndex.IndexKind.Ellipsis:
                    dimAt = cur.dim() - (consumed - CountBefore(indices, ix));
                    break;
            }
        }
        Tensor result = ReferenceEquals(cur, this) ? alias() : cur;
        return scope.MoveToOuter(result);
    }

    private static int CountBefore(TensorIndex[] indices, TensorIndex stop)
    {
        int n = 0;
        foreach (TensorIndex i in indices)
        {
            if (ReferenceEquals(i, stop)) break;
            if (i.Kind is TensorIndex.IndexKind.Single or TensorIndex.IndexKind.Slice) n++;
        }
        return n;
    }

    private IntPtr[] AdvancedHandles(TensorIndex[] indices)
    {
        var list = new List<IntPtr>();
        int ellipsisFill = dim() - indices.Count(i => i.Kind != TensorIndex.IndexKind.Ellipsis);
        foreach (TensorIndex ix in indices)
        {
            switch (ix.Kind)
            {
                case TensorIndex.IndexKind.Tensor: list.Add(ix.Tensor!.Handle); break;
                case TensorIndex.IndexKind.Slice when ix.IsFull: list.Add(IntPtr.Zero); break;
                case TensorIndex.IndexKind.Ellipsis:
                    for (int k = 0; k < ellipsisFill; k++) list.Add(IntPtr.Zero);
                    break;
                default:
                    throw new NotSupportedException("with a tensor index, the other indices must be full slices (..) or an ellipsis");
            }
        }
        return list.ToArray();
    }

    private unsafe Tensor AdvancedIndex(TensorIndex[] indices)
    {
        IntPtr[] h = AdvancedHandles(indices);
        fixed (IntPtr* p = h) return new(LibTorch.cvm_index(Handle, p, h.Length));
    }

    private unsafe void IndexPut(TensorIndex[] indices, Tensor value)
    {
        if (indices.Any(i => i.Kind == TensorIndex.IndexKind.Tensor))
        {
            IntPtr[] h = AdvancedHandles(indices);
            fixed (IntPtr* p = h) Check.Status(LibTorch.cvm_index_put_(Handle, p, h.Length, value.Handle, false));
            return;
        }
        using Tensor view = Index(indices);
        view.copy_(value);
    }

    /// <summary>index_put_ with accumulate: self[indices] += values.</summary>
    public unsafe Tensor index_put_(Tensor value, bool accumulate, params TensorIndex[] indices)
    {
        IntPtr[] h = AdvancedHandles(indices);
        fixed (IntPtr* p = h) Check.Status(LibTorch.cvm_index_put_(Handle, p, h.Length, value.Handle, accumulate));
        return this;
    }
}
