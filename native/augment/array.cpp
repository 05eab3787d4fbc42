// The thread-local error channel and the array view of libcvmae_augment.
#include "array.h"

static thread_local std::string g_last_error;
static thread_local bool g_has_error = false;

void cva_set_error(const char* msg) {
  g_last_error = msg ? msg : "";
  g_has_error = true;
}

// Returns the message of the last failed call on this thread, or nullptr, and clears it.
CVA_API const char* cva_last_error() {
  static thread_local std::string taken;
  if (!g_has_error) return nullptr;
  taken.swap(g_last_error);
  g_has_error = false;
  return taken.c_str();
}

std::ostream& operator<<(std::ostream& s, Dims d) {
  s << "[";
  for (int i = 0; i < d.n; i++) s << (i ? ", " : "") << d.v[i];
  return s << "]";
}

const char* dtype_name(int32_t dtype) {
  switch (dtype) {
    case 0: return "Byte";
    case 1: return "Char";
    case 2: return "Short";
    case 3: return "Int";
    case 4: return "Long";
    case 5: return "Half";
    case 6: return "Float";
    case 7: return "Double";
    case 11: return "Bool";
    case 15: return "BFloat16";
    default: return "Unknown";
  }
}

Array::Array(const cva_array* p, const char* op, const char* what) : a(p) {
  CVA_CHECK(p, op, ": ", what, " is missing");
  CVA_CHECK(p->ndim >= 0 && p->ndim <= kMaxDims, op, ": ", what, " has ", p->ndim, " dimensions (at most ", kMaxDims, ")");
  for (int d = 0; d < p->ndim; d++) CVA_CHECK(p->shape[d] >= 0, op, ": ", what, " has a negative size ", sizes());
  CVA_CHECK(element_size() > 0, op, ": ", what, " has an unknown element type (", p->dtype, ")");
  CVA_CHECK(p->data || numel() == 0, op, ": ", what, " has no data");
}

int64_t Array::element_size() const {
  switch (a->dtype) {
    case 0: case 1: case 11: return 1;
    case 2: case 5: case 15: return 2;
    case 3: case 6: return 4;
    case 4: case 7: case 9: return 8;
    case 10: return 16;
    default: return 0;
  }
}

int64_t Array::numel() const {
  int64_t n = 1;
  for (int d = 0; d < a->ndim; d++) n *= a->shape[d];
  return n;
}

bool Array::is_contiguous() const {
  int64_t expected = 1;
  for (int d = a->ndim - 1; d >= 0; d--) {
    if (a->shape[d] == 1) continue;
    if (a->strides[d] != expected) return false;
    expected *= a->shape[d];
  }
  return true;
}

bool Array::has_internal_overlap() const {
  for (int d = 0; d < a->ndim; d++)
    if (a->shape[d] > 1 && a->strides[d] == 0) return true;
  return false;
}

bool Array::same_sizes(const Array& o) const {
  if (o.dim() != dim()) return false;
  for (int d = 0; d < dim(); d++)
    if (o.size(d) != size(d)) return false;
  return true;
}

bool spans_overlap(const Array& a, const Array& b) {
  auto span = [](const Array& t) {
    const char* lo = t.bytes();
    const char* hi = lo;
    for (int d = 0; d < t.dim(); d++) {
      const int64_t step = (t.size(d) - 1) * t.stride(d) * t.element_size();
      if (step < 0) lo += step;
      else hi += step;
    }
    return std::make_pair(lo, hi + t.element_size());
  };
  if (a.numel() == 0 || b.numel() == 0) return false;
  auto sa = span(a), sb = span(b);
  return sa.first < sb.second && sb.first < sa.second;
}
