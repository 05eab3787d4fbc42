using System.Runtime.InteropServices;

namespace CrossVideoMAE.Torch.Native;

/// <summary>Op codes of cvm_unary; the order matches native/src/tensor_math.cpp.</summary>
internal enum UnaryOp
{
    Neg, Abs, Exp, Log, Sqrt, Rsqrt, Sin, Cos, Tanh, Sigmoid, Relu, Floor, Ceil, Round, Sign,
    LogicalNot, Reciprocal, Square, Erf, Log1p, Expm1, Silu, IsNan, Trunc,
}

/// <summary>Op codes of cvm_binary; the order matches native/src/tensor_math.cpp.</summary>
internal enum BinaryOp
{
    Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr,
    Remainder, FloorDivide, Atan2, RSub,
}

/// <summary>Imports of native/src/tensor_math.cpp and tensor_shape.cpp.</summary>
internal static unsafe partial class LibTorch
{
    [DllImport(Lib)] internal static extern IntPtr cvm_unary(IntPtr t, int op);
    [DllImport(Lib)] internal static extern IntPtr cvm_binary(IntPtr a, IntPtr b, int op);
    [DllImport(Lib)] internal static extern IntPtr cvm_binary_scalar(IntPtr a, double s, int op);
    [DllImport(Lib)] internal static extern int cvm_binary_(IntPtr a, IntPtr b, int op);
    [DllImport(Lib)] internal static extern int cvm_binary_scalar_(IntPtr a, double s, int op);
    [DllImport(Lib)] internal static extern IntPtr cvm_add_scaled(IntPtr a, IntPtr b, double alpha);
    [DllImport(Lib)] internal static extern IntPtr cvm_clamp(IntPtr t, double lo, double hi, bool hasLo, bool hasHi);
    [DllImport(Lib)] internal static extern IntPtr cvm_where(IntPtr cond, IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr cvm_masked_fill(IntPtr t, IntPtr mask, double v);
    [DllImport(Lib)] internal static extern IntPtr cvm_lerp(IntPtr a, IntPtr b, double w);

    [DllImport(Lib)] internal static extern IntPtr cvm_matmul(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr cvm_bmm(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr cvm_einsum(byte* eq, IntPtr* ts, int n);

    [DllImport(Lib)] internal static extern IntPtr cvm_sum(IntPtr t, long* dims, int n, bool keepdim);
    [DllImport(Lib)] internal static extern IntPtr cvm_mean(IntPtr t, long* dims, int n, bool keepdim);
    [DllImport(Lib)] internal static extern IntPtr cvm_var(IntPtr t, long* dims, int n, bool unbiased, bool keepdim);
    [DllImport(Lib)] internal static extern IntPtr cvm_std(IntPtr t, long* dims, int n, bool unbiased, bool keepdim);
    [DllImport(Lib)] internal static extern IntPtr cvm_amax(IntPtr t, long* dims, int n, bool keepdim);
    [DllImport(Lib)] internal static extern IntPtr cvm_amin(IntPtr t, long* dims, int n, bool keepdim);
    [DllImport(Lib)] internal static extern IntPtr cvm_max_all(IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr cvm_min_all(IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr cvm_argmax(IntPtr t, long dim, bool keepdim);
    [DllImport(Lib)] internal static extern IntPtr cvm_argmin(IntPtr t, long dim, bool keepdim);
    [DllImport(Lib)] internal static extern IntPtr cvm_norm(IntPtr t, double p, long* dims, int n, bool keepdim);
    [DllImport(Lib)] internal static extern IntPtr cvm_logsumexp(IntPtr t, long* dims, int n, bool keepdim);
    [DllImport(Lib)] internal static extern IntPtr cvm_cumsum(IntPtr t, long dim);
    [DllImport(Lib)] internal static extern IntPtr cvm_all(IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr cvm_any(IntPtr t);
    [DllImport(Lib)] internal static extern int cvm_max_dim(IntPtr t, long dim, bool keepdim, IntPtr* values, IntPtr* indices);
    [DllImport(Lib)] internal static extern int cvm_min_dim(IntPtr t, long dim, bool keepdim, IntPtr* values, IntPtr* indices);

    [DllImport(Lib)] internal static extern int cvm_sort(IntPtr t, long dim, bool descending, bool stable, IntPtr* values, IntPtr* indices);
    [DllImport(Lib)] internal static extern IntPtr cvm_argsort(IntPtr t, long dim, bool descending);
    [DllImport(Lib)] internal static extern int cvm_topk(IntPtr t, long k, long dim, bool largest, bool sorted, IntPtr* values, IntPtr* indices);

    [DllImport(Lib)] internal static extern IntPtr cvm_gather(IntPtr t, long dim, IntPtr idx);
    [DllImport(Lib)] internal static extern IntPtr cvm_scatter(IntPtr t, long dim, IntPtr idx, IntPtr src);
    [DllImport(Lib)] internal static extern IntPtr cvm_scatter_add(IntPtr t, long dim, IntPtr idx, IntPtr src);
    [DllImport(Lib)] internal static extern IntPtr cvm_index_select(IntPtr t, long dim, IntPtr idx);
    [DllImport(Lib)] internal static extern IntPtr cvm_masked_select(IntPtr t, IntPtr mask);
    [DllImport(Lib)] internal static extern IntPtr cvm_nonzero(IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr cvm_one_hot(IntPtr t, long numClasses);
    [DllImport(Lib)] internal static extern IntPtr cvm_index(IntPtr t, IntPtr* idx, int n);
    [DllImport(Lib)] internal static extern int cvm_index_put_(IntPtr t, IntPtr* idx, int n, IntPtr values, bool accumulate);

    [DllImport(Lib)] internal static extern IntPtr cvm_reshape(IntPtr t, long* shape, int n);
    [DllImport(Lib)] internal static extern IntPtr cvm_view(IntPtr t, long* shape, int n);
    [DllImport(Lib)] internal static extern IntPtr cvm_permute(IntPtr t, long* dims, int n);
    [DllImport(Lib)] internal static extern IntPtr cvm_transpose(IntPtr t, long d0, long d1);
    [DllImport(Lib)] internal static extern IntPtr cvm_flatten(IntPtr t, long start, long end);
    [DllImport(Lib)] internal static extern IntPtr cvm_unsqueeze(IntPtr t, long dim);
    [DllImport(Lib)] internal static extern IntPtr cvm_squeeze(IntPtr t, long dim);
    [DllImport(Lib)] internal static extern IntPtr cvm_squeeze_all(IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr cvm_expand(IntPtr t, long* shape, int n);
    [DllImport(Lib)] internal static extern IntPtr cvm_repeat(IntPtr t, long* reps, int n);
    [DllImport(Lib)] internal static extern IntPtr cvm_repeat_interleave(IntPtr t, long repeats, long dim);
    [DllImport(Lib)] internal static extern IntPtr cvm_narrow(IntPtr t, long dim, long start, long length);
    [DllImport(Lib)] internal static extern IntPtr cvm_select(IntPtr t, long dim, long index);
    [DllImport(Lib)] internal static extern IntPtr cvm_slice(IntPtr t, long dim, long start, long end, long step);
    [DllImport(Lib)] internal static extern IntPtr cvm_flip(IntPtr t, long* dims, int n);
    [DllImport(Lib)] internal static extern IntPtr cvm_roll(IntPtr t, long* shifts, long* dims, int n);
    [DllImport(Lib)] internal static extern IntPtr cvm_tril(IntPtr t, long diagonal);
    [DllImport(Lib)] internal static extern IntPtr cvm_triu(IntPtr t, long diagonal);
    [DllImport(Lib)] internal static extern IntPtr cvm_cat(IntPtr* ts, int n, long dim);
    [DllImport(Lib)] internal static extern IntPtr cvm_stack(IntPtr* ts, int n, long dim);
    [DllImport(Lib)] internal static extern int cvm_split_with_sizes(IntPtr t, long* sizes, int n, long dim, IntPtr* output);
    [DllImport(Lib)] internal static extern int cvm_chunk(IntPtr t, long chunks, long dim, IntPtr* output, int* count);
}
