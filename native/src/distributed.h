// The process group as distributed.cpp and reducer.cpp share it (not part of the C ABI).
//
// Libtorch 1.13 calls the backend base class c10d::ProcessGroup; from 2.0 on the backends derive
// from c10d::Backend (ProcessGroup became a dispatcher over them).
#pragma once
#include "shim.h"
#include <torch/csrc/distributed/c10d/Store.hpp>
#include <memory>
#include <sstream>
#include <string>

#if TORCH_VERSION_MAJOR >= 2
#include <torch/csrc/distributed/c10d/Backend.hpp>
using CvmBackend = c10d::Backend;
#else
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
using CvmBackend = c10d::ProcessGroup;
#endif

struct CvmGroup {
  c10::intrusive_ptr<CvmBackend> backend;
  c10::intrusive_ptr<c10d::Store> store;  // the group's prefixed store
  std::string name;  // "gloo" | "nccl"
  int rank = 0;
  int world = 1;
  // AllReduceCoalesced's flat buffer, kept for the next call (a fresh buffer of gradient size would
  // be page-faulted in on every step); grown when a bucket needs more.
  at::Tensor bucket;
};

// "<op> (<backend>, rank r of n) failed: ", the start of every error message about a group.
inline std::string group_label(const CvmGroup& g, const char* op) {
  std::ostringstream s;
  s << op << " (" << g.name << ", rank " << g.rank << " of " << g.world << ") failed: ";
  return s.str();
}
