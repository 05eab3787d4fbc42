// Neural-network functions: linear, convolutions, normalisation, activations, attention,
// losses, resampling (interpolate, grid_sample, affine_grid) and padding.
#include "shim.h"

CVM_API TensorH cvm_linear(TensorH x, TensorH w, TensorH b) { CVM_RETURN_TENSOR(at::linear(*x, *w, cvm_opt(b))); }

CVM_API TensorH cvm_conv2d(TensorH x, TensorH w, TensorH b, const int64_t* stride, const int64_t* padding,
                           const int64_t* dilation, int64_t groups) {
  CVM_RETURN_TENSOR(at::conv2d(*x, *w, cvm_opt(b), cvm_dims(stride, 2), cvm_dims(padding, 2), cvm_dims(dilation, 2), groups));
}

CVM_API TensorH cvm_conv3d(TensorH x, TensorH w, TensorH b, const int64_t* stride, const int64_t* padding,
                           const int64_t* dilation, int64_t groups) {
  CVM_RETURN_TENSOR(at::conv3d(*x, *w, cvm_opt(b), cvm_dims(stride, 3), cvm_dims(padding, 3), cvm_dims(dilation, 3), groups));
}

CVM_API TensorH cvm_layer_norm(TensorH x, const int64_t* shape, int n, TensorH w, TensorH b, double eps) {
  CVM_RETURN_TENSOR(at::layer_norm(*x, cvm_dims(shape, n), cvm_opt(w), cvm_opt(b), eps));
}

CVM_API TensorH cvm_softmax(TensorH x, int64_t dim) { CVM_RETURN_TENSOR(at::softmax(*x, dim)); }
CVM_API TensorH cvm_log_softmax(TensorH x, int64_t dim) { CVM_RETURN_TENSOR(at::log_softmax(*x, dim)); }
CVM_API TensorH cvm_gelu(TensorH x, bool tanh_approx) { CVM_RETURN_TENSOR(at::gelu(*x, tanh_approx ? "tanh" : "none")); }
CVM_API TensorH cvm_dropout(TensorH x, double p, bool train) { CVM_RETURN_TENSOR(at::dropout(*x, p, train)); }

// Attention softmax(q k^T / sqrt(d) + mask) v over [B, H, L, d] inputs. PyTorch 2 has fused
// kernels behind at::scaled_dot_product_attention; 1.13 has the composite form only.
CVM_API TensorH cvm_sdpa(TensorH q, TensorH k, TensorH v, TensorH mask, double dropout_p, bool is_causal) {
#if TORCH_VERSION_MAJOR >= 2
  CVM_RETURN_TENSOR(at::scaled_dot_product_attention(*q, *k, *v, cvm_opt(mask), dropout_p, is_causal));
#else
  CVM_RETURN_TENSOR(std::get<0>(at::_scaled_dot_product_attention(*q, *k, *v, cvm_opt(mask), dropout_p, false, is_causal)));
#endif
}

// reduction: 0 none, 1 mean, 2 sum (at::Reduction). A floating target holds class probabilities.
CVM_API TensorH cvm_cross_entropy(TensorH logits, TensorH target, TensorH weight, int64_t reduction,
                                  int64_t ignore_index, double label_smoothing) {
  CVM_RETURN_TENSOR(at::cross_entropy_loss(*logits, *target, cvm_opt(weight), reduction, ignore_index, label_smoothing));
}
CVM_API TensorH cvm_mse_loss(TensorH a, TensorH b, int64_t reduction) { CVM_RETURN_TENSOR(at::mse_loss(*a, *b, reduction)); }
CVM_API TensorH cvm_nll_loss(TensorH logp, TensorH target, int64_t reduction) { CVM_RETURN_TENSOR(at::nll_loss(*logp, *target, {}, reduction)); }

