// Views and shape changes: reshape, permute, slicing, joining and splitting.
#include "shim.h"

CVM_API TensorH cvm_reshape(TensorH t, const int64_t* shape, int n) { CVM_RETURN_TENSOR(t->reshape(cvm_dims(shape, n))); }
CVM_API TensorH cvm_view(TensorH t, const int64_t* shape, int n) { CVM_RETURN_TENSOR(t->view(cvm_dims(shape, n))); }
CVM_API TensorH cvm_permute(TensorH t, const int64_t* dims, int n) { CVM_RETURN_TENSOR(t->permute(cvm_dims(dims, n))); }
CVM_API TensorH cvm_transpose(TensorH t, int64_t d0, int64_t d1) { CVM_RETURN_TENSOR(t->transpose(d0, d1)); }
CVM_API TensorH cvm_flatten(TensorH t, int64_t start, int64_t end) { CVM_RETURN_TENSOR(t->flatten(start, end)); }
CVM_API TensorH cvm_unsqueeze(TensorH t, int64_t dim) { CVM_RETURN_TENSOR(t->unsqueeze(dim)); }
CVM_API TensorH cvm_squeeze(TensorH t, int64_t dim) { CVM_RETURN_TENSOR(t->squeeze(dim)); }
CVM_API TensorH cvm_squeeze_all(TensorH t) { CVM_RETURN_TENSOR(t->squeeze()); }
CVM_API TensorH cvm_expand(TensorH t, const int64_t* shape, int n) { CVM_RETURN_TENSOR(t->expand(cvm_dims(shape, n))); }
CVM_API TensorH cvm_repeat(TensorH t, const int64_t* reps, int n) { CVM_RETURN_TENSOR(t->repeat(cvm_dims(reps, n))); }
CVM_API TensorH cvm_repeat_interleave(TensorH t, int64_t repeats, int64_t dim) { CVM_RETURN_TENSOR(t->repeat_interleave(repeats, dim)); }
CVM_API TensorH cvm_narrow(TensorH t, int64_t dim, int64_t start, int64_t length) { CVM_RETURN_TENSOR(t->narrow(dim, start, length)); }
CVM_API TensorH cvm_select(TensorH t, int64_t dim, int64_t index) { CVM_RETURN_TENSOR(t->select(dim, index)); }
CVM_API TensorH cvm_slice(TensorH t, int64_t dim, int64_t start, int64_t end, int64_t step) { CVM_RETURN_TENSOR(t->slice(dim, start, end, step)); }
CVM_API TensorH cvm_flip(TensorH t, const int64_t* dims, int n) { CVM_RETURN_TENSOR(t->flip(cvm_dims(dims, n))); }
CVM_API TensorH cvm_roll(TensorH t, const int64_t* shifts, const int64_t* dims, int n) { CVM_RETURN_TENSOR(t->roll(cvm_dims(shifts, n), cvm_dims(dims, n))); }
CVM_API TensorH cvm_tril(TensorH t, int64_t diagonal) { CVM_RETURN_TENSOR(t->tril(diagonal)); }
CVM_API TensorH cvm_triu(TensorH t, int64_t diagonal) { CVM_RETURN_TENSOR(t->triu(diagonal)); }

CVM_API TensorH cvm_cat(const TensorH* ts, int n, int64_t dim) { CVM_RETURN_TENSOR(at::cat(cvm_tensor_list(ts, n), dim)); }
CVM_API TensorH cvm_stack(const TensorH* ts, int n, int64_t dim) { CVM_RETURN_TENSOR(at::stack(cvm_tensor_list(ts, n), dim)); }

// Splits into len(sizes) parts along dim; `out` receives one handle per part.
CVM_API int cvm_split_with_sizes(TensorH t, const int64_t* sizes, int n, int64_t dim, TensorH* out) {
  CVM_RETURN_STATUS({
    auto parts = t->split_with_sizes(cvm_dims(sizes, n), dim);
    for (size_t i = 0; i < parts.size(); i++) out[i] = new at::Tensor(parts[i]);
  });
}

// Splits into at most `chunks` parts; `out` must hold `chunks` handles, *count gets the number made.
CVM_API int cvm_chunk(TensorH t, int64_t chunks, int64_t dim, TensorH* out, int* count) {
  CVM_RETURN_STATUS({
    auto parts = t->chunk(chunks, dim);
    *count = (int)parts.size();
    for (size_t i = 0; i < parts.size(); i++) out[i] = new at::Tensor(parts[i]);
  });
}
