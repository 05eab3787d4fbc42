// Fused crop -> resize -> mirror -> normalise of decoded frames, for the train feed on the CPU.
//
// cva_crop_resize_into reads a box of frames [T, H, W, 3] (RGB, channels last, uint8 or float32)
// once and writes the resized, optionally mirrored and normalised planes [3, T, S_h, S_w] once,
// into a destination view (one clip row of a batch). The libtorch chain it replaces made about six
// full passes (planar copy, conversion, interpolate, flip, normalise, copy into the row).
//
// The values are PyTorch's F.interpolate with align_corners=False: bilinear and bicubic (A = -0.75)
// without antialias, and the antialiased (PIL-style, bicubic A = -0.5) filters of
// _upsample_bilinear2d_aa / _upsample_bicubic2d_aa; nearest as upsample_nearest2d. Bicubic
// overshoot is clamped to [0, 255] before normalising (as the C# path clamps). The resize is
// separable: a vertical pass over each interleaved source row (contiguous, vectorised) into one
// float row, then a horizontal pass that takes each output pixel's taps as 4-float vectors
// (r, g, b, next) and writes the three planes. Tap positions and weights are computed once per
// call for each axis; mirroring is the horizontal taps in reverse order.
#include "array.h"
#include <utility>
#include <algorithm>
#include <cmath>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace {

enum ResizeMode { kNearest = 0, kBilinear = 1, kBicubic = 2 };

// For one axis: output index o reads source indices index[o * width + k] with weight[...].
struct AxisTaps {
  int width = 0;
  std::vector<int64_t> index;
  std::vector<float> weight;
};

double cubic_near(double x, double a) { return ((a + 2) * x - (a + 3)) * x * x + 1; }      // |x| <= 1
double cubic_far(double x, double a) { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a; }  // 1 < |x| < 2

double aa_filter(int mode, double x) {
  x = std::abs(x);
  if (mode == kBilinear) return x < 1 ? 1 - x : 0;
  const double a = -0.5;  // PIL's bicubic
  if (x < 1) return cubic_near(x, a);
  if (x < 2) return cubic_far(x, a);
  return 0;
}

AxisTaps compute_taps(int64_t in, int64_t out, int mode, bool antialias, bool flip) {
  AxisTaps t;
  if (in == out && mode != kNearest) antialias = false;  // every filter is the identity at scale 1
  if (mode == kNearest) {
    // upsample_nearest2d: floor(o * (in / out)) in float, capped at in - 1.
    t.width = 1;
    const float scale = (float)in / (float)out;
    for (int64_t o = 0; o < out; o++) {
      int64_t i = in == out ? o : std::min((int64_t)std::floor((float)o * scale), in - 1);
      t.index.push_back(i);
      t.weight.push_back(1.f);
    }
  } else if (in == out) {
    t.width = 1;
    for (int64_t o = 0; o < out; o++) {
      t.index.push_back(o);
      t.weight.push_back(1.f);
    }
  } else if (antialias) {
    // _compute_weights_aa: the filter stretched by the scale when shrinking, normalised to sum 1.
    const double scale = (double)in / (double)out;
    const double half = mode == kBilinear ? 1.0 : 2.0;
    const double support = scale >= 1 ? half * scale : half;
    const double invscale = scale >= 1 ? 1 / scale : 1;
    t.width = (int)std::ceil(support) * 2 + 1;
    std::vector<double> w(t.width);
    for (int64_t o = 0; o < out; o++) {
      const double center = scale * (o + 0.5);
      const int64_t xmin = std::max((int64_t)(center - support + 0.5), (int64_t)0);
      const int64_t xsize = std::min(std::min((int64_t)(center + support + 0.5), in) - xmin, (int64_t)t.width);
      double total = 0;
      for (int64_t j = 0; j < xsize; j++) total += (w[j] = aa_filter(mode, (j + xmin - center + 0.5) * invscale));
      for (int64_t j = 0; j < t.width; j++) {
        const bool used = j < xsize;
        t.index.push_back(used ? xmin + j : xmin);
        t.weight.push_back(used ? (float)(total != 0 ? w[j] / total : w[j]) : 0.f);
      }
    }
  } else if (mode == kBilinear) {
    // upsample_bilinear2d: source position (o + 0.5) * scale - 0.5, clamped at 0.
    t.width = 2;
    const double scale = (double)in / (double)out;
    for (int64_t o = 0; o < out; o++) {
      const double src = std::max(scale * (o + 0.5) - 0.5, 0.0);
      const int64_t i0 = (int64_t)src;
      const int64_t i1 = i0 + (i0 < in - 1 ? 1 : 0);
      const double l1 = std::min(std::max(src - (double)i0, 0.0), 1.0);
      t.index.insert(t.index.end(), {i0, i1});
      t.weight.insert(t.weight.end(), {(float)(1 - l1), (float)l1});
    }
  } else {
    // upsample_bicubic2d: four taps around floor(source position), indices clamped to the edge.
    t.width = 4;
    const double scale = (double)in / (double)out, a = -0.75;
    for (int64_t o = 0; o < out; o++) {
      const double src = scale * (o + 0.5) - 0.5;
      const int64_t i = std::min((int64_t)std::floor(src), in - 1);
      const double x = std::min(std::max(src - (double)i, 0.0), 1.0);
      const double c[4] = {cubic_far(x + 1, a), cubic_near(x, a), cubic_near(1 - x, a), cubic_far(2 - x, a)};
      for (int k = 0; k < 4; k++) {
        t.index.push_back(std::min(std::max(i - 1 + k, (int64_t)0), in - 1));
        t.weight.push_back((float)c[k]);
      }
    }
  }
  if (flip) {
    for (int64_t lo = 0, hi = out - 1; lo < hi; lo++, hi--)
      for (int k = 0; k < t.width; k++) {
        std::swap(t.index[lo * t.width + k], t.index[hi * t.width + k]);
        std::swap(t.weight[lo * t.width + k], t.weight[hi * t.width + k]);
      }
  }
  return t;
}