// x / max(||x||_p, eps) along dim, as torch.nn.functional.normalize.
CVM_API TensorH cvm_normalize(TensorH x, double p, int64_t dim, double eps) {
  CVM_RETURN_TENSOR(*x / at::norm(*x, p, {dim}, true).clamp_min(eps).expand_as(*x));
}
CVM_API TensorH cvm_cosine_similarity(TensorH a, TensorH b, int64_t dim, double eps) {
  CVM_RETURN_TENSOR(at::cosine_similarity(*a, *b, dim, eps));
}

// mode: 0 bilinear, 1 nearest, 2 bicubic; padding: 0 zeros, 1 border, 2 reflection.
CVM_API TensorH cvm_grid_sample(TensorH x, TensorH grid, int64_t mode, int64_t padding, bool align_corners) {
  CVM_RETURN_TENSOR(at::grid_sampler(*x, *grid, mode, padding, align_corners));
}
CVM_API TensorH cvm_affine_grid(TensorH theta, const int64_t* size, int n, bool align_corners) {
  CVM_RETURN_TENSOR(at::affine_grid_generator(*theta, cvm_dims(size, n), align_corners));
}

// mode: 0 nearest, 1 bilinear (2-D), 2 bicubic (2-D), 3 trilinear (3-D), 4 area.
// `size` has 1, 2 or 3 entries for 3-D, 4-D or 5-D inputs. Antialias applies to bilinear/bicubic.
CVM_API TensorH cvm_interpolate(TensorH x, const int64_t* size, int n, int mode, bool align_corners, bool antialias) {
  try {
    at::IntArrayRef s = cvm_dims(size, n);
    at::Tensor r;
    switch (mode) {
      case 0:
        r = n == 1 ? at::upsample_nearest1d(*x, s) : n == 2 ? at::upsample_nearest2d(*x, s) : at::upsample_nearest3d(*x, s);
        break;
      case 1:
        TORCH_CHECK(n == 2, "bilinear needs a 4-D input and 2 sizes");
        r = antialias ? at::_upsample_bilinear2d_aa(*x, s, align_corners) : at::upsample_bilinear2d(*x, s, align_corners);
        break;
      case 2:
        TORCH_CHECK(n == 2, "bicubic needs a 4-D input and 2 sizes");
        r = antialias ? at::_upsample_bicubic2d_aa(*x, s, align_corners) : at::upsample_bicubic2d(*x, s, align_corners);
        break;
      case 3:
        TORCH_CHECK(n == 3, "trilinear needs a 5-D input and 3 sizes");
        r = at::upsample_trilinear3d(*x, s, align_corners);
        break;
      case 4:
        r = n == 1 ? at::adaptive_avg_pool1d(*x, s) : n == 2 ? at::adaptive_avg_pool2d(*x, s) : at::adaptive_avg_pool3d(*x, s);
        break;
      default:
        TORCH_CHECK(false, "unknown interpolation mode ", mode);
    }
    return new at::Tensor(r);
  }
  CVM_CATCH
  return nullptr;
}

// mode: 0 constant, 1 reflect, 2 replicate.
CVM_API TensorH cvm_pad(TensorH x, const int64_t* pad, int n, int mode, double value) {
  try {
    at::IntArrayRef p = cvm_dims(pad, n);
    at::Tensor r;
    if (mode == 0) r = at::constant_pad_nd(*x, p, value);
    else if (mode == 1) r = n == 2 ? at::reflection_pad1d(*x, p) : n == 4 ? at::reflection_pad2d(*x, p) : at::reflection_pad3d(*x, p);
    else r = n == 2 ? at::replication_pad1d(*x, p) : n == 4 ? at::replication_pad2d(*x, p) : at::replication_pad3d(*x, p);
    return new at::Tensor(r);
  }
  CVM_CATCH
  return nullptr;
}

CVM_API TensorH cvm_avg_pool2d(TensorH x, const int64_t* kernel, const int64_t* stride) {
  CVM_RETURN_TENSOR(at::avg_pool2d(*x, cvm_dims(kernel, 2), cvm_dims(stride, 2)));
}
