// Byte-image kernels of the train feed's RandAugment on the CPU: per-row lookup tables, per-row
// histograms, and the two operations that mix neighbouring values (saturation across the three
// channels of a pixel, sharpness across a 3x3 neighbourhood). Each reads its input once and
// writes its output once; torchvision runs RandAugment on uint8 images, and these keep that
// type, so the photometric steps are one byte pass each instead of several float passes.
//
// Layouts: "rows" are [R, P] with P contiguous values (one channel of one frame per row).
// Outputs may be the input itself (in place) wherever the signature says so.
#include "shim.h"
#include <ATen/MemoryOverlap.h>
#include <algorithm>
#include <cmath>
#include <cstring>

namespace {

void check_cpu(const at::Tensor& t, const char* op, const char* what) {
  TORCH_CHECK(t.defined(), op, ": ", what, " is not a tensor");
  TORCH_CHECK(t.device().is_cpu(), op, " runs on CPU tensors, ", what, " is on ", t.device());
}

void check_rows(const at::Tensor& t, const char* op, const char* what) {
  TORCH_CHECK(t.dim() == 2, op, ": ", what, " must be 2-D [rows, values], got ", t.sizes());
  TORCH_CHECK(t.size(1) <= 1 || t.stride(1) == 1, op, ": ", what, " rows must be contiguous (stride(1) = 1), strides are ",
              t.strides());
}

// Same rounding as the float -> uint8 cast of torchvision's uint8 ops (and at::Tensor::to): toward zero.
inline uint8_t to_byte(float v) { return (uint8_t)(int)v; }

inline float clamp255(float v) { return v < 0.f ? 0.f : (v > 255.f ? 255.f : v); }

template <typename Out>
CVM_CLONES void lut_row(const uint8_t* s, const Out* __restrict__ t, Out* d, int64_t n) {  // d may be s (in place)
  for (int64_t i = 0; i < n; i++) d[i] = t[s[i]];
}

template <typename Out>
void lut_rows(const at::Tensor& src, const at::Tensor& table, at::Tensor& dst) {
  const int64_t rows = src.size(0), n = src.size(1), per = rows / table.size(0);
  const Out* tab = table.data_ptr<Out>();
  for (int64_t r = 0; r < rows; r++) {
    const uint8_t* s = src.data_ptr<uint8_t>() + r * src.stride(0);
    Out* d = dst.data_ptr<Out>() + r * dst.stride(0);
    const Out* t = tab + (r / per) * 256;
    lut_row(s, t, d, n);
  }
}

// Saturation kernel over `clips` clips of 3 planes of q pixels (see cvm_adjust_saturation_into).
CVM_CLONES void saturation(const uint8_t* src, uint8_t* dst, int64_t clips, int64_t q, float w) {
  const float wr = 0.2989f, wg = 0.587f, wb = 0.114f;
  const bool near = std::abs(w) < 0.5f;  // torch.lerp: start + w (end - start) below 0.5, else end - (end - start)(1 - w)
  const float rest = 1.f - w;
  constexpr int64_t kBlock = 512;  // pixels per block, read into float buffers: the arithmetic vectorises
  float fr[kBlock], fg[kBlock], fb[kBlock];
  for (int64_t c = 0; c < clips; c++) {
    const uint8_t* r = src + c * 3 * q;
    uint8_t* o = dst + c * 3 * q;
    for (int64_t start = 0; start < q; start += kBlock) {
      const int64_t m = std::min(kBlock, q - start);
      for (int64_t i = 0; i < m; i++) {
        fr[i] = r[start + i];
        fg[i] = r[q + start + i];
        fb[i] = r[2 * q + start + i];
      }
      if (near) {
        for (int64_t i = 0; i < m; i++) {
          const float gray = wr * fr[i] + wg * fg[i] + wb * fb[i];
          fr[i] = clamp255(gray + w * (fr[i] - gray));
          fg[i] = clamp255(gray + w * (fg[i] - gray));
          fb[i] = clamp255(gray + w * (fb[i] - gray));
        }
      } else {
        for (int64_t i = 0; i < m; i++) {
          const float gray = wr * fr[i] + wg * fg[i] + wb * fb[i];
          fr[i] = clamp255(fr[i] - (fr[i] - gray) * rest);
          fg[i] = clamp255(fg[i] - (fg[i] - gray) * rest);
          fb[i] = clamp255(fb[i] - (fb[i] - gray) * rest);
        }
      }
      for (int64_t i = 0; i < m; i++) {
        o[start + i] = to_byte(fr[i]);
        o[q + start + i] = to_byte(fg[i]);
        o[2 * q + start + i] = to_byte(fb[i]);
      }
    }
  }
}

// Sharpness kernel, in place on `planes` planes of h x w (see cvm_adjust_sharpness_into).
CVM_CLONES void sharpness(uint8_t* data, int64_t planes, int64_t h, int64_t w, double factor) {
  if (h <= 2 || w <= 2) return;
  // With S = box + 4 v (13 times the smoothed value, an integer): (S + f (13 v - S)) / 13, which is
  // exactly v where the smoothing leaves v unchanged (S = 13 v, e.g. on every linear gradient), so
  // the cast does not drop such values to v - 1 by a rounding error.
  const float f = (float)factor;
  // Rows y-1, y, y+1 of the plane as float, and their sums of three neighbours, in a ring of three
  // slots: each row is loaded before the output row above it is written, so the pass works in place.
  std::vector<float> rows(3 * w), sums(3 * w);
  std::vector<uint8_t> out(w);
  for (int64_t p = 0; p < planes; p++) {
    uint8_t* d = data + p * h * w;
    auto load = [&](int64_t y, int slot) {
      float* __restrict__ r = &rows[slot * w];
      float* __restrict__ m = &sums[slot * w];
      const uint8_t* __restrict__ in = d + y * w;
      for (int64_t x = 0; x < w; x++) r[x] = in[x];
      for (int64_t x = 1; x + 1 < w; x++) m[x] = r[x - 1] + r[x] + r[x + 1];
    };
    load(0, 0);
    load(1, 1);
    for (int64_t y = 1; y + 1 < h; y++) {
      const int up = (int)((y - 1) % 3), mid = (int)(y % 3), down = (int)((y + 1) % 3);
      load(y + 1, down);  // the row below, still unwritten
      const float* __restrict__ su = &sums[up * w];
      const float* __restrict__ sm = &sums[mid * w];
      const float* __restrict__ sd = &sums[down * w];
      const float* __restrict__ c = &rows[mid * w];
      uint8_t* __restrict__ o = out.data();
      for (int64_t x = 1; x + 1 < w; x++) {
        const float smooth13 = su[x] + sm[x] + sd[x] + 4.f * c[x];
        o[x] = to_byte(clamp255((smooth13 + f * (13.f * c[x] - smooth13)) / 13.f));
      }
      std::memcpy(d + y * w + 1, o + 1, (size_t)(w - 2));
    }
  }
}

// Counts of each level in `rows` rows of n bytes, `stride` bytes apart, added to h [rows, 256].
void histogram(const uint8_t* src, int64_t stride, int64_t rows, int64_t n, int64_t* h) {
  // Four interleaved partial counts: a run of equal values does not wait on one counter. A row
  // is counted in chunks of at most 2^31 values, so a partial count never overflows.
  std::vector<uint32_t> part(4 * 256);
  uint32_t* p0 = part.data();
  uint32_t* p1 = p0 + 256;
  uint32_t* p2 = p1 + 256;
  uint32_t* p3 = p2 + 256;
  for (int64_t r = 0; r < rows; r++) {
    const uint8_t* s = src + r * stride;
    for (int64_t start = 0; start < n;) {
      const int64_t stop = std::min(n, start + ((int64_t)1 << 31));
      std::fill(part.begin(), part.end(), 0u);
      int64_t i = start;
      for (; i + 4 <= stop; i += 4) {
        p0[s[i]]++;
        p1[s[i + 1]]++;
        p2[s[i + 2]]++;
        p3[s[i + 3]]++;
      }
      for (; i < stop; i++) p0[s[i]]++;
      for (int v = 0; v < 256; v++) h[r * 256 + v] += (int64_t)p0[v] + p1[v] + p2[v] + p3[v];
      start = stop;
    }
  }
}

// Gathers by offsets a block at a time, so the block stays in L1 while every row uses it; keep[k]
// is 0xFF, or 0 where the value is to be zero (its offset then points at column 0).
CVM_CLONES void gather_columns(const uint8_t* src, int64_t src_stride, const int32_t* offsets, const uint8_t* keep,
                               int64_t rows, int64_t q, uint8_t* dst, int64_t dst_stride) {
  constexpr int64_t kBlock = 2048;
  for (int64_t start = 0; start < q; start += kBlock) {
    const int64_t m = std::min(kBlock, q - start);
    const int32_t* __restrict__ off = offsets + start;
    const uint8_t* __restrict__ mask = keep + start;
    for (int64_t r = 0; r < rows; r++) {
      const uint8_t* __restrict__ s = src + r * src_stride;
      uint8_t* __restrict__ d = dst + r * dst_stride + start;
      for (int64_t k = 0; k < m; k++) d[k] = s[off[k]] & mask[k];
    }
  }
}

}  // namespace

