// Elementwise math (by op code), reductions, matrix products, indexing, sorting.
// The op codes are mirrored by the C# enums UnaryOp / BinaryOp in src/Torch/Native.
#include "shim.h"

enum UnaryOp {
  U_NEG = 0, U_ABS, U_EXP, U_LOG, U_SQRT, U_RSQRT, U_SIN, U_COS, U_TANH, U_SIGMOID,
  U_RELU, U_FLOOR, U_CEIL, U_ROUND, U_SIGN, U_LOGICAL_NOT, U_RECIPROCAL, U_SQUARE, U_ERF,
  U_LOG1P, U_EXPM1, U_SILU, U_ISNAN, U_TRUNC
};

static at::Tensor unary(const at::Tensor& t, int op) {
  switch (op) {
    case U_NEG: return t.neg();
    case U_ABS: return t.abs();
    case U_EXP: return t.exp();
    case U_LOG: return t.log();
    case U_SQRT: return t.sqrt();
    case U_RSQRT: return t.rsqrt();
    case U_SIN: return t.sin();
    case U_COS: return t.cos();
    case U_TANH: return t.tanh();
    case U_SIGMOID: return t.sigmoid();
    case U_RELU: return t.relu();
    case U_FLOOR: return t.floor();
    case U_CEIL: return t.ceil();
    case U_ROUND: return t.round();
    case U_SIGN: return t.sign();
    case U_LOGICAL_NOT: return t.logical_not();
    case U_RECIPROCAL: return t.reciprocal();
    case U_SQUARE: return t.square();
    case U_ERF: return t.erf();
    case U_LOG1P: return t.log1p();
    case U_EXPM1: return t.expm1();
    case U_SILU: return at::silu(t);
    case U_ISNAN: return t.isnan();
    case U_TRUNC: return t.trunc();
  }
  TORCH_CHECK(false, "unknown unary op code ", op);
}

CVM_API TensorH cvm_unary(TensorH t, int op) { CVM_RETURN_TENSOR(unary(*t, op)); }

enum BinaryOp {
  B_ADD = 0, B_SUB, B_MUL, B_DIV, B_POW, B_MAXIMUM, B_MINIMUM, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE,
  B_LOGICAL_AND, B_LOGICAL_OR, B_REMAINDER, B_FLOOR_DIVIDE, B_ATAN2, B_RSUB
};

template <typename B>
static at::Tensor binary(const at::Tensor& a, const B& b, int op) {
  switch (op) {
    case B_ADD: return at::add(a, b);
    case B_SUB: return at::sub(a, b);
    case B_MUL: return at::mul(a, b);
    case B_DIV: return at::div(a, b);
    case B_POW: return at::pow(a, b);
    case B_EQ: return at::eq(a, b);
    case B_NE: return at::ne(a, b);
    case B_LT: return at::lt(a, b);
    case B_LE: return at::le(a, b);
    case B_GT: return at::gt(a, b);
    case B_GE: return at::ge(a, b);
    case B_REMAINDER: return at::remainder(a, b);
    case B_FLOOR_DIVIDE: return at::floor_divide(a, b);
    case B_RSUB: return at::rsub(a, b);
  }
  TORCH_CHECK(false, "op code ", op, " is not available in this form");
}

static at::Tensor binary_tt(const at::Tensor& a, const at::Tensor& b, int op) {
  switch (op) {
    case B_MAXIMUM: return at::maximum(a, b);
    case B_MINIMUM: return at::minimum(a, b);
    case B_LOGICAL_AND: return at::logical_and(a, b);
    case B_LOGICAL_OR: return at::logical_or(a, b);
    case B_ATAN2: return at::atan2(a, b);
  }
  return binary(a, b, op);
}

CVM_API TensorH cvm_binary(TensorH a, TensorH b, int op) { CVM_RETURN_TENSOR(binary_tt(*a, *b, op)); }
CVM_API TensorH cvm_binary_scalar(TensorH a, double s, int op) { CVM_RETURN_TENSOR(binary(*a, at::Scalar(s), op)); }

// In-place forms used on parameters and buffers: a (op)= b, a (op)= s.
CVM_API int cvm_binary_(TensorH a, TensorH b, int op) {
  CVM_RETURN_STATUS({
    switch (op) {
      case B_ADD: a->add_(*b); break;
      case B_SUB: a->sub_(*b); break;
      case B_MUL: a->mul_(*b); break;
      case B_DIV: a->div_(*b); break;
      default: TORCH_CHECK(false, "in-place op code ", op, " not supported");
    }
  });
}
CVM_API int cvm_binary_scalar_(TensorH a, double s, int op) {
  CVM_RETURN_STATUS({
    switch (op) {
      case B_ADD: a->add_(s); break;
      case B_SUB: a->sub_(s); break;
      case B_MUL: a->mul_(s); break;
      case B_DIV: a->div_(s); break;
      case B_POW: a->pow_(s); break;
      default: TORCH_CHECK(false, "in-place op code ", op, " not supported");
    }
  });
}

