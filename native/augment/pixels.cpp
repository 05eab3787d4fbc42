// Byte-image kernels of the train feed's RandAugment on the CPU: per-row lookup tables, per-row
// histograms, and the two operations that mix neighbouring values (saturation across the three
// channels of a pixel, sharpness across a 3x3 neighbourhood). Each reads its input once and
// writes its output once; torchvision runs RandAugment on uint8 images, and these keep that
// type, so the photometric steps are one byte pass each instead of several float passes.
//
// Layouts: "rows" are [R, P] with P contiguous values (one channel of one frame per row).
// Outputs may be the input itself (in place) wherever the signature says so.
#include "array.h"
#include <algorithm>
#include <cmath>
#include <cstring>

namespace {

void check_rows(const Array& t, const char* op, const char* what) {
  CVA_CHECK(t.dim() == 2, op, ": ", what, " must be 2-D [rows, values], got ", t.sizes());
  CVA_CHECK(t.size(1) <= 1 || t.stride(1) == 1, op, ": ", what, " rows must be contiguous (stride(1) = 1), strides are ",
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
void lut_rows(const Array& src, const Array& table, const Array& dst) {
  const int64_t rows = src.size(0), n = src.size(1), per = rows / table.size(0);
  const Out* tab = table.data<Out>();
  for (int64_t r = 0; r < rows; r++) {
    const uint8_t* s = src.data<uint8_t>() + r * src.stride(0);
    Out* d = dst.data<Out>() + r * dst.stride(0);
    const Out* t = tab + (r / per) * 256;
    lut_row(s, t, d, n);
  }
}

// Saturation kernel over `clips` clips of 3 planes of q pixels (see cva_adjust_saturation_into).
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

// Sharpness kernel, in place on `planes` planes of h x w (see cva_adjust_sharpness_into).
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
CVA_API int cva_lut_into(const cva_array* src_a, const cva_array* table_a, const cva_array* dst_a) {
  CVA_RETURN_STATUS({
    const Array src(src_a, "lut_into", "the source");
    const Array table(table_a, "lut_into", "the table");
    const Array dst(dst_a, "lut_into", "the destination");
    check_rows(src, "lut_into", "the source");
    check_rows(dst, "lut_into", "the destination");
    CVA_CHECK(src.dtype() == kByte, "lut_into: the source must be uint8, got ", src.type());
    CVA_CHECK(table.dim() == 2 && table.size(1) == 256 && table.size(0) >= 1 && table.is_contiguous(),
              "lut_into: the table must be a contiguous [G, 256], got ", table.sizes());
    CVA_CHECK(table.dtype() == kByte || table.dtype() == kFloat, "lut_into: the table must be uint8 or float32, got ",
              table.type());
    CVA_CHECK(src.size(0) % table.size(0) == 0, "lut_into: ", table.size(0), " tables do not divide ", src.size(0), " rows");
    CVA_CHECK(dst.same_sizes(src), "lut_into: the destination is ", dst.sizes(), ", the source ", src.sizes());
    CVA_CHECK(dst.dtype() == table.dtype(), "lut_into: the destination must have the table's type ", table.type(), ", got ",
              dst.type());
    if (src.numel() == 0) return 0;
    const bool in_place = dst.bytes() == src.bytes() && dst.stride(0) == src.stride(0) && dst.stride(1) == src.stride(1);
    CVA_CHECK(in_place || !spans_overlap(dst, src), "lut_into: the destination overlaps the source (other than in place)");
    CVA_CHECK(!dst.has_internal_overlap(), "lut_into: the destination has overlapping elements");
    if (table.dtype() == kByte) lut_rows<uint8_t>(src, table, dst);
    else lut_rows<float>(src, table, dst);
  });
}

// Counts of each level 0..255 in every row of src uint8 [R, P], written to hist int64 [R, 256]
// (contiguous; its previous values are replaced). Returns 0, or 1 with the reason.
CVA_API int cva_histogram_rows(const cva_array* src_a, const cva_array* hist_a) {
  CVA_RETURN_STATUS({
    const Array src(src_a, "histogram_rows", "the source");
    const Array hist(hist_a, "histogram_rows", "the histogram");
    check_rows(src, "histogram_rows", "the source");
    CVA_CHECK(src.dtype() == kByte, "histogram_rows: the source must be uint8, got ", src.type());
    CVA_CHECK(hist.dtype() == kLong && hist.dim() == 2 && hist.size(0) == src.size(0) && hist.size(1) == 256 &&
                  hist.is_contiguous(),
              "histogram_rows: the histogram must be a contiguous int64 [", src.size(0), ", 256], got ", hist.type(), " ",
              hist.sizes());
    const int64_t rows = src.size(0), n = src.size(1);
    std::fill(hist.data<int64_t>(), hist.data<int64_t>() + rows * 256, (int64_t)0);
    histogram(src.data<uint8_t>(), src.stride(0), rows, n, hist.data<int64_t>());
  });
}

// Saturation of uint8 clips src [N, 3, Q] (channels r, g, b of Q pixels): each value v becomes
// lerp(gray, v, factor) clamped to [0, 255] and cast to uint8 (toward zero), where
// gray = 0.2989 r + 0.587 g + 0.114 b in float32 and lerp is torch.lerp's formula. dst [N, 3, Q]
// uint8 contiguous, may be src. Returns 0, or 1 with the reason.
CVA_API int cva_adjust_saturation_into(const cva_array* src_a, double factor, const cva_array* dst_a) {
  CVA_RETURN_STATUS({
    const Array src(src_a, "adjust_saturation_into", "the source");
    const Array dst(dst_a, "adjust_saturation_into", "the destination");
    CVA_CHECK(src.dim() == 3 && src.size(1) == 3, "adjust_saturation_into: the source must be [N, 3, pixels], got ", src.sizes());
    CVA_CHECK(src.dtype() == kByte && dst.dtype() == kByte,
              "adjust_saturation_into: source and destination must be uint8, got ", src.type(), " and ", dst.type());
    CVA_CHECK(src.is_contiguous() && dst.is_contiguous() && dst.same_sizes(src),
              "adjust_saturation_into: source and destination must be contiguous and of one shape, got ", src.sizes(),
              " and ", dst.sizes());
    CVA_CHECK(std::isfinite(factor), "adjust_saturation_into: the factor must be finite");
    CVA_CHECK(dst.bytes() == src.bytes() || !spans_overlap(dst, src),
              "adjust_saturation_into: the destination overlaps the source (other than in place)");
    saturation(src.data<uint8_t>(), dst.data<uint8_t>(), src.size(0), src.size(2), (float)factor);
  });
}

// Sharpness of uint8 planes src [R, H, W]: inside the one-pixel border each value v becomes the
// blend at ratio factor of v with its smoothing s by [[1,1,1],[1,5,1],[1,1,1]] / 13,
// s + factor (v - s) (float32), clamped to [0, 255] and cast to uint8 (toward zero). Border
// values are kept. dst [R, H, W] uint8 contiguous, may be src. Returns 0, or 1 with the reason.
CVA_API int cva_adjust_sharpness_into(const cva_array* src_a, double factor, const cva_array* dst_a) {
  CVA_RETURN_STATUS({
    const Array src(src_a, "adjust_sharpness_into", "the source");
    const Array dst(dst_a, "adjust_sharpness_into", "the destination");
    CVA_CHECK(src.dim() == 3, "adjust_sharpness_into: the source must be [planes, H, W], got ", src.sizes());
    CVA_CHECK(src.dtype() == kByte && dst.dtype() == kByte,
              "adjust_sharpness_into: source and destination must be uint8, got ", src.type(), " and ", dst.type());
    CVA_CHECK(src.is_contiguous() && dst.is_contiguous() && dst.same_sizes(src),
              "adjust_sharpness_into: source and destination must be contiguous and of one shape, got ", src.sizes(),
              " and ", dst.sizes());
    CVA_CHECK(std::isfinite(factor), "adjust_sharpness_into: the factor must be finite");
    CVA_CHECK(dst.bytes() == src.bytes() || !spans_overlap(dst, src),
              "adjust_sharpness_into: the destination overlaps the source (other than in place)");
    if (src.bytes() != dst.bytes() && src.numel() > 0) std::memcpy(dst.bytes(), src.bytes(), (size_t)src.numel());
    sharpness(dst.data<uint8_t>(), src.size(0), src.size(1), src.size(2), factor);
  });
}

// Moves pixels: dst[r, q] = src[r, index[q]], or 0 where index[q] is -1, for src uint8 [R, P],
// index int64 [Q] with values in [-1, P) and dst uint8 [R, Q] (rows contiguous, not overlapping
// src). The nearest-neighbour warps of RandAugment (rotate, shear) as one pass over the clip.
// Returns 0, or 1 with the reason.
CVA_API int cva_gather_columns_into(const cva_array* src_a, const cva_array* index_a, const cva_array* dst_a) {
  CVA_RETURN_STATUS({
    const Array src(src_a, "gather_columns_into", "the source");
    const Array index(index_a, "gather_columns_into", "the index");
    const Array dst(dst_a, "gather_columns_into", "the destination");
    check_rows(src, "gather_columns_into", "the source");
    check_rows(dst, "gather_columns_into", "the destination");
    CVA_CHECK(src.dtype() == kByte && dst.dtype() == kByte,
              "gather_columns_into: source and destination must be uint8, got ", src.type(), " and ", dst.type());
    CVA_CHECK(index.dim() == 1 && index.dtype() == kLong && index.is_contiguous(),
              "gather_columns_into: the index must be a contiguous int64 [Q], got ", index.type(), " ", index.sizes());
    CVA_CHECK(dst.size(0) == src.size(0) && dst.size(1) == index.size(0), "gather_columns_into: the destination must be [",
              src.size(0), ", ", index.size(0), "], got ", dst.sizes());
    CVA_CHECK(!spans_overlap(dst, src), "gather_columns_into: the destination overlaps the source");
    const int64_t rows = src.size(0), p = src.size(1), q = index.size(0);
    // int32 offsets, checked once.
    CVA_CHECK(p < ((int64_t)1 << 31), "gather_columns_into: rows longer than 2^31 values");
    const int64_t* idx = index.data<int64_t>();
    std::vector<int32_t> offsets(q);
    std::vector<uint8_t> keep(q);
    for (int64_t k = 0; k < q; k++) {
      CVA_CHECK(idx[k] >= -1 && idx[k] < p, "gather_columns_into: index ", idx[k], " at ", k, " is outside [-1, ", p, ")");
      CVA_CHECK(idx[k] >= 0 || p > 0, "gather_columns_into: rows are empty");
      offsets[k] = idx[k] < 0 ? 0 : (int32_t)idx[k];
      keep[k] = idx[k] < 0 ? 0 : 0xFF;
    }
    gather_columns(src.data<uint8_t>(), src.stride(0), offsets.data(), keep.data(), rows, q, dst.data<uint8_t>(),
                   dst.stride(0));
  });
}

namespace {

// Calls f(row of a, row of b, length in elements) for every row (the last dimension) of two arrays
// of one shape whose last dimension is contiguous; other dimensions may have any strides. A 0-d
// array is one row of one element.
template <typename T, typename F>
void for_each_row_pair(const Array& a, const Array& b, F f) {
  const int dims = a.dim();
  const int64_t n = dims == 0 ? 1 : a.size(dims - 1);
  std::vector<int64_t> at_(std::max(dims - 1, 0), 0);
  T* pa = a.data<T>();
  T* pb = b.data<T>();
  while (true) {
    int64_t oa = 0, ob = 0;
    for (int d = 0; d + 1 < dims; d++) {
      oa += at_[d] * a.stride(d);
      ob += at_[d] * b.stride(d);
    }
    f(pa + oa, pb + ob, n);
    int d = dims - 2;
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

void check_pair(const Array& a, const Array& b, const char* op) {
  CVA_CHECK(a.same_sizes(b), op, ": the tensors differ in shape, ", a.sizes(), " and ", b.sizes());
  CVA_CHECK(a.dtype() == b.dtype(), op, ": the tensors differ in type, ", a.type(), " and ", b.type());
  const int d = a.dim();
  CVA_CHECK(d == 0 || ((a.size(d - 1) <= 1 || a.stride(d - 1) == 1) && (b.size(d - 1) <= 1 || b.stride(d - 1) == 1)), op,
            ": the last dimension must be contiguous, strides are ", a.strides(), " and ", b.strides());
  CVA_CHECK(!a.has_internal_overlap() && !b.has_internal_overlap(), op, ": a tensor has overlapping elements");
  CVA_CHECK(!spans_overlap(a, b), op, ": the tensors overlap");
}

template <int Size>
struct Element {
  unsigned char b[Size];
};

template <int Size>
void swap_rows(const Array& a, const Array& b) {
  std::vector<Element<Size>> tmp;
  for_each_row_pair<Element<Size>>(a, b, [&tmp](Element<Size>* x, Element<Size>* y, int64_t n) {
    tmp.assign(x, x + n);
    std::memcpy(x, y, (size_t)n * Size);
    std::memcpy(y, tmp.data(), (size_t)n * Size);
  });
}

}  // namespace

// Mixup of one pair in place, a and b float32 of one shape (last dimension contiguous, not
// overlapping): with d = (a - b) * (1 - lambda), a becomes a - d and b becomes b + d, i.e.
// lambda a + (1 - lambda) b and lambda b + (1 - lambda) a, in one pass over both.
// Returns 0, or 1 with the reason.
CVA_API int cva_mix_pair_(const cva_array* a_a, const cva_array* b_a, double lambda) {
  CVA_RETURN_STATUS({
    const Array a(a_a, "mix_pair_", "the first tensor");
    const Array b(b_a, "mix_pair_", "the second tensor");
    check_pair(a, b, "mix_pair_");
    CVA_CHECK(a.dtype() == kFloat, "mix_pair_: the tensors must be float32, got ", a.type());
    CVA_CHECK(std::isfinite(lambda), "mix_pair_: lambda must be finite");
    if (a.numel() == 0) return 0;
    const float w = (float)(1 - lambda);
    for_each_row_pair<float>(a, b, [w](float* x, float* y, int64_t n) { mix_rows(x, y, n, w); });
  });
}

// Exchanges the values of a and b in place (one shape and type, last dimension contiguous, not
// overlapping): cutmix's box swap between the two clips of a pair. Returns 0, or 1 with the reason.
CVA_API int cva_swap_(const cva_array* a_a, const cva_array* b_a) {
  CVA_RETURN_STATUS({
    const Array a(a_a, "swap_", "the first tensor");
    const Array b(b_a, "swap_", "the second tensor");
    check_pair(a, b, "swap_");
    if (a.numel() == 0) return 0;
    switch (a.element_size()) {
      case 1: swap_rows<1>(a, b); break;
      case 2: swap_rows<2>(a, b); break;
      case 4: swap_rows<4>(a, b); break;
      case 8: swap_rows<8>(a, b); break;
      default: swap_rows<16>(a, b); break;
    }
  });
}