// dst[r, i] = table[r / (R / G), src[r, i]]: src uint8 [R, P], table [G, 256] (uint8 or float32,
// contiguous; G divides R: one table per row, per group of consecutive rows, or one for all),
// dst [R, P] of the table's type. dst may be src (uint8 in place). Returns 0, or 1 with the reason.
CVM_API int cvm_lut_into(TensorH src_h, TensorH table_h, TensorH dst_h) {
  CVM_RETURN_STATUS({
    TORCH_CHECK(src_h && table_h && dst_h, "lut_into: source, table and destination must be tensors");
    const at::Tensor& src = *src_h;
    const at::Tensor& table = *table_h;
    at::Tensor dst = *dst_h;
    check_cpu(src, "lut_into", "the source");
    check_cpu(table, "lut_into", "the table");
    check_cpu(dst, "lut_into", "the destination");
    check_rows(src, "lut_into", "the source");
    check_rows(dst, "lut_into", "the destination");
    TORCH_CHECK(src.scalar_type() == at::kByte, "lut_into: the source must be uint8, got ", src.scalar_type());
    TORCH_CHECK(table.dim() == 2 && table.size(1) == 256 && table.size(0) >= 1 && table.is_contiguous(),
                "lut_into: the table must be a contiguous [G, 256], got ", table.sizes());
    TORCH_CHECK(table.scalar_type() == at::kByte || table.scalar_type() == at::kFloat,
                "lut_into: the table must be uint8 or float32, got ", table.scalar_type());
    TORCH_CHECK(src.size(0) % table.size(0) == 0, "lut_into: ", table.size(0), " tables do not divide ", src.size(0), " rows");
    TORCH_CHECK(dst.sizes() == src.sizes(), "lut_into: the destination is ", dst.sizes(), ", the source ", src.sizes());
    TORCH_CHECK(dst.scalar_type() == table.scalar_type(), "lut_into: the destination must have the table's type ",
                table.scalar_type(), ", got ", dst.scalar_type());
    if (src.numel() == 0) return 0;
    const bool in_place = dst.data_ptr() == src.data_ptr() && dst.strides() == src.strides();
    TORCH_CHECK(in_place || !cvm_spans_overlap(dst, src), "lut_into: the destination overlaps the source (other than in place)");
    TORCH_CHECK(at::has_internal_overlap(dst) != at::MemOverlap::Yes, "lut_into: the destination has overlapping elements");
    if (table.scalar_type() == at::kByte) lut_rows<uint8_t>(src, table, dst);
    else lut_rows<float>(src, table, dst);
  });
}