CVM_API TensorH cvm_add_scaled(TensorH a, TensorH b, double alpha) { CVM_RETURN_TENSOR(at::add(*a, *b, alpha)); }
CVM_API TensorH cvm_clamp(TensorH t, double lo, double hi, bool has_lo, bool has_hi) {
  CVM_RETURN_TENSOR(at::clamp(*t, has_lo ? c10::optional<at::Scalar>(lo) : c10::nullopt,
                              has_hi ? c10::optional<at::Scalar>(hi) : c10::nullopt));
}
CVM_API TensorH cvm_where(TensorH cond, TensorH a, TensorH b) { CVM_RETURN_TENSOR(at::where(*cond, *a, *b)); }
CVM_API TensorH cvm_masked_fill(TensorH t, TensorH mask, double v) { CVM_RETURN_TENSOR(t->masked_fill(*mask, v)); }
CVM_API TensorH cvm_lerp(TensorH a, TensorH b, double w) { CVM_RETURN_TENSOR(at::lerp(*a, *b, w)); }

// ---- matrix products ----
CVM_API TensorH cvm_matmul(TensorH a, TensorH b) { CVM_RETURN_TENSOR(at::matmul(*a, *b)); }
CVM_API TensorH cvm_bmm(TensorH a, TensorH b) { CVM_RETURN_TENSOR(at::bmm(*a, *b)); }
CVM_API TensorH cvm_einsum(const char* eq, const TensorH* ts, int n) { CVM_RETURN_TENSOR(at::einsum(eq, cvm_tensor_list(ts, n))); }

// ---- reductions (ndim = 0 and dims = nullptr mean all dimensions) ----
CVM_API TensorH cvm_sum(TensorH t, const int64_t* dims, int n, bool keepdim) {
  CVM_RETURN_TENSOR(n == 0 ? t->sum() : t->sum(cvm_dims(dims, n), keepdim));
}
CVM_API TensorH cvm_mean(TensorH t, const int64_t* dims, int n, bool keepdim) {
  CVM_RETURN_TENSOR(n == 0 ? t->mean() : t->mean(cvm_dims(dims, n), keepdim));
}
// unbiased: divide by N - 1 (Bessel's correction) instead of N. The bool overload exists from 1.x
// through 2.x, unlike the correction argument's type (optional<int64_t>, later optional<Scalar>).
CVM_API TensorH cvm_var(TensorH t, const int64_t* dims, int n, bool unbiased, bool keepdim) {
  CVM_RETURN_TENSOR(at::var(*t, n == 0 ? at::OptionalIntArrayRef() : at::OptionalIntArrayRef(cvm_dims(dims, n)), unbiased, keepdim));
}
CVM_API TensorH cvm_std(TensorH t, const int64_t* dims, int n, bool unbiased, bool keepdim) {
  CVM_RETURN_TENSOR(at::std(*t, n == 0 ? at::OptionalIntArrayRef() : at::OptionalIntArrayRef(cvm_dims(dims, n)), unbiased, keepdim));
}
CVM_API TensorH cvm_amax(TensorH t, const int64_t* dims, int n, bool keepdim) { CVM_RETURN_TENSOR(at::amax(*t, cvm_dims(dims, n), keepdim)); }
CVM_API TensorH cvm_amin(TensorH t, const int64_t* dims, int n, bool keepdim) { CVM_RETURN_TENSOR(at::amin(*t, cvm_dims(dims, n), keepdim)); }
CVM_API TensorH cvm_max_all(TensorH t) { CVM_RETURN_TENSOR(t->max()); }
CVM_API TensorH cvm_min_all(TensorH t) { CVM_RETURN_TENSOR(t->min()); }
CVM_API TensorH cvm_argmax(TensorH t, int64_t dim, bool keepdim) { CVM_RETURN_TENSOR(t->argmax(dim, keepdim)); }
CVM_API TensorH cvm_argmin(TensorH t, int64_t dim, bool keepdim) { CVM_RETURN_TENSOR(t->argmin(dim, keepdim)); }
CVM_API TensorH cvm_norm(TensorH t, double p, const int64_t* dims, int n, bool keepdim) {
  CVM_RETURN_TENSOR(n == 0 ? at::norm(*t, p) : at::norm(*t, p, cvm_dims(dims, n), keepdim));
}
CVM_API TensorH cvm_logsumexp(TensorH t, const int64_t* dims, int n, bool keepdim) { CVM_RETURN_TENSOR(at::logsumexp(*t, cvm_dims(dims, n), keepdim)); }
CVM_API TensorH cvm_cumsum(TensorH t, int64_t dim) { CVM_RETURN_TENSOR(t->cumsum(dim)); }
CVM_API TensorH cvm_all(TensorH t) { CVM_RETURN_TENSOR(t->all()); }
CVM_API TensorH cvm_any(TensorH t) { CVM_RETURN_TENSOR(t->any()); }

