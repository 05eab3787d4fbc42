// Common definitions of libcvmae_augment: the CPU kernels of the train-feed augmentation, plain
// loops over raw uint8/float32 buffers, without libtorch (the C# side passes each tensor's data
// pointer, shape and strides).
//
// Every export returns 0 on success, or 1 after storing the reason in a thread-local string that
// cva_last_error() hands out (the same convention as the libtorch shim, a separate channel).
#pragma once
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#define CVA_API extern "C" __attribute__((visibility("default")))

// An AVX2 clone beside the baseline one, chosen when the library loads (GCC on x86-64). No FMA in
// either, so both round every product alike.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define CVM_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CVM_CLONES
#endif

// A strided CPU array as C# describes a tensor (src/Stages/Augment/Native/NativeArray.cs).
// dtype numbers are libtorch's ScalarType: 0 uint8, 3 int32, 4 int64, 6 float32, 7 float64.
constexpr int kMaxDims = 8;
struct cva_array {
  void* data;                 // address of element [0, ..., 0]
  int32_t dtype;
  int32_t ndim;
  int64_t shape[kMaxDims];
  int64_t strides[kMaxDims];  // in elements
};

enum DType : int32_t { kByte = 0, kInt = 3, kLong = 4, kFloat = 6, kDouble = 7 };

void cva_set_error(const char* msg);

// Shapes and strides print as libtorch prints them, "[2, 3]".
struct Dims {
  const int64_t* v;
  int n;
};
std::ostream& operator<<(std::ostream& s, Dims d);
const char* dtype_name(int32_t dtype);  // libtorch's names: Byte, Float, Long, ...

template <typename... Args>
std::string cva_str(const Args&... args) {
  std::ostringstream s;
  (void)std::initializer_list<int>{((s << args), 0)...};
  return s.str();
}

#define CVA_CHECK(cond, ...) \
  if (!(cond)) throw std::invalid_argument(cva_str(__VA_ARGS__))

// Runs a statement block and returns 0, or 1 after storing the error.
#define CVA_RETURN_STATUS(...)                                        \
  try { __VA_ARGS__; return 0; }                                      \
  catch (const std::exception& e) { cva_set_error(e.what()); }        \
  catch (...) { cva_set_error("unknown native exception"); }          \
  return 1;

// A checked view of a cva_array (the subset of at::Tensor's interface the kernels use).
struct Array {
  const cva_array* a = nullptr;
  Array() = default;
  Array(const cva_array* p, const char* op, const char* what);
  int dim() const { return a->ndim; }
  int64_t size(int d) const { return a->shape[d]; }
  int64_t stride(int d) const { return a->strides[d]; }
  int32_t dtype() const { return a->dtype; }
  int64_t element_size() const;
  int64_t numel() const;
  bool is_contiguous() const;
  bool has_internal_overlap() const;  // some dimension of size > 1 has stride 0
  Dims sizes() const { return Dims{a->shape, a->ndim}; }
  Dims strides() const { return Dims{a->strides, a->ndim}; }
  bool same_sizes(const Array& o) const;
  const char* type() const { return dtype_name(a->dtype); }
  template <typename T>
  T* data() const { return static_cast<T*>(a->data); }
  char* bytes() const { return static_cast<char*>(a->data); }
};

// Whether the memory of two arrays (first to last element of each) may intersect.
bool spans_overlap(const Array& a, const Array& b);
