// Standard-normal noise for the train feed's random erasing, on the CPU.
//
// libtorch's CPU randn draws every value from its Mersenne Twister and runs Box-Muller on it, about
// 10 ns per value on this project's VMs, into a fresh tensor that is then copied into the erased
// box: ~1 ms of every clip the feed makes. Here the values are written straight into the box (any
// strides) by Marsaglia and Tsang's ziggurat (2000, 128 layers) over xoshiro256** (Blackman and
// Vigna), about 2-3 ns per value. The layer comes from the low 7 bits of a 64-bit draw and the
// signed value from its top 32 bits, so the two are independent (Doornik 2005 showed the original
// single 32-bit draw for both skews the tails). The stream depends only on the seed and the
// element order (row-major over the tensor's logical shape), not on its strides or the machine's
// vector width: the arithmetic is scalar and compiled without FMA contraction.
#include "array.h"
#include <cmath>
#include <algorithm>
#include <cstdint>
#include <vector>

namespace {

constexpr int kLayers = 128;
constexpr double kTail = 3.442619855899;        // r: where the base layer's tail starts
constexpr double kArea = 9.91256303526217e-3;   // v: the area of every layer
constexpr double kScale = 2147483648.0;         // 2^31: signed 32-bit draws map to [-1, 1)

struct Ziggurat {
  uint32_t k[kLayers];  // |draw| below k[i] is inside layer i's rectangle
  double w[kLayers];    // draw -> x in layer i
  double f[kLayers];    // exp(-x_i^2 / 2) at the layer's edge
  Ziggurat() {
    double d = kTail, t = kTail;
    const double q = kArea / std::exp(-0.5 * d * d);
    k[0] = (uint32_t)((d / q) * kScale);
    k[1] = 0;
    w[0] = q / kScale;
    w[kLayers - 1] = d / kScale;
    f[0] = 1.0;
    f[kLayers - 1] = std::exp(-0.5 * d * d);
    for (int i = kLayers - 2; i >= 1; i--) {
      d = std::sqrt(-2.0 * std::log(kArea / d + std::exp(-0.5 * d * d)));
      k[i + 1] = (uint32_t)((d / t) * kScale);
      t = d;
      f[i] = std::exp(-0.5 * d * d);
      w[i] = d / kScale;
    }
  }
};

const Ziggurat& tables() {
  static const Ziggurat z;
  return z;
}

// xoshiro256** seeded through splitmix64 (the seeding its authors recommend).
struct Xoshiro {
  uint64_t s[4];
  explicit Xoshiro(uint64_t seed) {
    for (uint64_t& x : s) {
      seed += 0x9E3779B97F4A7C15ULL;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
      x = z ^ (z >> 31);
    }
  }
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t next() {
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
  double uniform_open() { return ((next() >> 11) + 0.5) * (1.0 / 9007199254740992.0); }  // (0, 1)
};

// Slow path of a draw that fell outside its layer's rectangle: the wedge test, or the tail beyond r.
double ziggurat_fix(const Ziggurat& z, Xoshiro& g, int32_t v, int i) {
  while (true) {
    const double x = v * z.w[i];
    if (i == 0) {
      double a, b;
      do {
        a = -std::log(g.uniform_open()) / kTail;
        b = -std::log(g.uniform_open());
      } while (b + b < a * a);
      return v > 0 ? kTail + a : -kTail - a;
    }
    if (z.f[i] + g.uniform_open() * (z.f[i - 1] - z.f[i]) < std::exp(-0.5 * x * x)) return x;
    const uint64_t r = g.next();
    v = (int32_t)(uint32_t)(r >> 32);
    i = (int)(r & (kLayers - 1));
    const uint32_t mag = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
    if (mag < z.k[i]) return v * z.w[i];
  }
}

inline float normal(const Ziggurat& z, Xoshiro& g) {
  const uint64_t r = g.next();
  const int32_t v = (int32_t)(uint32_t)(r >> 32);
  const int i = (int)(r & (kLayers - 1));
  const uint32_t mag = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
  if (mag < z.k[i]) return (float)(v * z.w[i]);
  return (float)ziggurat_fix(z, g, v, i);
}

}  // namespace

// Fills a float32 array x (any shape and strides) in place with independent standard-normal
// values, in row-major order of its shape, from a generator seeded with `seed`: the same seed and
// shape give the same values. Returns 0, or 1 with the reason.
CVA_API int cva_normal_fill_(const cva_array* x_a, uint64_t seed) {
  CVA_RETURN_STATUS({
    const Array x(x_a, "normal_fill_", "the tensor");
    CVA_CHECK(x.dtype() == kFloat, "normal_fill_: the tensor must be float32, got ", x.type());
    if (x.numel() == 0) return 0;
    const Ziggurat& z = tables();
    Xoshiro g(seed);
    const int dims = x.dim();
    const int64_t n = dims == 0 ? 1 : x.size(dims - 1), step = dims == 0 ? 1 : x.stride(dims - 1);
    std::vector<int64_t> at_(std::max(dims - 1, 0), 0);
    float* base = x.data<float>();
    while (true) {
      int64_t offset = 0;
      for (int d = 0; d + 1 < dims; d++) offset += at_[d] * x.stride(d);
      float* row = base + offset;
      for (int64_t j = 0; j < n; j++) row[j * step] = normal(z, g);
      int d = dims - 2;
      for (; d >= 0; d--) {
        if (++at_[d] < x.size(d)) break;
        at_[d] = 0;
      }
      if (d < 0) return 0;
    }
  });
}