// max/min along a dimension: values and indices.
CVM_API int cvm_max_dim(TensorH t, int64_t dim, bool keepdim, TensorH* values, TensorH* indices) {
  CVM_RETURN_STATUS({
    auto r = t->max(dim, keepdim);
    *values = new at::Tensor(std::get<0>(r));
    *indices = new at::Tensor(std::get<1>(r));
  });
}
CVM_API int cvm_min_dim(TensorH t, int64_t dim, bool keepdim, TensorH* values, TensorH* indices) {
  CVM_RETURN_STATUS({
    auto r = t->min(dim, keepdim);
    *values = new at::Tensor(std::get<0>(r));
    *indices = new at::Tensor(std::get<1>(r));
  });
}

// ---- sorting ----
CVM_API int cvm_sort(TensorH t, int64_t dim, bool descending, bool stable, TensorH* values, TensorH* indices) {
  CVM_RETURN_STATUS({
    auto r = t->sort(stable, dim, descending);
    *values = new at::Tensor(std::get<0>(r));
    *indices = new at::Tensor(std::get<1>(r));
  });
}
CVM_API TensorH cvm_argsort(TensorH t, int64_t dim, bool descending) { CVM_RETURN_TENSOR(t->argsort(dim, descending)); }
CVM_API int cvm_topk(TensorH t, int64_t k, int64_t dim, bool largest, bool sorted, TensorH* values, TensorH* indices) {
  CVM_RETURN_STATUS({
    auto r = t->topk(k, dim, largest, sorted);
    *values = new at::Tensor(std::get<0>(r));
    *indices = new at::Tensor(std::get<1>(r));
  });
}

// ---- indexing ----
CVM_API TensorH cvm_gather(TensorH t, int64_t dim, TensorH idx) { CVM_RETURN_TENSOR(at::gather(*t, dim, *idx)); }
CVM_API TensorH cvm_scatter(TensorH t, int64_t dim, TensorH idx, TensorH src) { CVM_RETURN_TENSOR(at::scatter(*t, dim, *idx, *src)); }
CVM_API TensorH cvm_scatter_add(TensorH t, int64_t dim, TensorH idx, TensorH src) { CVM_RETURN_TENSOR(at::scatter_add(*t, dim, *idx, *src)); }
CVM_API TensorH cvm_index_select(TensorH t, int64_t dim, TensorH idx) { CVM_RETURN_TENSOR(at::index_select(*t, dim, *idx)); }
CVM_API TensorH cvm_masked_select(TensorH t, TensorH mask) { CVM_RETURN_TENSOR(at::masked_select(*t, *mask)); }
CVM_API TensorH cvm_nonzero(TensorH t) { CVM_RETURN_TENSOR(at::nonzero(*t)); }
CVM_API TensorH cvm_one_hot(TensorH t, int64_t num_classes) { CVM_RETURN_TENSOR(at::one_hot(*t, num_classes)); }

// Advanced indexing t[i0, i1, ...] with tensor indices; a null entry stands for a full slice.
CVM_API TensorH cvm_index(TensorH t, const TensorH* idx, int n) {
  try {
    c10::List<c10::optional<at::Tensor>> list;
    for (int i = 0; i < n; i++) list.push_back(cvm_opt(idx[i]));
    return new at::Tensor(at::index(*t, list));
  }
  CVM_CATCH
  return nullptr;
}
CVM_API int cvm_index_put_(TensorH t, const TensorH* idx, int n, TensorH values, bool accumulate) {
  CVM_RETURN_STATUS({
    c10::List<c10::optional<at::Tensor>> list;
    for (int i = 0; i < n; i++) list.push_back(cvm_opt(idx[i]));
    t->index_put_(list, *values, accumulate);
  });
}
