// Gradient synchronisation as DistributedDataParallel does it, through libtorch's own engine,
// c10d::Reducer: a hook after each parameter's gradient accumulator marks its gradient ready during
// the backward pass; a bucket whose gradients are all ready is copied (divided by the world size)
// into one flat buffer and all-reduced asynchronously while backward goes on; at the end of backward
// (an autograd engine callback) the reducer waits for every bucket and copies the averages into
// the parameters' .grad. Buckets are filled in reverse parameter order (roughly the order in which
// gradients become ready), the first up to first_bucket_bytes (DDP: 1 MB), the rest up to
// bucket_bytes (DDP: 25 MB).
//
// The hooks act only on a backward pass armed by cvm_reducer_prepare (DDP's prepare_for_backward);
// an unarmed backward just accumulates gradients (DDP's no_sync: gradient accumulation reduces on
// the last micro-batch only). find_unused_parameters is on: preparing walks the graph from the
// output, parameters it does not reach are marked ready at once, and one more small all-reduce
// tells every rank which parameters got a gradient on any rank; a parameter that got none on any
// rank keeps its .grad as it was (undefined after zero_grad, as with one process).
//
// Handles: a reducer is a CvmReducer* holding its group (std::shared_ptr<CvmGroup>) alive.
//
// Versions: Debian's libtorch 1.13 ships reducer.hpp without the distributed autograd header it
// includes (native/compat supplies the two names it needs). The Reducer takes a
// c10d::ProcessGroup: in 1.13 that is the Gloo/NCCL backend itself; from 2.0 on ProcessGroup is
// a dispatcher, so the backend is wrapped in one (the (store, rank, size) constructor of 2.6). The
// constructor lost its per-bucket size limits and gained skip_all_reduce_unused_params /
// use_python_reducer (and later a bucket size list and batched grad copy) after 2.6; the right one
// is picked by which signature exists.
#include "shim.h"
#include "distributed.h"
#include <torch/csrc/autograd/engine.h>
#include <torch/csrc/distributed/c10d/reducer.hpp>
#include <algorithm>
#include <chrono>
#include <memory>
#include <tuple>
#include <type_traits>
#include <unordered_map>

