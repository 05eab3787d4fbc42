// Optimiser steps over one parameter group. The C# side owns the state tensors (so checkpoints
// can save them); these functions do the per-parameter arithmetic in one call, matching
// torch.optim.AdamW / torch.optim.SGD (single-tensor implementations). Parameters without a
// gradient are skipped, as PyTorch does.
#include "shim.h"
#include <c10/core/GradMode.h>  // c10::NoGradGuard (ATen.h stopped bringing at::NoGradGuard in 2.x)
#include <cmath>

CVM_API int cvm_adamw_step(const TensorH* params, const TensorH* exp_avg, const TensorH* exp_avg_sq,
                           int64_t* steps, int n, double lr, double beta1, double beta2, double eps,
                           double weight_decay) {
  CVM_RETURN_STATUS({
    c10::NoGradGuard no_grad;
    for (int i = 0; i < n; i++) {
      at::Tensor& p = *params[i];
      const at::Tensor& g = p.grad();
      if (!g.defined()) continue;
      int64_t step = ++steps[i];
      if (weight_decay != 0) p.mul_(1.0 - lr * weight_decay);
      exp_avg[i]->mul_(beta1).add_(g, 1.0 - beta1);
      exp_avg_sq[i]->mul_(beta2).addcmul_(g, g, 1.0 - beta2);
      double bc1 = 1.0 - std::pow(beta1, (double)step);
      double bc2 = 1.0 - std::pow(beta2, (double)step);
      at::Tensor denom = (exp_avg_sq[i]->sqrt() / std::sqrt(bc2)).add_(eps);
      p.addcdiv_(*exp_avg[i], denom, -lr / bc1);
    }
  });
}

// momentum_buf[i] may be nullptr on the first step: a buffer is then created (a clone of the
// gradient, as PyTorch does) and its handle written back into the array.
CVM_API int cvm_sgd_step(const TensorH* params, TensorH* momentum_buf, int n, double lr, double momentum,
                         double dampening, double weight_decay, bool nesterov) {
  CVM_RETURN_STATUS({
    c10::NoGradGuard no_grad;
    for (int i = 0; i < n; i++) {
      at::Tensor& p = *params[i];
      if (!p.grad().defined()) continue;
      at::Tensor d = p.grad();
      if (weight_decay != 0) d = d.add(p, weight_decay);
      if (momentum != 0) {
        if (!momentum_buf[i]) {
          momentum_buf[i] = new at::Tensor(d.clone().detach());
        } else {
          momentum_buf[i]->mul_(momentum).add_(d, 1.0 - dampening);
        }
        d = nesterov ? d.add(*momentum_buf[i], momentum) : *momentum_buf[i];
      }
      p.add_(d, -lr);
    }
  });
}

// Scales gradients so their joint p-norm is at most max_norm and writes the norm before clipping,
// as torch.nn.utils.clip_grad_norm_: total = ||(||g_1||_p, ..., ||g_n||_p)||_p (the largest |g|
// for p = inf), every gradient multiplied by min(1, max_norm / (total + 1e-6)).
CVM_API int cvm_clip_grad_norm(const TensorH* params, int n, double max_norm, double norm_type, double* total) {
  CVM_RETURN_STATUS({
    c10::NoGradGuard no_grad;
    std::vector<at::Tensor> grads;
    for (int i = 0; i < n; i++)
      if (params[i]->grad().defined()) grads.push_back(params[i]->grad());
    if (grads.empty()) {
      *total = 0.0;
      return 0;
    }
    const bool inf = std::isinf(norm_type);
    std::vector<at::Tensor> norms;
    norms.reserve(grads.size());
    const at::Device first = grads[0].device();
    for (const at::Tensor& g : grads) norms.push_back((inf ? g.abs().max() : at::norm(g, norm_type)).to(first));
    at::Tensor total_norm = norms.size() == 1 ? norms[0] : inf ? at::stack(norms).max() : at::norm(at::stack(norms), norm_type);
    at::Tensor coef = (max_norm / (total_norm + 1e-6)).clamp_max(1.0);
    for (at::Tensor& g : grads) g.mul_(coef.to(g.device()));
    *total = total_norm.item<double>();
  });
}

// Sets every gradient to none (the cheapest zero_grad).
CVM_API void cvm_zero_grad(const TensorH* params, int n) {
  for (int i = 0; i < n; i++) params[i]->mutable_grad().reset();
}
