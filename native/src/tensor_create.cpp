// Tensor creation, properties, copies between host memory and tensors, generators.
#include "shim.h"
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/GradMode.h>  // c10::NoGradGuard (ATen.h stopped bringing at::NoGradGuard in 2.x)
#include <cmath>
#include <cstring>
#include <functional>
#include <mutex>
#include <sstream>

CVM_API void cvm_tensor_free(TensorH t) { delete t; }

CVM_API TensorH cvm_zeros(const int64_t* shape, int ndim, int8_t dtype, int devtype, int devidx, bool rg) {
  CVM_RETURN_TENSOR(at::zeros(cvm_dims(shape, ndim), cvm_options(dtype, devtype, devidx, rg)));
}

CVM_API TensorH cvm_ones(const int64_t* shape, int ndim, int8_t dtype, int devtype, int devidx, bool rg) {
  CVM_RETURN_TENSOR(at::ones(cvm_dims(shape, ndim), cvm_options(dtype, devtype, devidx, rg)));
}

CVM_API TensorH cvm_empty(const int64_t* shape, int ndim, int8_t dtype, int devtype, int devidx, bool rg) {
  CVM_RETURN_TENSOR(at::empty(cvm_dims(shape, ndim), cvm_options(dtype, devtype, devidx, rg)));
}

CVM_API TensorH cvm_full(const int64_t* shape, int ndim, double value, int8_t dtype, int devtype, int devidx, bool rg) {
  CVM_RETURN_TENSOR(at::full(cvm_dims(shape, ndim), value, cvm_options(dtype, devtype, devidx, rg)));
}

// Random tensors are drawn on the CPU from the given generator (or the default one) and then
// moved, so that a seed gives the same values on every device.
static at::Tensor to_target(at::Tensor t, int devtype, int devidx, bool rg) {
  if (devtype != 0) t = t.to(cvm_device(devtype, devidx));
  if (rg) t.set_requires_grad(true);
  return t;
}

CVM_API TensorH cvm_rand(const int64_t* shape, int ndim, GenH gen, int8_t dtype, int devtype, int devidx, bool rg) {
  CVM_RETURN_TENSOR(to_target(at::rand(cvm_dims(shape, ndim), cvm_gen(gen), at::TensorOptions().dtype((at::ScalarType)dtype)), devtype, devidx, rg));
}

CVM_API TensorH cvm_randn(const int64_t* shape, int ndim, GenH gen, int8_t dtype, int devtype, int devidx, bool rg) {
  CVM_RETURN_TENSOR(to_target(at::randn(cvm_dims(shape, ndim), cvm_gen(gen), at::TensorOptions().dtype((at::ScalarType)dtype)), devtype, devidx, rg));
}

CVM_API TensorH cvm_randint(int64_t low, int64_t high, const int64_t* shape, int ndim, GenH gen, int8_t dtype, int devtype, int devidx) {
  CVM_RETURN_TENSOR(to_target(at::randint(low, high, cvm_dims(shape, ndim), cvm_gen(gen), at::TensorOptions().dtype((at::ScalarType)dtype)), devtype, devidx, false));
}

CVM_API TensorH cvm_randperm(int64_t n, GenH gen, int8_t dtype, int devtype, int devidx) {
  CVM_RETURN_TENSOR(to_target(at::randperm(n, cvm_gen(gen), at::TensorOptions().dtype((at::ScalarType)dtype)), devtype, devidx, false));
}

CVM_API TensorH cvm_arange(double start, double end, double step, int8_t dtype, int devtype, int devidx, bool rg) {
  CVM_RETURN_TENSOR(at::arange(start, end, step, cvm_options(dtype, devtype, devidx, rg)));
}

CVM_API TensorH cvm_linspace(double start, double end, int64_t steps, int8_t dtype, int devtype, int devidx) {
  CVM_RETURN_TENSOR(at::linspace(start, end, steps, cvm_options(dtype, devtype, devidx, false)));
}