// Vertical pass: acc[x] = sum_k w[k] * rows[k][x] over one interleaved row of n values. With a
// fixed tap count it is one loop (the taps unrolled), vectorised over x (CVM_CLONES: AVX2 or baseline).

template <typename In>
CVM_CLONES void blend2(const In* __restrict__ r0, const In* __restrict__ r1, float w0, float w1, int64_t n,
                       float* __restrict__ acc) {
  for (int64_t x = 0; x < n; x++) acc[x] = w0 * (float)r0[x] + w1 * (float)r1[x];
}

template <typename In>
CVM_CLONES void blend4(const In* const* rows, const float* w, int64_t n, float* __restrict__ acc) {
  const In* __restrict__ r0 = rows[0];
  const In* __restrict__ r1 = rows[1];
  const In* __restrict__ r2 = rows[2];
  const In* __restrict__ r3 = rows[3];
  const float w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
  for (int64_t x = 0; x < n; x++) acc[x] = ((w0 * (float)r0[x] + w1 * (float)r1[x]) + w2 * (float)r2[x]) + w3 * (float)r3[x];
}

template <typename In>
CVM_CLONES void blend_any(const In* const* rows, const float* w, int taps, int64_t n, float* __restrict__ acc) {
  {
    const In* __restrict__ r = rows[0];
    const float w0 = w[0];
    for (int64_t x = 0; x < n; x++) acc[x] = w0 * (float)r[x];
  }
  for (int k = 1; k < taps; k++) {
    const In* __restrict__ r = rows[k];
    const float wk = w[k];
    if (wk == 0.f) continue;
    for (int64_t x = 0; x < n; x++) acc[x] += wk * (float)r[x];
  }
}

template <typename In, int W>
void blend_rows(const In* const* rows, const float* w, int width, int64_t n, float* acc) {
  if (W == 1 || (W == 0 && width == 1)) blend_any(rows, w, 1, n, acc);
  else if (W == 2) blend2(rows[0], rows[1], w[0], w[1], n, acc);
  else if (W == 4) blend4(rows, w, n, acc);
  else blend_any(rows, w, width, n, acc);
}

typedef float f4 __attribute__((vector_size(16)));

