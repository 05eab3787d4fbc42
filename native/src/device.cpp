// Runtime facts and switches: version, build configuration, threads, seeds, CUDA devices.
//
// CUDA: CMake defines CVM_WITH_CUDA when the libtorch it finds has torch_cuda (a PyTorch 2.x
// install: LIBTORCH_DIR=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')).
// Tensors reach a GPU through the ordinary paths, Tensor.to(Device.CUDA()) / Module.to(device)
// (cvm_to) and creation with a device (cvm_options); nothing here is CUDA-specific beyond the
// device facts below. These paths are written against the 2.x headers but have not been run on
// a GPU yet.
#include "shim.h"
#include <ATen/Parallel.h>
#include <torch/cuda.h>
#ifdef CVM_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#endif

CVM_API const char* cvm_torch_version() { return TORCH_VERSION; }

CVM_API const char* cvm_show_config() {
  static std::string s;
  s = at::show_config();
  return s.c_str();
}

std::atomic<int> cvm_threads_generation{0};
thread_local int cvm_threads_seen = 0;
static std::atomic<int> cvm_threads_wanted{0};

void cvm_apply_num_threads() {
  int gen = cvm_threads_generation.load(std::memory_order_acquire);
  int n = cvm_threads_wanted.load(std::memory_order_relaxed);
  if (n > 0) at::set_num_threads(n);
  cvm_threads_seen = gen;
}

CVM_API void cvm_set_num_threads(int n) {
  cvm_threads_wanted.store(n, std::memory_order_relaxed);
  cvm_threads_generation.fetch_add(1, std::memory_order_release);
  cvm_apply_num_threads();
}
CVM_API int cvm_get_num_threads() {
  cvm_sync_threads();
  return at::get_num_threads();
}
CVM_API int cvm_set_num_interop_threads(int n) { CVM_RETURN_STATUS(at::set_num_interop_threads(n)); }

// Seeds the default CPU generator and, where there are GPUs, every CUDA one (torch.manual_seed).
CVM_API void cvm_manual_seed(uint64_t seed) { at::manual_seed(seed); }

CVM_API bool cvm_cuda_is_available() { return torch::cuda::is_available(); }
CVM_API int cvm_cuda_device_count() { return (int)torch::cuda::device_count(); }
CVM_API bool cvm_built_with_cuda() {
#ifdef CVM_WITH_CUDA
  return true;
#else
  return false;
#endif
}

CVM_API const char* cvm_cuda_device_name(int index) {
  static thread_local std::string s;
#ifdef CVM_WITH_CUDA
  try {
    s = at::cuda::getDeviceProperties(index)->name;
    return s.c_str();
  }
  CVM_CATCH
  return nullptr;
#else
  s = "";
  return s.c_str();
#endif
}

CVM_API int cvm_cuda_synchronize(int index) {
#ifdef CVM_WITH_CUDA
  CVM_RETURN_STATUS({
    c10::cuda::CUDAGuard guard((c10::DeviceIndex)index);
    c10::cuda::device_synchronize();
  });
#else
  return 0;
#endif
}

// Peak and current bytes held by the CUDA caching allocator on a device (0 without CUDA).
CVM_API int cvm_cuda_memory(int index, int64_t* allocated, int64_t* peak, int reset_peak) {
#ifdef CVM_WITH_CUDA
  CVM_RETURN_STATUS({
    auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(index);
    *allocated = stats.allocated_bytes[0].current;
    *peak = stats.allocated_bytes[0].peak;
    if (reset_peak) c10::cuda::CUDACachingAllocator::resetPeakStats(index);
  });
#else
  *allocated = 0;
  *peak = 0;
  return 0;
#endif
}
