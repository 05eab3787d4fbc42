using CrossVideoMAE.Torch.Native;

namespace CrossVideoMAE.Torch;

/// <summary>Elementwise math, operators, matrix products and reductions.</summary>
public partial class Tensor
{
    private Tensor Unary(UnaryOp op) => new(LibTorch.cvm_unary(Handle, (int)op));
    private Tensor Binary(Tensor other, BinaryOp op) => new(LibTorch.cvm_binary(Handle, other.Handle, (int)op));
    private Tensor Binary(double s, BinaryOp op) => new(LibTorch.cvm_binary_scalar(Handle, s, (int)op));

    public static Tensor operator +(Tensor a, Tensor b) => a.Binary(b, BinaryOp.Add);
    public static Tensor operator +(Tensor a, double b) => a.Binary(b, BinaryOp.Add);
    public static Tensor operator +(double a, Tensor b) => b.Binary(a, BinaryOp.Add);
    public static Tensor operator -(Tensor a, Tensor b) => a.Binary(b, BinaryOp.Sub);
    public static Tensor operator -(Tensor a, double b) => a.Binary(b, BinaryOp.Sub);
    public static Tensor operator -(double a, Tensor b) => b.Binary(a, BinaryOp.RSub);
    public static Tensor operator *(Tensor a, Tensor b) => a.Binary(b, BinaryOp.Mul);
    public static Tensor operator *(Tensor a, double b) => a.Binary(b, BinaryOp.Mul);
    public static Tensor operator *(double a, Tensor b) => b.Binary(a, BinaryOp.Mul);
    public static Tensor operator /(Tensor a, Tensor b) => a.Binary(b, BinaryOp.Div);
    public static Tensor operator /(Tensor a, double b) => a.Binary(b, BinaryOp.Div);
    public static Tensor operator /(double a, Tensor b) => b.reciprocal() * a;
    public static Tensor operator %(Tensor a, double b) => a.Binary(b, BinaryOp.Remainder);
    public static Tensor operator -(Tensor a) => a.Unary(UnaryOp.Neg);
    public static Tensor operator !(Tensor a) => a.Unary(UnaryOp.LogicalNot);
    public static Tensor operator &(Tensor a, Tensor b) => a.Binary(b, BinaryOp.LogicalAnd);
    public static Tensor operator |(Tensor a, Tensor b) => a.Binary(b, BinaryOp.LogicalOr);

    public Tensor add(Tensor other, double alpha = 1) =>
        alpha == 1 ? Binary(other, BinaryOp.Add) : new(LibTorch.cvm_add_scaled(Handle, other.Handle, alpha));
    public Tensor sub(Tensor other) => Binary(other, BinaryOp.Sub);
    public Tensor mul(Tensor other) => Binary(other, BinaryOp.Mul);
    public Tensor div(Tensor other) => Binary(other, BinaryOp.Div);
    public Tensor pow(double exponent) => Binary(exponent, BinaryOp.Pow);
    public Tensor pow(Tensor exponent) => Binary(exponent, BinaryOp.Pow);
    public Tensor maximum(Tensor other) => Binary(other, BinaryOp.Maximum);
    public Tensor minimum(Tensor other) => Binary(other, BinaryOp.Minimum);
    public Tensor floor_divide(double s) => Binary(s, BinaryOp.FloorDivide);
    public Tensor floor_divide(Tensor other) => Binary(other, BinaryOp.FloorDivide);
    public Tensor remainder(double s) => Binary(s, BinaryOp.Remainder);
    public Tensor atan2(Tensor other) => Binary(other, BinaryOp.Atan2);

    public Tensor eq(Tensor other) => Binary(other, BinaryOp.Eq);
    public Tensor eq(double s) => Binary(s, BinaryOp.Eq);
    public Tensor ne(Tensor other) => Binary(other, BinaryOp.Ne);
    public Tensor ne(double s) => Binary(s, BinaryOp.Ne);
    public Tensor lt(Tensor other) => Binary(other, BinaryOp.Lt);
    public Tensor lt(double s) => Binary(s, BinaryOp.Lt);
    public Tensor le(Tensor other) => Binary(other, BinaryOp.Le);
    public Tensor le(double s) => Binary(s, BinaryOp.Le);
    public Tensor gt(Tensor other) => Binary(other, BinaryOp.Gt);
    public Tensor gt(double s) => Binary(s, BinaryOp.Gt);
    public Tensor ge(Tensor other) => Binary(other, BinaryOp.Ge);
    public Tensor ge(double s) => Binary(s, BinaryOp.Ge);