// Counts of each level 0..255 in every row of src uint8 [R, P]: a new int64 [R, 256].
CVM_API TensorH cvm_histogram_rows(TensorH src_h) {
  CVM_RETURN_TENSOR(([&] {
    TORCH_CHECK(src_h, "histogram_rows: the source must be a tensor");
    const at::Tensor& src = *src_h;
    check_cpu(src, "histogram_rows", "the source");
    check_rows(src, "histogram_rows", "the source");
    TORCH_CHECK(src.scalar_type() == at::kByte, "histogram_rows: the source must be uint8, got ", src.scalar_type());
    const int64_t rows = src.size(0), n = src.size(1);
    at::Tensor hist = at::zeros({rows, 256}, at::kLong);
    histogram(src.data_ptr<uint8_t>(), src.stride(0), rows, n, hist.data_ptr<int64_t>());
    return hist;
  }()));
}

// Saturation of uint8 clips src [N, 3, Q] (channels r, g, b of Q pixels): each value v becomes
// lerp(gray, v, factor) clamped to [0, 255] and cast to uint8 (toward zero), where
// gray = 0.2989 r + 0.587 g + 0.114 b in float32 and lerp is torch.lerp's formula. dst [N, 3, Q]
// uint8 contiguous, may be src. Returns 0, or 1 with the reason.
CVM_API int cvm_adjust_saturation_into(TensorH src_h, double factor, TensorH dst_h) {
  CVM_RETURN_STATUS({
    TORCH_CHECK(src_h && dst_h, "adjust_saturation_into: source and destination must be tensors");
    const at::Tensor& src = *src_h;
    at::Tensor dst = *dst_h;
    check_cpu(src, "adjust_saturation_into", "the source");
    check_cpu(dst, "adjust_saturation_into", "the destination");
    TORCH_CHECK(src.dim() == 3 && src.size(1) == 3, "adjust_saturation_into: the source must be [N, 3, pixels], got ", src.sizes());
    TORCH_CHECK(src.scalar_type() == at::kByte && dst.scalar_type() == at::kByte,
                "adjust_saturation_into: source and destination must be uint8, got ", src.scalar_type(), " and ",
                dst.scalar_type());
    TORCH_CHECK(src.is_contiguous() && dst.is_contiguous() && dst.sizes() == src.sizes(),
                "adjust_saturation_into: source and destination must be contiguous and of one shape, got ", src.sizes(),
                " and ", dst.sizes());
    TORCH_CHECK(std::isfinite(factor), "adjust_saturation_into: the factor must be finite");
    TORCH_CHECK(dst.data_ptr() == src.data_ptr() || !cvm_spans_overlap(dst, src),
                "adjust_saturation_into: the destination overlaps the source (other than in place)");
    saturation(src.data_ptr<uint8_t>(), dst.data_ptr<uint8_t>(), src.size(0), src.size(2), (float)factor);
  });
}