inline f4 load4(const float* p) {
  f4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Rounds to the nearest integer, halves to even (as torch.round), for |v| < 2^22.
inline float round_even(float v) {
  const float magic = 12582912.f;  // 1.5 * 2^23
  return (v + magic) - magic;      // exact without -ffast-math, which the shim is never built with
}

inline void store4(float* p, f4 v) { std::memcpy(p, &v, sizeof v); }

#if defined(__clang__)
#define CVM_SHUFFLE(a, b, i, j, k, l) __builtin_shufflevector(a, b, i, j, k, l)
#else
typedef int i4 __attribute__((vector_size(16)));
#define CVM_SHUFFLE(a, b, i, j, k, l) __builtin_shuffle(a, b, i4{i, j, k, l})
#endif

// The horizontal taps ready for the row loop: offsets into an interleaved row (3 * column) as int32
// and each weight broadcast to a 4-float vector.
struct RowTaps {
  int width = 0;
  std::vector<int32_t> offset;
  std::vector<f4> weight;
};

RowTaps row_taps(const AxisTaps& t) {
  RowTaps r;
  r.width = t.width;
  for (int64_t i : t.index) r.offset.push_back((int32_t)(3 * i));
  for (float w : t.weight) r.weight.push_back(f4{w, w, w, w});
  return r;
}

// One output pixel: the sum over its taps of the 4-float vectors (r, g, b, next) at the source pixels.
template <int W>
inline f4 pixel(const float* row, const int32_t* ix, const f4* wx, int taps) {
  f4 v = wx[0] * load4(row + ix[0]);
  for (int k = 1; k < (W > 0 ? W : taps); k++) v += wx[k] * load4(row + ix[k]);
  return v;
}

// Writes four values of one plane: float32 as they are; uint8 clamped to [0, 255] and rounded half to even.
inline void put4(float* p, f4 v) { store4(p, v); }

inline void put4(uint8_t* p, f4 v) {
#if defined(__SSE2__)
  // cvtps2dq rounds half to even (the default MXCSR mode); the two packs saturate to [0, 255].
  __m128 x;
  std::memcpy(&x, &v, sizeof x);
  const __m128i i = _mm_cvtps_epi32(x);
  const __m128i b = _mm_packus_epi16(_mm_packs_epi32(i, i), _mm_setzero_si128());
  const int32_t four = _mm_cvtsi128_si32(b);
  std::memcpy(p, &four, 4);
#else
  const f4 lo = {0, 0, 0, 0}, hi = {255, 255, 255, 255};
  v = v < lo ? lo : (v > hi ? hi : v);
  for (int k = 0; k < 4; k++) p[k] = (uint8_t)round_even(v[k]);
#endif
}

inline void put1(float* p, float v) { *p = v; }
inline void put1(uint8_t* p, float v) { *p = (uint8_t)round_even(v < 0.f ? 0.f : (v > 255.f ? 255.f : v)); }

// Horizontal pass for one output row: out_c[j] = post_c(sum_k wx[j][k] * row[ix[j][k] + c]), where the
// taps' ix are offsets into the interleaved row (3 * source column). Four output pixels at a time are
// transposed from (r, g, b, -) vectors into r, g and b vectors, so the planes are written 4 wide.
template <int W, typename Out>
void resample_row(const float* row, const RowTaps& tx, int64_t out_w, bool clamp255, f4 scale, f4 shift, Out* o0,
                  Out* o1, Out* o2) {
  const int taps = tx.width;
  const int32_t* ix = tx.offset.data();
  const f4* wx = tx.weight.data();
  const f4 lo = {0, 0, 0, 0}, hi = {255, 255, 255, 255};
  const f4 s0 = {scale[0], scale[0], scale[0], scale[0]}, s1 = {scale[1], scale[1], scale[1], scale[1]},
           s2 = {scale[2], scale[2], scale[2], scale[2]};
  const f4 b0 = {shift[0], shift[0], shift[0], shift[0]}, b1 = {shift[1], shift[1], shift[1], shift[1]},
           b2 = {shift[2], shift[2], shift[2], shift[2]};
  int64_t j = 0;
  for (; j + 4 <= out_w; j += 4) {
    f4 v0 = pixel<W>(row, ix + (j + 0) * taps, wx + (j + 0) * taps, taps);
    f4 v1 = pixel<W>(row, ix + (j + 1) * taps, wx + (j + 1) * taps, taps);
    f4 v2 = pixel<W>(row, ix + (j + 2) * taps, wx + (j + 2) * taps, taps);
    f4 v3 = pixel<W>(row, ix + (j + 3) * taps, wx + (j + 3) * taps, taps);
    const f4 rg01 = CVM_SHUFFLE(v0, v1, 0, 4, 1, 5), rg23 = CVM_SHUFFLE(v2, v3, 0, 4, 1, 5);
    const f4 b01 = CVM_SHUFFLE(v0, v1, 2, 6, 3, 7), b23 = CVM_SHUFFLE(v2, v3, 2, 6, 3, 7);
    f4 r = CVM_SHUFFLE(rg01, rg23, 0, 1, 4, 5), g = CVM_SHUFFLE(rg01, rg23, 2, 3, 6, 7), b = CVM_SHUFFLE(b01, b23, 0, 1, 4, 5);
    if (clamp255) {
      r = r < lo ? lo : (r > hi ? hi : r);
      g = g < lo ? lo : (g > hi ? hi : g);
      b = b < lo ? lo : (b > hi ? hi : b);
    }
    put4(o0 + j, r * s0 + b0);
    put4(o1 + j, g * s1 + b1);
    put4(o2 + j, b * s2 + b2);
  }
  for (; j < out_w; j++) {
    f4 v = pixel<W>(row, ix + j * taps, wx + j * taps, taps);
    if (clamp255) v = v < lo ? lo : (v > hi ? hi : v);
    v = v * scale + shift;
    put1(o0 + j, v[0]);
    put1(o1 + j, v[1]);
    put1(o2 + j, v[2]);
  }
}

template <typename In, typename Out, int WY, int WX>
void crop_resize_frames(const Array& src, int64_t top, int64_t left, int64_t width, const AxisTaps& ty,
                        const RowTaps& tx, bool clamp255, f4 scale, f4 shift, const Array& dst) {
  const int64_t frames = src.size(0), out_h = dst.size(2), out_w = dst.size(3);
  const int64_t sT = src.stride(0), sH = src.stride(1);
  const int64_t dC = dst.stride(0), dT = dst.stride(1), dH = dst.stride(2);
  const In* base = src.data<In>() + top * sH + left * 3;
  Out* out = dst.data<Out>();
  const int64_t n = width * 3;
  // One thread: the feed runs beside the trainer, and an OpenMP team started here would spin on the
  // cores the trainer's own team needs (the demo's pre-training ran 2x slower with it). The feed gets its
  // parallelism from its decode workers instead.
  {
    std::vector<float> acc(n + 1, 0.f);  // one float of slack: the last pixel is read as 4 floats
    std::vector<const In*> rows(ty.width);
    for (int64_t t = 0; t < frames; t++) {
      const In* frame = base + t * sT;
      for (int64_t i = 0; i < out_h; i++) {
        for (int k = 0; k < ty.width; k++) rows[k] = frame + ty.index[i * ty.width + k] * sH;
        blend_rows<In, WY>(rows.data(), &ty.weight[i * ty.width], ty.width, n, acc.data());
        Out* o = out + t * dT + i * dH;
        resample_row<WX>(acc.data(), tx, out_w, clamp255, scale, shift, o, o + dC, o + 2 * dC);
      }
    }
  }
}

template <typename In, typename Out>
void dispatch_widths(const Array& src, int64_t top, int64_t left, int64_t width, const AxisTaps& ty,
                     const RowTaps& tx, bool clamp255, f4 scale, f4 shift, const Array& dst) {
  // Fixed tap counts for the common filters let the compiler unroll the inner loops.
  auto run = [&](auto wy, auto wx) {
    crop_resize_frames<In, Out, decltype(wy)::value, decltype(wx)::value>(src, top, left, width, ty, tx, clamp255, scale,
                                                                          shift, dst);
  };
  using I0 = std::integral_constant<int, 0>;
  using I1 = std::integral_constant<int, 1>;
  using I2 = std::integral_constant<int, 2>;
  using I4 = std::integral_constant<int, 4>;
  auto with_y = [&](auto wx) {
    switch (ty.width) {
      case 1: run(I1{}, wx); break;
      case 2: run(I2{}, wx); break;
      case 4: run(I4{}, wx); break;
      default: run(I0{}, wx); break;
    }
  };
  switch (tx.width) {
    case 1: with_y(I1{}); break;
    case 2: with_y(I2{}); break;
    case 4: with_y(I4{}); break;
    default: with_y(I0{}); break;
  }
}

}  // namespace