    public Tensor neg() => Unary(UnaryOp.Neg);
    public Tensor abs() => Unary(UnaryOp.Abs);
    public Tensor exp() => Unary(UnaryOp.Exp);
    public Tensor log() => Unary(UnaryOp.Log);
    public Tensor sqrt() => Unary(UnaryOp.Sqrt);
    public Tensor rsqrt() => Unary(UnaryOp.Rsqrt);
    public Tensor sin() => Unary(UnaryOp.Sin);
    public Tensor cos() => Unary(UnaryOp.Cos);
    public Tensor tanh() => Unary(UnaryOp.Tanh);
    public Tensor sigmoid() => Unary(UnaryOp.Sigmoid);
    public Tensor relu() => Unary(UnaryOp.Relu);
    public Tensor floor() => Unary(UnaryOp.Floor);
    public Tensor ceil() => Unary(UnaryOp.Ceil);
    public Tensor round() => Unary(UnaryOp.Round);
    public Tensor trunc() => Unary(UnaryOp.Trunc);
    public Tensor sign() => Unary(UnaryOp.Sign);
    public Tensor logical_not() => Unary(UnaryOp.LogicalNot);
    public Tensor reciprocal() => Unary(UnaryOp.Reciprocal);
    public Tensor square() => Unary(UnaryOp.Square);
    public Tensor erf() => Unary(UnaryOp.Erf);
    public Tensor log1p() => Unary(UnaryOp.Log1p);
    public Tensor expm1() => Unary(UnaryOp.Expm1);
    public Tensor isnan() => Unary(UnaryOp.IsNan);

    public Tensor clamp(double? min = null, double? max = null) =>
        new(LibTorch.cvm_clamp(Handle, min ?? 0, max ?? 0, min.HasValue, max.HasValue));
    public Tensor clamp_min(double min) => clamp(min, null);
    public Tensor clamp_max(double max) => clamp(null, max);
    public Tensor masked_fill(Tensor mask, double value) => new(LibTorch.cvm_masked_fill(Handle, mask.Handle, value));
    public Tensor lerp(Tensor end, double weight) => new(LibTorch.cvm_lerp(Handle, end.Handle, weight));

    // In place: a (op)= b. Used on parameters and state tensors under no_grad.
    public Tensor add_(Tensor other) { Check.Status(LibTorch.cvm_binary_(Handle, other.Handle, (int)BinaryOp.Add)); return this; }
    public Tensor sub_(Tensor other) { Check.Status(LibTorch.cvm_binary_(Handle, other.Handle, (int)BinaryOp.Sub)); return this; }
    public Tensor mul_(Tensor other) { Check.Status(LibTorch.cvm_binary_(Handle, other.Handle, (int)BinaryOp.Mul)); return this; }
    public Tensor div_(Tensor other) { Check.Status(LibTorch.cvm_binary_(Handle, other.Handle, (int)BinaryOp.Div)); return this; }
    public Tensor add_(double s) { Check.Status(LibTorch.cvm_binary_scalar_(Handle, s, (int)BinaryOp.Add)); return this; }
    public Tensor mul_(double s) { Check.Status(LibTorch.cvm_binary_scalar_(Handle, s, (int)BinaryOp.Mul)); return this; }
    public Tensor div_(double s) { Check.Status(LibTorch.cvm_binary_scalar_(Handle, s, (int)BinaryOp.Div)); return this; }

    public Tensor matmul(Tensor other) => new(LibTorch.cvm_matmul(Handle, other.Handle));
    public Tensor bmm(Tensor other) => new(LibTorch.cvm_bmm(Handle, other.Handle));

    // ---- reductions ----
    private unsafe Tensor Reduce(delegate*<IntPtr, long*, int, bool, IntPtr> f, long[]? dims, bool keepdim)
    {
        dims ??= Array.Empty<long>();
        fixed (long* p = dims) return new(f(Handle, p, dims.Length, keepdim));
    }