// Sharpness of uint8 planes src [R, H, W]: inside the one-pixel border each value v becomes the
// blend at ratio factor of v with its smoothing s by [[1,1,1],[1,5,1],[1,1,1]] / 13,
// s + factor (v - s) (float32), clamped to [0, 255] and cast to uint8 (toward zero). Border
// values are kept. dst [R, H, W] uint8 contiguous, may be src. Returns 0, or 1 with the reason.
CVM_API int cvm_adjust_sharpness_into(TensorH src_h, double factor, TensorH dst_h) {
  CVM_RETURN_STATUS({
    TORCH_CHECK(src_h && dst_h, "adjust_sharpness_into: source and destination must be tensors");
    const at::Tensor& src = *src_h;
    at::Tensor dst = *dst_h;
    check_cpu(src, "adjust_sharpness_into", "the source");
    check_cpu(dst, "adjust_sharpness_into", "the destination");
    TORCH_CHECK(src.dim() == 3, "adjust_sharpness_into: the source must be [planes, H, W], got ", src.sizes());
    TORCH_CHECK(src.scalar_type() == at::kByte && dst.scalar_type() == at::kByte,
                "adjust_sharpness_into: source and destination must be uint8, got ", src.scalar_type(), " and ",
                dst.scalar_type());
    TORCH_CHECK(src.is_contiguous() && dst.is_contiguous() && dst.sizes() == src.sizes(),
                "adjust_sharpness_into: source and destination must be contiguous and of one shape, got ", src.sizes(),
                " and ", dst.sizes());
    TORCH_CHECK(std::isfinite(factor), "adjust_sharpness_into: the factor must be finite");
    TORCH_CHECK(dst.data_ptr() == src.data_ptr() || !cvm_spans_overlap(dst, src),
                "adjust_sharpness_into: the destination overlaps the source (other than in place)");
    if (src.data_ptr() != dst.data_ptr()) std::memcpy(dst.data_ptr(), src.data_ptr(), (size_t)src.numel());
    sharpness(dst.data_ptr<uint8_t>(), src.size(0), src.size(1), src.size(2), factor);
  });
}

