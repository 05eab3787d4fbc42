// Common definitions of the C ABI over libtorch.
// Handles are opaque pointers (at::Tensor*, at::Generator*). Every export catches libtorch
// exceptions at the boundary and stores the message in a thread-local string (cvm_last_error).
// Tensor-returning functions return nullptr on error; the others return 0 on success, 1 on error.
//
// Only ATen is included here (not <torch/torch.h>, which pulls in the whole C++ frontend and
// made the shim take 4.7 times the CPU time to compile); the few files that need more include
// it themselves. CMake compiles this header once as a precompiled header.
#pragma once
#include <ATen/ATen.h>
#include <torch/version.h>
#include <atomic>
#include <string>
#include <vector>

#define CVM_API extern "C" __attribute__((visibility("default")))

typedef at::Tensor* TensorH;
typedef at::Generator* GenH;

void cvm_set_error(const char* msg);
void cvm_clear_error();

// Intra-op thread count. OpenMP keeps it per OS thread, and OpenBLAS reads the calling thread's
// value, so a count set on one .NET thread would not reach the thread-pool threads that run later
// steps (results then depend on which thread ran them). cvm_set_num_threads bumps a generation;
// every export applies the newest count on its thread before it runs (one compare when current).
extern std::atomic<int> cvm_threads_generation;
extern thread_local int cvm_threads_seen;
void cvm_apply_num_threads();
inline void cvm_sync_threads() {
  if (cvm_threads_seen != cvm_threads_generation.load(std::memory_order_acquire)) cvm_apply_num_threads();
}

#define CVM_CATCH                                                     \
  catch (const c10::Error& e) { cvm_set_error(e.what_without_backtrace()); } \
  catch (const std::exception& e) { cvm_set_error(e.what()); }        \
  catch (...) { cvm_set_error("unknown native exception"); }

// Runs `expr` (which yields an at::Tensor) and returns it as a new handle.
#define CVM_RETURN_TENSOR(...)                         \
  try { cvm_sync_threads(); return new at::Tensor(__VA_ARGS__); } CVM_CATCH \
  return nullptr;

// Runs a statement block and returns 0, or 1 after storing the error.
#define CVM_RETURN_STATUS(...)             \
  try { cvm_sync_threads(); __VA_ARGS__; return 0; } CVM_CATCH \
  return 1;

inline at::IntArrayRef cvm_dims(const int64_t* p, int n) { return at::IntArrayRef(p, (size_t)n); }

inline c10::optional<at::Tensor> cvm_opt(TensorH t) {
  return t ? c10::optional<at::Tensor>(*t) : c10::nullopt;
}

inline at::Device cvm_device(int type, int index) {
  return at::Device(type == 1 ? at::kCUDA : at::kCPU, (c10::DeviceIndex)index);
}

inline at::TensorOptions cvm_options(int8_t dtype, int devtype, int devidx, bool requires_grad) {
  return at::TensorOptions()
      .dtype((at::ScalarType)dtype)
      .device(cvm_device(devtype, devidx))
      .requires_grad(requires_grad);
}

inline std::vector<at::Tensor> cvm_tensor_list(const TensorH* ts, int n) {
  std::vector<at::Tensor> v;
  v.reserve(n);
  for (int i = 0; i < n; i++) v.push_back(*ts[i]);
  return v;
}

inline c10::optional<at::Generator> cvm_gen(GenH g) {
  return g ? c10::optional<at::Generator>(*g) : c10::nullopt;
}