// Crops rows [top, top + height) x columns [left, left + width) of every frame of
// src [T, H, W, 3] (uint8 or float32 on the 0-255 scale, frames of interleaved rows: stride(2) = 3,
// stride(3) = 1; other strides free), resizes the box to dst's S_h x S_w with `mode` (0 nearest,
// 1 bilinear, 2 bicubic; align_corners = False; antialias for bilinear and bicubic), mirrors it
// left-right when `flip` (antialias and flip: 0 or 1), and writes channel c as value * scale[c] + shift[c] into dst
// [3, T, S_h, S_w] (rows contiguous: stride(3) = 1; e.g. one clip of a [B, 3, T, S, S] batch).
// dst float32 takes the values as they are; dst uint8 takes them clamped to [0, 255] and rounded
// half to even. Returns 0, or 1 with the reason.
CVA_API int cva_crop_resize_into(const cva_array* src_a, int64_t top, int64_t left, int64_t height, int64_t width, int mode,
                                 int antialias, int flip, const double* scale, const double* shift, const cva_array* dst_a) {
  CVA_RETURN_STATUS({
    const Array src(src_a, "crop_resize_into", "the source");
    const Array dst(dst_a, "crop_resize_into", "the destination");
    CVA_CHECK(scale && shift, "crop_resize_into: scale and shift must hold 3 values each");
    CVA_CHECK(src.dim() == 4 && src.size(3) == 3, "crop_resize_into: source must be [T, H, W, 3], got ", src.sizes());
    CVA_CHECK(src.dtype() == kByte || src.dtype() == kFloat,
              "crop_resize_into: source must be uint8 or float32, got ", src.type());
    CVA_CHECK(dst.dim() == 4 && dst.size(0) == 3 && dst.size(1) == src.size(0) && dst.size(2) >= 1 && dst.size(3) >= 1,
              "crop_resize_into: destination must be [3, ", src.size(0), ", S_h, S_w], got ", dst.sizes());
    CVA_CHECK(dst.dtype() == kFloat || dst.dtype() == kByte,
              "crop_resize_into: destination must be float32 or uint8, got ", dst.type());
    CVA_CHECK(dst.stride(3) == 1, "crop_resize_into: destination rows must be contiguous (stride(3) = 1), strides are ",
              dst.strides());
    CVA_CHECK(height >= 1 && width >= 1 && top >= 0 && left >= 0 && top + height <= src.size(1) &&
                  left + width <= src.size(2),
              "crop_resize_into: box (top ", top, ", left ", left, ", height ", height, ", width ", width,
              ") does not fit a ", src.size(1), "x", src.size(2), " frame");
    CVA_CHECK(mode == kNearest || mode == kBilinear || mode == kBicubic,
              "crop_resize_into: mode must be 0 (nearest), 1 (bilinear) or 2 (bicubic), got ", mode);
    CVA_CHECK(!(antialias && mode == kNearest), "crop_resize_into: antialias needs bilinear or bicubic");
    for (int c = 0; c < 3; c++)
      CVA_CHECK(std::isfinite(scale[c]) && std::isfinite(shift[c]), "crop_resize_into: scale and shift must be finite");
    CVA_CHECK(!dst.has_internal_overlap(), "crop_resize_into: destination has overlapping elements");
    CVA_CHECK(!spans_overlap(dst, src), "crop_resize_into: the destination overlaps the source");
    if (src.numel() == 0) return 0;  // T = 0: nothing to write
    // The passes read each frame as interleaved rows; the C# side copies other layouts first.
    CVA_CHECK(src.stride(3) == 1 && src.stride(2) == 3,
              "crop_resize_into: source frames must be interleaved rows (stride(2) = 3, stride(3) = 1), strides are ",
              src.strides());
    const AxisTaps ty = compute_taps(height, dst.size(2), mode, antialias, false);
    CVA_CHECK(width * 3 < ((int64_t)1 << 31), "crop_resize_into: the box is too wide");
    const RowTaps tx = row_taps(compute_taps(width, dst.size(3), mode, antialias, flip));
    const f4 s = {(float)scale[0], (float)scale[1], (float)scale[2], 0.f};
    const f4 b = {(float)shift[0], (float)shift[1], (float)shift[2], 0.f};
    const bool clamp255 = mode == kBicubic;
    const bool byte_in = src.dtype() == kByte, byte_out = dst.dtype() == kByte;
    if (byte_in && !byte_out) dispatch_widths<uint8_t, float>(src, top, left, width, ty, tx, clamp255, s, b, dst);
    else if (byte_in) dispatch_widths<uint8_t, uint8_t>(src, top, left, width, ty, tx, clamp255, s, b, dst);
    else if (!byte_out) dispatch_widths<float, float>(src, top, left, width, ty, tx, clamp255, s, b, dst);
    else dispatch_widths<float, uint8_t>(src, top, left, width, ty, tx, clamp255, s, b, dst);
  });
}