// Moves pixels: dst[r, q] = src[r, index[q]], or 0 where index[q] is -1, for src uint8 [R, P],
// index int64 [Q] with values in [-1, P) and dst uint8 [R, Q] (rows contiguous, not overlapping
// src). The nearest-neighbour warps of RandAugment (rotate, shear) as one pass over the clip.
// Returns 0, or 1 with the reason.
CVM_API int cvm_gather_columns_into(TensorH src_h, TensorH index_h, TensorH dst_h) {
  CVM_RETURN_STATUS({
    TORCH_CHECK(src_h && index_h && dst_h, "gather_columns_into: source, index and destination must be tensors");
    const at::Tensor& src = *src_h;
    const at::Tensor& index = *index_h;
    at::Tensor dst = *dst_h;
    check_cpu(src, "gather_columns_into", "the source");
    check_cpu(index, "gather_columns_into", "the index");
    check_cpu(dst, "gather_columns_into", "the destination");
    check_rows(src, "gather_columns_into", "the source");
    check_rows(dst, "gather_columns_into", "the destination");
    TORCH_CHECK(src.scalar_type() == at::kByte && dst.scalar_type() == at::kByte,
                "gather_columns_into: source and destination must be uint8, got ", src.scalar_type(), " and ", dst.scalar_type());
    TORCH_CHECK(index.dim() == 1 && index.scalar_type() == at::kLong && index.is_contiguous(),
                "gather_columns_into: the index must be a contiguous int64 [Q], got ", index.scalar_type(), " ", index.sizes());
    TORCH_CHECK(dst.size(0) == src.size(0) && dst.size(1) == index.size(0), "gather_columns_into: the destination must be [",
                src.size(0), ", ", index.size(0), "], got ", dst.sizes());
    TORCH_CHECK(!cvm_spans_overlap(dst, src), "gather_columns_into: the destination overlaps the source");
    const int64_t rows = src.size(0), p = src.size(1), q = index.size(0);
    // int32 offsets, checked once.
    TORCH_CHECK(p < ((int64_t)1 << 31), "gather_columns_into: rows longer than 2^31 values");
    const int64_t* idx = index.data_ptr<int64_t>();
    std::vector<int32_t> offsets(q);
    std::vector<uint8_t> keep(q);
    for (int64_t k = 0; k < q; k++) {
      TORCH_CHECK(idx[k] >= -1 && idx[k] < p, "gather_columns_into: index ", idx[k], " at ", k, " is outside [-1, ", p, ")");
      TORCH_CHECK(idx[k] >= 0 || p > 0, "gather_columns_into: rows are empty");
      offsets[k] = idx[k] < 0 ? 0 : (int32_t)idx[k];
      keep[k] = idx[k] < 0 ? 0 : 0xFF;
    }
    gather_columns(src.data_ptr<uint8_t>(), src.stride(0), offsets.data(), keep.data(), rows, q, dst.data_ptr<uint8_t>(),
                   dst.stride(0));
  });
}