namespace {

// When the gradients of an armed backward were all computed and when their reduction was done
// (steady clock, ns; -1 until then).
struct ReduceClock {
  std::atomic<int64_t> grads_done{-1};
  std::atomic<int64_t> reduced{-1};
};

// With find_unused_parameters on, the reducer warns once per process, at the end of the first armed
// backward pass, when that pass left no parameter unused ("consider turning this flag off"). The
// flag is on for safety (a parameter without a gradient must not leave a bucket unreduced), so that
// advice does not apply: the engine callbacks around the reducer's (cvm_reducer_prepare) install this
// handler, which drops that one warning and passes every other on. The handler API differs by version.
constexpr const char* kUnusedFlagAdvice = "find_unused_parameters=True was specified in DDP constructor, but did not find any unused parameters";

#if TORCH_VERSION_MAJOR >= 2
c10::WarningHandler* current_warning_handler() { return c10::WarningUtils::get_warning_handler(); }
void use_warning_handler(c10::WarningHandler* h) { c10::WarningUtils::set_warning_handler(h); }
#else
c10::WarningHandler* current_warning_handler() { return c10::Warning::get_warning_handler(); }
void use_warning_handler(c10::WarningHandler* h) { c10::Warning::set_warning_handler(h); }
#endif

class QuietUnusedFlagAdvice : public c10::WarningHandler {
 public:
  c10::WarningHandler* next = nullptr;
#if TORCH_VERSION_MAJOR >= 2
  void process(const c10::Warning& w) override {
    if (w.msg().find(kUnusedFlagAdvice) == std::string::npos) next->process(w);
  }
#else
  void process(const c10::SourceLocation& where, const std::string& msg, const bool verbatim) override {
    if (msg.find(kUnusedFlagAdvice) == std::string::npos) next->process(where, msg, verbatim);
  }
#endif
};

thread_local QuietUnusedFlagAdvice quiet_handler;

void quiet_begin() {
  c10::WarningHandler* h = current_warning_handler();
  if (h == &quiet_handler) return;
  quiet_handler.next = h;
  use_warning_handler(&quiet_handler);
}

void quiet_end() {
  if (current_warning_handler() == &quiet_handler) use_warning_handler(quiet_handler.next);
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

#if TORCH_VERSION_MAJOR >= 2 && !(TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR < 6)
template <typename R>
std::unique_ptr<R> make_reducer_2x(std::vector<at::Tensor> params, std::vector<std::vector<size_t>> buckets,
                                   std::vector<size_t> limits, c10::intrusive_ptr<c10d::ProcessGroup> pg,
                                   int64_t bucket_bytes, int64_t first_bucket_bytes) {
  using P = std::vector<at::Tensor>;
  using B = std::vector<std::vector<size_t>>;
  using G = c10::intrusive_ptr<c10d::ProcessGroup>;
  using S = std::vector<bool>;
  using N = std::unordered_map<size_t, std::string>;
  if constexpr (std::is_constructible<R, P, B, const std::vector<size_t>&, G, S, int64_t, bool, bool, N, int64_t>::value) {
    // 2.6: (params, buckets, per-bucket limits, group, sparse, cap, find_unused, as_view, names, first cap)
    return std::make_unique<R>(std::move(params), std::move(buckets), limits, std::move(pg), S(), bucket_bytes,
                               /*find_unused_parameters=*/true, /*gradient_as_bucket_view=*/false, N(), first_bucket_bytes);
  } else if constexpr (std::is_constructible<R, P, B, G, S, int64_t, bool, bool, N, int64_t, bool, bool, std::vector<int64_t>, bool>::value) {
    // newer: no limits; skip_all_reduce_unused_params, use_python_reducer, bucket size list (used when
    // buckets are rebuilt, which this shim never asks for), batched grad copy
    return std::make_unique<R>(std::move(params), std::move(buckets), std::move(pg), S(), bucket_bytes, true, false, N(),
                               first_bucket_bytes, /*skip_all_reduce_unused_params=*/false, /*use_python_reducer=*/false,
                               std::vector<int64_t>(), /*batched_grad_copy=*/false);
  } else {
    return std::make_unique<R>(std::move(params), std::move(buckets), std::move(pg), S(), bucket_bytes, true, false, N(),
                               first_bucket_bytes, /*skip_all_reduce_unused_params=*/false, /*use_python_reducer=*/false);
  }
}
#endif

std::unique_ptr<c10d::Reducer> make_reducer(const CvmGroup& g, std::vector<at::Tensor> params,
                                            std::vector<std::vector<size_t>> buckets, std::vector<size_t> limits,
                                            int64_t bucket_bytes, int64_t first_bucket_bytes) {
#if TORCH_VERSION_MAJOR < 2
  return std::make_unique<c10d::Reducer>(std::move(params), std::move(buckets), std::move(limits), g.backend,
                                         std::vector<bool>(), bucket_bytes, /*find_unused_parameters=*/true,
                                         /*gradient_as_bucket_view=*/false, std::unordered_map<size_t, std::string>(),
                                         first_bucket_bytes);
#elif TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR < 6
  TORCH_CHECK(false, "the gradient reducer needs libtorch 1.13 or 2.6 and later (this is ", TORCH_VERSION_MAJOR, ".",
              TORCH_VERSION_MINOR, ")");
#else
  auto pg = c10::make_intrusive<c10d::ProcessGroup>(g.store, g.rank, g.world);
  const bool nccl = g.name == "nccl";
  const auto type = nccl ? c10d::ProcessGroup::BackendType::NCCL : c10d::ProcessGroup::BackendType::GLOO;
  pg->setDefaultBackend(type);
  pg->setBackend(nccl ? c10::DeviceType::CUDA : c10::DeviceType::CPU, type, g.backend);
  return make_reducer_2x<c10d::Reducer>(std::move(params), std::move(buckets), std::move(limits), std::move(pg),
                                        bucket_bytes, first_bucket_bytes);
#endif
}

}  // namespace

struct CvmReducer {
  std::shared_ptr<CvmGroup> group;
  std::unique_ptr<c10d::Reducer> reducer;
  std::vector<int64_t> bucket_bytes;  // each bucket's size, in the order they are reduced
  std::shared_ptr<ReduceClock> clock = std::make_shared<ReduceClock>();
};

typedef std::shared_ptr<CvmGroup>* GroupH;
typedef CvmReducer* ReducerH;

#define CVM_REDUCER_STATUS(r, op, ...)                                                                 \
  try { cvm_sync_threads(); __VA_ARGS__; return 0; }                                                   \
  catch (const c10::Error& e) { cvm_set_error((group_label(*(r).group, op) + e.what_without_backtrace()).c_str()); } \
  catch (const std::exception& e) { cvm_set_error((group_label(*(r).group, op) + e.what()).c_str()); } \
  catch (...) { cvm_set_error((group_label(*(r).group, op) + "unknown native exception").c_str()); }   \
  return 1;

// A reducer over the n parameters (every one must require a gradient, dense, one dtype per device)
// in the group; every rank must pass the same parameters in the same order. Buckets: reverse
// parameter order, the first up to first_bucket_bytes, the others up to bucket_bytes.
CVM_API ReducerH cvm_reducer_new(GroupH gh, const TensorH* params, int n, int64_t bucket_bytes, int64_t first_bucket_bytes) {
  auto r = std::make_unique<CvmReducer>();
  r->group = *gh;
  auto status = [&]() -> int {
    CVM_REDUCER_STATUS(*r, "GradientReducer", {
      TORCH_CHECK(n >= 1, "the gradient reducer needs at least one parameter");
      TORCH_CHECK(bucket_bytes > 0 && first_bucket_bytes > 0, "bucket sizes must be positive");
      std::vector<at::Tensor> ps = cvm_tensor_list(params, n);
      std::vector<at::Tensor> reversed(ps.rbegin(), ps.rend());
      std::vector<int64_t> indices;
      for (int i = n - 1; i >= 0; i--) {
        TORCH_CHECK(ps[i].requires_grad(), "parameter ", i, " does not require a gradient");
        indices.push_back(i);
      }
      std::vector<std::vector<size_t>> buckets;
      std::vector<size_t> limits;
      std::tie(buckets, limits) = c10d::compute_bucket_assignment_by_size(
          reversed, {(size_t)first_bucket_bytes, (size_t)bucket_bytes}, std::vector<bool>(), indices);
      for (const auto& b : buckets) {
        int64_t bytes = 0;
        for (size_t i : b) bytes += ps[i].numel() * (int64_t)ps[i].element_size();
        r->bucket_bytes.push_back(bytes);
      }
      r->reducer = make_reducer(*r->group, std::move(ps), std::move(buckets), std::move(limits), bucket_bytes, first_bucket_bytes);
    });
  }();
  return status == 0 ? r.release() : nullptr;
}

CVM_API void cvm_reducer_free(ReducerH r) { delete r; }

// The number of buckets; with sizes != nullptr, each bucket's bytes in the order they are reduced.
CVM_API int cvm_reducer_buckets(ReducerH r, int64_t* sizes) {
  if (sizes) std::copy(r->bucket_bytes.begin(), r->bucket_bytes.end(), sizes);
  return (int)r->bucket_bytes.size();
}

// Arms the hooks for the next backward pass, which must start from `output` (the loss): the
// gradients it computes are averaged over the ranks before it returns. Also times it: a hook on
// the output queues an engine callback that runs once every gradient is computed, before the
// reducer's own (queued when its last bucket is launched), and queues one more that runs after it
// (the two also bracket the reducer's callback with QuietUnusedFlagAdvice).
CVM_API int cvm_reducer_prepare(ReducerH r, TensorH output) {
  CVM_REDUCER_STATUS(*r, "GradientReducer", {
    std::shared_ptr<ReduceClock> clock = r->clock;
    clock->grads_done = -1;
    clock->reduced = -1;
    if (output->requires_grad()) {
      output->register_hook([clock](const at::Tensor&) {
        torch::autograd::Engine::get_default_engine().queue_callback([clock] {
          clock->grads_done = now_ns();
          quiet_begin();
          torch::autograd::Engine::get_default_engine().queue_callback([clock] {
            quiet_end();
            clock->reduced = now_ns();
          });
        });
      });
    }
    quiet_begin();
    try {
      r->reducer->prepare_for_backward({*output});
    } catch (...) {
      quiet_end();
      throw;
    }
    quiet_end();
  });
}

// Milliseconds from the end of the last armed backward's gradient computation to the end of its
// reduction (what the reduction added to the backward pass); -1 when none has finished.
CVM_API double cvm_reducer_wait_ms(ReducerH r) {
  int64_t a = r->clock->grads_done, b = r->clock->reduced;
  return a >= 0 && b >= a ? (b - a) / 1e6 : -1.0;
}
