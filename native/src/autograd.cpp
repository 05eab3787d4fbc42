// Autograd: backward, torch.autograd.grad, the grad mode switch, autocast.
#include "shim.h"
#include <ATen/autocast_mode.h>

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
// (BFloat16 = 15, Half = 5). enter returns the previous state for exit to restore; leaving the
// outermost region clears the cast cache.
static bool autocast_get(int devtype) {
#if (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4) || TORCH_VERSION_MAJOR >= 3
  return at::autocast::is_autocast_enabled(devtype == 1 ? at::kCUDA : at::kCPU);
#else
  return devtype == 1 ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

static void autocast_set(int devtype, bool enabled) {
#if (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4) || TORCH_VERSION_MAJOR >= 3
  at::autocast::set_autocast_enabled(devtype == 1 ? at::kCUDA : at::kCPU, enabled);
#else
  if (devtype == 1) at::autocast::set_enabled(enabled);
  else at::autocast::set_cpu_enabled(enabled);
#endif
}

static void autocast_dtype(int devtype, at::ScalarType dtype) {
#if (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4) || TORCH_VERSION_MAJOR >= 3
  at::autocast::set_autocast_dtype(devtype == 1 ? at::kCUDA : at::kCPU, dtype);
#else
  if (devtype == 1) at::autocast::set_autocast_gpu_dtype(dtype);
  else at::autocast::set_autocast_cpu_dtype(dtype);
#endif
}

CVM_API int cvm_autocast_enter(int devtype, int8_t dtype, bool* previous) {
  CVM_RETURN_STATUS({
    *previous = autocast_get(devtype);
    autocast_dtype(devtype, (at::ScalarType)dtype);
    autocast_set(devtype, true);
    at::autocast::increment_nesting();
  });
}

CVM_API int cvm_autocast_exit(int devtype, bool previous) {
  CVM_RETURN_STATUS({
    autocast_set(devtype, previous);
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  });
}
