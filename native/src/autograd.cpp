// Autograd: backward, torch.autograd.grad, the grad mode switch, autocast.
#include "shim.h"
#include <ATen/autocast_mode.h>
#include <torch/csrc/autograd/autograd.h>

CVM_API int cvm_backward(TensorH t, TensorH grad, bool retain_graph, bool create_graph) {
  CVM_RETURN_STATUS(t->backward(grad ? *grad : at::Tensor(), retain_graph, create_graph));
}

// Gradients of outputs w.r.t. inputs; `out` receives one handle per input (nullptr if unused).
CVM_API int cvm_autograd_grad(const TensorH* outputs, int n_out, const TensorH* inputs, int n_in,
                              const TensorH* grad_outputs, bool retain_graph, bool create_graph,
                              bool allow_unused, TensorH* out) {
  CVM_RETURN_STATUS({
    std::vector<at::Tensor> go;
    if (grad_outputs) go = cvm_tensor_list(grad_outputs, n_out);
    auto grads = torch::autograd::grad(cvm_tensor_list(outputs, n_out), cvm_tensor_list(inputs, n_in), go,
                                       retain_graph, create_graph, allow_unused);
    for (int i = 0; i < n_in; i++) out[i] = grads[i].defined() ? new at::Tensor(grads[i]) : nullptr;
  });
}

// Returns the previous mode.
CVM_API bool cvm_set_grad_enabled(bool enabled) {
  bool prev = at::GradMode::is_enabled();
  at::GradMode::set_enabled(enabled);
  return prev;
}
CVM_API bool cvm_is_grad_enabled() { return at::GradMode::is_enabled(); }

// Autocast regions for a device type (0 CPU, 1 CUDA) with a lower-precision dtype
// (BFloat16 = 15, Half = 5), as torch.autocast's __enter__/__exit__: enter saves the previous
// enabled flag and dtype for exit to restore; leaving the outermost region clears the cast cache.
// PyTorch 2.4 replaced the per-device functions (is_enabled / is_cpu_enabled, ...) by ones that
// take the device type; the older ones are gone in later 2.x releases.
#if (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4) || TORCH_VERSION_MAJOR >= 3
#define CVM_AUTOCAST_BY_DEVICE 1
static at::DeviceType autocast_device(int devtype) { return devtype == 1 ? at::kCUDA : at::kCPU; }
#endif

static bool autocast_get(int devtype) {
#ifdef CVM_AUTOCAST_BY_DEVICE
  return at::autocast::is_autocast_enabled(autocast_device(devtype));
#else
  return devtype == 1 ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

static void autocast_set(int devtype, bool enabled) {
#ifdef CVM_AUTOCAST_BY_DEVICE
  at::autocast::set_autocast_enabled(autocast_device(devtype), enabled);
#else
  if (devtype == 1) at::autocast::set_enabled(enabled);
  else at::autocast::set_cpu_enabled(enabled);
#endif
}

static at::ScalarType autocast_get_dtype(int devtype) {
#ifdef CVM_AUTOCAST_BY_DEVICE
  return at::autocast::get_autocast_dtype(autocast_device(devtype));
#else
  return devtype == 1 ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
#endif
}

static void autocast_set_dtype(int devtype, at::ScalarType dtype) {
#ifdef CVM_AUTOCAST_BY_DEVICE
  at::autocast::set_autocast_dtype(autocast_device(devtype), dtype);
#else
  if (devtype == 1) at::autocast::set_autocast_gpu_dtype(dtype);
  else at::autocast::set_autocast_cpu_dtype(dtype);
#endif
}

CVM_API int cvm_autocast_enter(int devtype, int8_t dtype, bool* prev_enabled, int8_t* prev_dtype) {
  CVM_RETURN_STATUS({
    *prev_enabled = autocast_get(devtype);
    *prev_dtype = (int8_t)autocast_get_dtype(devtype);
    autocast_set_dtype(devtype, (at::ScalarType)dtype);
    autocast_set(devtype, true);
    at::autocast::increment_nesting();
  });
}

CVM_API int cvm_autocast_exit(int devtype, bool prev_enabled, int8_t prev_dtype) {
  CVM_RETURN_STATUS({
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    autocast_set(devtype, prev_enabled);
    autocast_set_dtype(devtype, (at::ScalarType)prev_dtype);
  });
}

CVM_API bool cvm_autocast_is_enabled(int devtype) { return autocast_get(devtype); }
