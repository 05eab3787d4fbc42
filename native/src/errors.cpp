// Thread-local last-error string: the only channel by which libtorch failures reach C#.
#include "shim.h"

static thread_local std::string g_last_error;
static thread_local bool g_has_error = false;

void cvm_set_error(const char* msg) {
  g_last_error = msg ? msg : "";
  g_has_error = true;
}

void cvm_clear_error() {
  g_last_error.clear();
  g_has_error = false;
}

// Returns the message of the last failed call on this thread, or nullptr, and clears it.
CVM_API const char* cvm_last_error() {
  static thread_local std::string taken;
  if (!g_has_error) return nullptr;
  taken.swap(g_last_error);
  g_has_error = false;
  return taken.c_str();
}