// Wraps caller memory without copying. `release(ctx)` is called when libtorch frees the storage
// (the C# side unpins its array there).
typedef void (*cvm_release_fn)(void* ctx);
CVM_API TensorH cvm_from_blob(void* data, const int64_t* shape, int ndim, int8_t dtype, cvm_release_fn release, void* ctx) {
  CVM_RETURN_TENSOR(at::from_blob(
      data, cvm_dims(shape, ndim), [release, ctx](void*) { if (release) release(ctx); },
      at::TensorOptions().dtype((at::ScalarType)dtype)));
}

// Copies `nbytes` of host memory into a new CPU tensor of the given shape and dtype.
CVM_API TensorH cvm_from_bytes(const void* data, int64_t nbytes, const int64_t* shape, int ndim, int8_t dtype) {
  try {
    at::Tensor t = at::empty(cvm_dims(shape, ndim), at::TensorOptions().dtype((at::ScalarType)dtype));
    if ((int64_t)t.nbytes() != nbytes) {
      cvm_set_error(("byte count " + std::to_string(nbytes) + " does not match shape (" + std::to_string(t.nbytes()) + " bytes)").c_str());
      return nullptr;
    }
    if (nbytes > 0) std::memcpy(t.data_ptr(), data, (size_t)nbytes);
    return new at::Tensor(t);
  }
  CVM_CATCH
  return nullptr;
}

// Copies a tensor's values (any device, any layout) into host memory of exactly nbytes.
CVM_API int cvm_copy_to_bytes(TensorH t, void* dst, int64_t nbytes) {
  CVM_RETURN_STATUS({
    at::Tensor c = t->detach().to(at::kCPU).contiguous();
    TORCH_CHECK((int64_t)c.nbytes() == nbytes, "destination holds ", nbytes, " bytes, tensor has ", c.nbytes());
    if (nbytes > 0) std::memcpy(dst, c.data_ptr(), (size_t)nbytes);
  });
}

CVM_API void* cvm_data_ptr(TensorH t) {
  try { return t->data_ptr(); } CVM_CATCH
  return nullptr;
}

CVM_API int cvm_ndim(TensorH t) { return (int)t->dim(); }
CVM_API int64_t cvm_numel(TensorH t) { return t->numel(); }
CVM_API int64_t cvm_element_size(TensorH t) { return (int64_t)t->element_size(); }
CVM_API void cvm_shape(TensorH t, int64_t* out) {
  auto s = t->sizes();
  for (size_t i = 0; i < s.size(); i++) out[i] = s[i];
}
CVM_API void cvm_strides(TensorH t, int64_t* out) {
  auto s = t->strides();
  for (size_t i = 0; i < s.size(); i++) out[i] = s[i];
}
CVM_API int8_t cvm_dtype(TensorH t) { return (int8_t)t->scalar_type(); }
CVM_API int cvm_device_type(TensorH t) { return t->device().is_cuda() ? 1 : 0; }
CVM_API int cvm_device_index(TensorH t) { return t->device().index(); }
CVM_API bool cvm_is_contiguous(TensorH t) { return t->is_contiguous(); }
CVM_API bool cvm_requires_grad(TensorH t) { return t->requires_grad(); }
CVM_API bool cvm_is_leaf(TensorH t) { return t->is_leaf(); }

CVM_API int cvm_set_requires_grad(TensorH t, bool value) {
  CVM_RETURN_STATUS(t->set_requires_grad(value));
}

// Returns the gradient handle, or nullptr when the tensor has none (no error is set then).
CVM_API TensorH cvm_grad(TensorH t) {
  const at::Tensor& g = t->grad();
  return g.defined() ? new at::Tensor(g) : nullptr;
}

CVM_API int cvm_set_grad(TensorH t, TensorH g) {
  CVM_RETURN_STATUS({
    if (g) t->mutable_grad() = *g;
    else t->mutable_grad().reset();
  });
}