    public unsafe Tensor sum() => Reduce(&LibTorch.cvm_sum, null, false);
    public unsafe Tensor sum(long dim, bool keepdim = false) => Reduce(&LibTorch.cvm_sum, [dim], keepdim);
    public unsafe Tensor sum(long[] dims, bool keepdim = false) => Reduce(&LibTorch.cvm_sum, dims, keepdim);
    public unsafe Tensor mean() => Reduce(&LibTorch.cvm_mean, null, false);
    public unsafe Tensor mean(long dim, bool keepdim = false) => Reduce(&LibTorch.cvm_mean, [dim], keepdim);
    public unsafe Tensor mean(long[] dims, bool keepdim = false) => Reduce(&LibTorch.cvm_mean, dims, keepdim);
    public unsafe Tensor amax(long dim, bool keepdim = false) => Reduce(&LibTorch.cvm_amax, [dim], keepdim);
    public unsafe Tensor amin(long dim, bool keepdim = false) => Reduce(&LibTorch.cvm_amin, [dim], keepdim);
    public unsafe Tensor logsumexp(long dim, bool keepdim = false) => Reduce(&LibTorch.cvm_logsumexp, [dim], keepdim);

    /// <summary>Variance with Bessel's correction by default (unbiased), as torch.var.</summary>
    public unsafe Tensor var(long[]? dims = null, bool unbiased = true, bool keepdim = false)
    {
        dims ??= Array.Empty<long>();
        fixed (long* p = dims) return new(LibTorch.cvm_var(Handle, p, dims.Length, unbiased, keepdim));
    }
    public Tensor var(long dim, bool unbiased = true, bool keepdim = false) => var([dim], unbiased, keepdim);

    public unsafe Tensor std(long[]? dims = null, bool unbiased = true, bool keepdim = false)
    {
        dims ??= Array.Empty<long>();
        fixed (long* p = dims) return new(LibTorch.cvm_std(Handle, p, dims.Length, unbiased, keepdim));
    }

    public unsafe Tensor norm(double p = 2, long[]? dims = null, bool keepdim = false)
    {
        dims ??= Array.Empty<long>();
        fixed (long* d = dims) return new(LibTorch.cvm_norm(Handle, p, d, dims.Length, keepdim));
    }

    public Tensor max() => new(LibTorch.cvm_max_all(Handle));
    public Tensor min() => new(LibTorch.cvm_min_all(Handle));
    public unsafe (Tensor values, Tensor indexes) max(long dim, bool keepdim = false)
    {
        IntPtr v, i;
        Check.Status(LibTorch.cvm_max_dim(Handle, dim, keepdim, &v, &i));
        return (new Tensor(v), new Tensor(i));
    }
    public unsafe (Tensor values, Tensor indexes) min(long dim, bool keepdim = false)
    {
        IntPtr v, i;
        Check.Status(LibTorch.cvm_min_dim(Handle, dim, keepdim, &v, &i));
        return (new Tensor(v), new Tensor(i));
    }
    public Tensor argmax(long dim, bool keepdim = false) => new(LibTorch.cvm_argmax(Handle, dim, keepdim));
    public Tensor argmin(long dim, bool keepdim = false) => new(LibTorch.cvm_argmin(Handle, dim, keepdim));
    public Tensor cumsum(long dim) => new(LibTorch.cvm_cumsum(Handle, dim));
    public Tensor all() => new(LibTorch.cvm_all(Handle));
    public Tensor any() => new(LibTorch.cvm_any(Handle));

    // ---- sorting ----
    public unsafe (Tensor values, Tensor indices) sort(long dim = -1, bool descending = false, bool stable = false)
    {
        IntPtr v, i;
        Check.Status(LibTorch.cvm_sort(Handle, dim, descending, stable, &v, &i));
        return (new Tensor(v), new Tensor(i));
    }
    public Tensor argsort(long dim = -1, bool descending = false) => new(LibTorch.cvm_argsort(Handle, dim, descending));
    public unsafe (Tensor values, Tensor indices) topk(long k, long dim = -1, bool largest = true, bool sorted = true)
    {
        IntPtr v, i;
        Check.Status(LibTorch.cvm_topk(Handle, k, dim, largest, sorted, &v, &i));
        return (new Tensor(v), new Tensor(i));
    }
}