namespace {

// Calls f(row of a, row of b, length) for every row (the last dimension) of two tensors of one
// shape whose last dimension is contiguous; other dimensions may have any strides.
template <typename T, typename F>
void for_each_row_pair(at::Tensor& a, at::Tensor& b, F f) {
  const int64_t dims = a.dim();
  const int64_t n = dims == 0 ? 1 : a.size(dims - 1);
  std::vector<int64_t> at_(std::max<int64_t>(dims - 1, 0), 0);
  T* pa = a.data_ptr<T>();
  T* pb = b.data_ptr<T>();
  while (true) {
    int64_t oa = 0, ob = 0;
    for (int64_t d = 0; d + 1 < dims; d++) {
      oa += at_[d] * a.stride(d);
      ob += at_[d] * b.stride(d);
    }
    f(pa + oa, pb + ob, n);
    int64_t d = dims - 2;
    for (; d >= 0; d--) {
      if (++at_[d] < a.size(d)) break;
      at_[d] = 0;
    }
    if (d < 0) return;
  }
}

CVM_CLONES void mix_rows(float* __restrict__ x, float* __restrict__ y, int64_t n, float w) {
  for (int64_t i = 0; i < n; i++) {
    const float d = (x[i] - y[i]) * w;
    x[i] -= d;
    y[i] += d;
  }
}

void check_pair(const at::Tensor& a, const at::Tensor& b, const char* op) {
  check_cpu(a, op, "the first tensor");
  check_cpu(b, op, "the second tensor");
  TORCH_CHECK(a.sizes() == b.sizes(), op, ": the tensors differ in shape, ", a.sizes(), " and ", b.sizes());
  TORCH_CHECK(a.scalar_type() == b.scalar_type(), op, ": the tensors differ in type, ", a.scalar_type(), " and ", b.scalar_type());
  const int64_t d = a.dim();
  TORCH_CHECK(d == 0 || ((a.size(d - 1) <= 1 || a.stride(d - 1) == 1) && (b.size(d - 1) <= 1 || b.stride(d - 1) == 1)), op,
              ": the last dimension must be contiguous, strides are ", a.strides(), " and ", b.strides());
  TORCH_CHECK(at::has_internal_overlap(a) != at::MemOverlap::Yes && at::has_internal_overlap(b) != at::MemOverlap::Yes, op,
              ": a tensor has overlapping elements");
  TORCH_CHECK(!cvm_spans_overlap(a, b), op, ": the tensors overlap");
}

}  // namespace

// Mixup of one pair in place, a and b float32 of one shape (last dimension contiguous, not
// overlapping): with d = (a - b) * (1 - lambda), a becomes a - d and b becomes b + d, i.e.
// lambda a + (1 - lambda) b and lambda b + (1 - lambda) a, in one pass over both.
// Returns 0, or 1 with the reason.
CVM_API int cvm_mix_pair_(TensorH a_h, TensorH b_h, double lambda) {
  CVM_RETURN_STATUS({
    TORCH_CHECK(a_h && b_h, "mix_pair_: both arguments must be tensors");
    at::Tensor a = *a_h;
    at::Tensor b = *b_h;
    check_pair(a, b, "mix_pair_");
    TORCH_CHECK(a.scalar_type() == at::kFloat, "mix_pair_: the tensors must be float32, got ", a.scalar_type());
    TORCH_CHECK(std::isfinite(lambda), "mix_pair_: lambda must be finite");
    if (a.numel() == 0) return 0;
    const float w = (float)(1 - lambda);
    for_each_row_pair<float>(a, b, [w](float* x, float* y, int64_t n) { mix_rows(x, y, n, w); });
  });
}

// Exchanges the values of a and b in place (one shape and type, last dimension contiguous, not
// overlapping): cutmix's box swap between the two clips of a pair. Returns 0, or 1 with the reason.
CVM_API int cvm_swap_(TensorH a_h, TensorH b_h) {
  CVM_RETURN_STATUS({
    TORCH_CHECK(a_h && b_h, "swap_: both arguments must be tensors");
    at::Tensor a = *a_h;
    at::Tensor b = *b_h;
    check_pair(a, b, "swap_");
    if (a.numel() == 0) return 0;
    if (a.dim() == 0) {
      a = a.reshape({1});
      b = b.reshape({1});
    }
    at::Tensor ba = a.view(at::kByte), bb = b.view(at::kByte);  // the last dimension in bytes
    std::vector<uint8_t> tmp;
    for_each_row_pair<uint8_t>(ba, bb, [&tmp](uint8_t* x, uint8_t* y, int64_t n) {
      tmp.assign(x, x + n);
      std::memcpy(x, y, (size_t)n);
      std::memcpy(y, tmp.data(), (size_t)n);
    });
  });
}