CVM_API TensorH cvm_clone(TensorH t) { CVM_RETURN_TENSOR(t->clone()); }
CVM_API TensorH cvm_detach(TensorH t) { CVM_RETURN_TENSOR(t->detach()); }
CVM_API TensorH cvm_contiguous(TensorH t) { CVM_RETURN_TENSOR(t->contiguous()); }
CVM_API TensorH cvm_alias(TensorH t) { CVM_RETURN_TENSOR(*t); }

CVM_API TensorH cvm_to(TensorH t, int8_t dtype, int devtype, int devidx, bool non_blocking, bool copy) {
  CVM_RETURN_TENSOR(t->to(cvm_device(devtype, devidx), (at::ScalarType)dtype, non_blocking, copy));
}

CVM_API int cvm_item_double(TensorH t, double* out) { CVM_RETURN_STATUS(*out = t->item<double>()); }
CVM_API int cvm_item_long(TensorH t, int64_t* out) { CVM_RETURN_STATUS(*out = t->item<int64_t>()); }

CVM_API int cvm_copy_(TensorH dst, TensorH src) { CVM_RETURN_STATUS(dst->copy_(*src)); }
CVM_API int cvm_fill_(TensorH t, double v) { CVM_RETURN_STATUS(t->fill_(v)); }
CVM_API int cvm_zero_(TensorH t) { CVM_RETURN_STATUS(t->zero_()); }
CVM_API int cvm_uniform_(TensorH t, double lo, double hi, GenH gen) { CVM_RETURN_STATUS(t->uniform_(lo, hi, cvm_gen(gen))); }
CVM_API int cvm_normal_(TensorH t, double mean, double std, GenH gen) { CVM_RETURN_STATUS(t->normal_(mean, std, cvm_gen(gen))); }
// Normal(mean, std) truncated to [lo, hi] by inverse-CDF sampling, as torch.nn.init.trunc_normal_
// (the same draws from the same generator give the same values): u ~ U(2 cdf(a) - 1, 2 cdf(b) - 1),
// x = mean + std * sqrt(2) * erfinv(u), clamped to [lo, hi] against rounding.
CVM_API int cvm_trunc_normal_(TensorH t, double mean, double std, double lo, double hi, GenH gen) {
  CVM_RETURN_STATUS({
    TORCH_CHECK(lo < hi, "trunc_normal_ needs lo < hi, got [", lo, ", ", hi, "]");
    c10::NoGradGuard no_grad;
    auto cdf = [](double x) { return (1.0 + std::erf(x / std::sqrt(2.0))) / 2.0; };
    double l = cdf((lo - mean) / std), u = cdf((hi - mean) / std);
    t->uniform_(2 * l - 1, 2 * u - 1, cvm_gen(gen));
    t->erfinv_();
    t->mul_(std * std::sqrt(2.0));
    t->add_(mean);
    t->clamp_(lo, hi);
  });
}

CVM_API const char* cvm_to_string(TensorH t) {
  static thread_local std::string s;
  try {
    std::ostringstream os;
    os << *t;
    s = os.str();
    return s.c_str();
  }
  CVM_CATCH
  return nullptr;
}

// ---- generators ----
CVM_API GenH cvm_generator_new(uint64_t seed) {
  try {
    auto g = at::make_generator<at::CPUGeneratorImpl>(seed);
    return new at::Generator(g);
  }
  CVM_CATCH
  return nullptr;
}
CVM_API void cvm_generator_free(GenH g) { delete g; }
CVM_API GenH cvm_generator_default() { return new at::Generator(at::detail::getDefaultCPUGenerator()); }
CVM_API int cvm_generator_seed(GenH g, uint64_t seed) {
  CVM_RETURN_STATUS({ std::lock_guard<std::mutex> lock(g->mutex()); g->set_current_seed(seed); });
}
CVM_API TensorH cvm_generator_get_state(GenH g) {
  try {
    std::lock_guard<std::mutex> lock(g->mutex());
    return new at::Tensor(g->get_state());
  }
  CVM_CATCH
  return nullptr;
}
CVM_API int cvm_generator_set_state(GenH g, TensorH state) {
  CVM_RETURN_STATUS({ std::lock_guard<std::mutex> lock(g->mutex()); g->set_state(*state); });
}
