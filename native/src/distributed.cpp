// torch.distributed over libtorch's c10d: a TCPStore for rendezvous and small key/value exchange,
// a process group (Gloo on CPU; NCCL on a CUDA libtorch) and the collectives training needs.
//
// Handles: a store is a CvmStore*, a process group a std::shared_ptr<CvmGroup>* (shared so that
// the backward hook of an all-gather with gradients keeps its group alive until the graph is freed).
// Every collective waits for its work to finish; a failed, timed-out or broken collective (a peer
// that died closes its sockets) throws inside c10d and comes back as status 1 with a message that
// names the operation and the group.
//
// Libtorch 1.13 calls the backend base class c10d::ProcessGroup; from 2.0 on the backends derive
// from c10d::Backend (ProcessGroup became a dispatcher over them; distributed.h). The collective
// signatures are the same in both. USE_C10D_GLOO comes from libtorch's CMake target; NCCL needs a CUDA libtorch and
// nccl.h (CMake defines CVM_WITH_NCCL and USE_C10D_NCCL then).
#include "shim.h"
#include "distributed.h"
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#if defined(CVM_WITH_CUDA) && defined(CVM_WITH_NCCL)
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#include <cstdlib>
#include <memory>
#include <sstream>
#include <thread>

struct CvmStore {
  c10::intrusive_ptr<c10d::Store> store;
  std::string host;
  int groups_created = 0;  // each group gets its own key prefix in the store, in creation order
};

typedef CvmStore* StoreH;
typedef std::shared_ptr<CvmGroup>* GroupH;

// Reduce operations as C# numbers them: 0 Sum, 1 Avg, 2 Max, 3 Min.
static c10d::ReduceOp reduce_op(int op) {
  switch (op) {
    case 0:
    case 1: return c10d::ReduceOp::SUM;  // Avg is a sum divided by the world size (Gloo has no AVG)
    case 2: return c10d::ReduceOp::MAX;
    case 3: return c10d::ReduceOp::MIN;
    default: TORCH_CHECK(false, "unknown reduce operation ", op);
  }
}

// Runs a collective and returns 0, or 1 with "<Op> (<backend>, rank r of n) failed: <reason>".
#define CVM_GROUP_STATUS(group, op, ...)                                                     \
  try { cvm_sync_threads(); __VA_ARGS__; return 0; }                                         \
  catch (const c10::Error& e) { cvm_set_error((group_label(group, op) + e.what_without_backtrace()).c_str()); } \
  catch (const std::exception& e) { cvm_set_error((group_label(group, op) + e.what()).c_str()); } \
  catch (...) { cvm_set_error((group_label(group, op) + "unknown native exception").c_str()); } \
  return 1;

static bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// ---- TCPStore ----

// The server (rank 0's store) listens on host:port and waits until world_size ranks (itself
// included) have connected, else throws at the timeout; clients retry connecting until the
// timeout. Port 0 lets the server pick one.
CVM_API StoreH cvm_store_tcp_new(const char* host, int port, int world_size, bool is_server, int64_t timeout_ms) {
  std::string h = host ? host : "";
  try {
    TORCH_CHECK(!h.empty(), "TCPStore needs a host");
    TORCH_CHECK(port >= 0 && port <= 65535, "TCPStore port ", port, " is outside 0..65535");
    TORCH_CHECK(world_size >= 1, "TCPStore world size ", world_size, " must be at least 1");
    TORCH_CHECK(timeout_ms > 0, "TCPStore timeout must be positive");
    c10d::TCPStoreOptions opts;
    opts.port = (std::uint16_t)port;
    opts.isServer = is_server;
    opts.numWorkers = (std::size_t)world_size;
    // The wait for the other ranks is done here: libtorch 1.13's server stops waiting at the timeout
    // without an error (2.x throws), and every rank then fails later, at its first collective.
    opts.waitWorkers = false;
    opts.timeout = std::chrono::milliseconds(timeout_ms);
    auto s = std::make_unique<CvmStore>();
    s->store = c10::make_intrusive<c10d::TCPStore>(h, opts);
    s->host = h;
    const std::string joined_key = "cvmae_store/joined";
    s->store->add(joined_key, 1);
    if (is_server) {
      const auto start = std::chrono::steady_clock::now();
      for (int64_t joined = s->store->add(joined_key, 0); joined < world_size; joined = s->store->add(joined_key, 0)) {
        TORCH_CHECK(std::chrono::steady_clock::now() - start <= opts.timeout, "timed out after ", timeout_ms / 1000.0,
                    " s waiting for the other ranks to connect: ", joined, " of ", world_size, " joined");
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    return s.release();
  } catch (const std::exception& e) {
    const char* what = e.what();
    if (auto* ce = dynamic_cast<const c10::Error*>(&e)) what = ce->what_without_backtrace();
    std::ostringstream m;
    m << "TCPStore " << (is_server ? "server on " : "client of ") << h << ":" << port << ": " << what;
    cvm_set_error(m.str().c_str());
  } catch (...) {
    cvm_set_error("TCPStore: unknown native exception");
  }
  return nullptr;
}

CVM_API void cvm_store_free(StoreH s) { delete s; }

// The port the store listens on or connects to (the chosen one when created with port 0).
CVM_API int cvm_store_port(StoreH s) {
  auto* tcp = dynamic_cast<c10d::TCPStore*>(s->store.get());
  return tcp ? (int)tcp->getPort() : -1;
}

CVM_API int cvm_store_set(StoreH s, const char* key, const uint8_t* data, int64_t n) {
  CVM_RETURN_STATUS(s->store->set(std::string(key), std::vector<uint8_t>(data, data + n)));
}

// Waits (up to the store's timeout) for the key; the value stays valid until the next get on this thread.
CVM_API int cvm_store_get(StoreH s, const char* key, const uint8_t** data, int64_t* n) {
  static thread_local std::vector<uint8_t> value;
  CVM_RETURN_STATUS({
    value = s->store->get(std::string(key));
    *data = value.data();
    *n = (int64_t)value.size();
  });
}

// ---- process groups ----

#ifdef USE_C10D_GLOO
// The Gloo transport device: GLOO_SOCKET_IFNAME (comma-separated interfaces) as torch.distributed
// reads it; else the loopback address when the store is on this machine; else the address the
// host name resolves to (c10d's default device).
static std::vector<std::shared_ptr<::gloo::transport::Device>> gloo_devices(const std::string& store_host) {
  std::vector<std::shared_ptr<::gloo::transport::Device>> devices;
  const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
  if (ifname && *ifname) {
    std::stringstream names(ifname);
    std::string name;
    while (std::getline(names, name, ','))
      if (!name.empty()) devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(name));
  } else if (is_loopback(store_host)) {
    devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
  } else {
    devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  }
  return devices;
}
#endif

// backend: "gloo" or "nccl". Every rank must create its groups over a store in the same order.
CVM_API GroupH cvm_pg_new(const char* backend, StoreH store, int rank, int world_size, int64_t timeout_ms) {
  std::string name = backend ? backend : "";
  try {
    cvm_sync_threads();
    TORCH_CHECK(world_size >= 1, "world size ", world_size, " must be at least 1");
    TORCH_CHECK(rank >= 0 && rank < world_size, "rank ", rank, " is outside 0..", world_size - 1);
    TORCH_CHECK(timeout_ms > 0, "the timeout must be positive");
    auto timeout = std::chrono::milliseconds(timeout_ms);
    auto prefixed = c10::make_intrusive<c10d::PrefixStore>("cvmae_pg" + std::to_string(store->groups_created), store->store);
    auto g = std::make_shared<CvmGroup>();
    g->name = name;
    g->rank = rank;
    g->world = world_size;
    g->store = prefixed;
    if (name == "gloo") {
#ifdef USE_C10D_GLOO
      auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
      opts->devices = gloo_devices(store->host);
      g->backend = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, rank, world_size, opts);
#else
      TORCH_CHECK(false, "this libtorch was built without Gloo");
#endif
    } else if (name == "nccl") {
#if defined(CVM_WITH_CUDA) && defined(CVM_WITH_NCCL)
      // Blocking wait: a collective whose peer died throws from wait() after the timeout instead
      // of leaving the error to the watchdog thread (the newer and the older variable name).
      setenv("TORCH_NCCL_BLOCKING_WAIT", "1", 0);
      setenv("NCCL_BLOCKING_WAIT", "1", 0);
      auto opts = c10d::ProcessGroupNCCL::Options::create();
      opts->timeout = timeout;
      g->backend = c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed, rank, world_size, opts);
#else
      TORCH_CHECK(false, "NCCL needs the shim built against a CUDA libtorch with nccl.h (this build has no NCCL)");
#endif
    } else {
      TORCH_CHECK(false, "unknown backend '", name, "' (expected gloo or nccl)");
    }
    store->groups_created++;
    return new std::shared_ptr<CvmGroup>(g);
  } catch (const std::exception& e) {
    const char* what = e.what();
    if (auto* ce = dynamic_cast<const c10::Error*>(&e)) what = ce->what_without_backtrace();
    std::ostringstream m;
    m << "creating the " << name << " process group (rank " << rank << " of " << world_size << ") failed: " << what;
    cvm_set_error(m.str().c_str());
  } catch (...) {
    cvm_set_error("creating the process group failed: unknown native exception");
  }
  return nullptr;
}

CVM_API void cvm_pg_free(GroupH g) { delete g; }

// Not shape-checked (the per-tensor hot path): every rank must pass the same shape and dtype;
// AllReduceCoalesced, AllGather and Broadcast check it.
static void all_reduce(CvmGroup& g, at::Tensor& t, int op) {
  TORCH_CHECK(t.is_contiguous(), "the tensor must be contiguous (it is reduced in place)");
  TORCH_CHECK(op != 1 || at::isFloatingType(t.scalar_type()), "Avg needs a floating-point tensor, not ", t.scalar_type());
  std::vector<at::Tensor> ts{t};
  c10d::AllreduceOptions opts;
  opts.reduceOp = reduce_op(op);
  g.backend->allreduce(ts, opts)->wait();
  if (op == 1 && g.world > 1) t.div_(g.world);
}

static at::Tensor all_gather_unchecked(CvmGroup& g, const at::Tensor& in);

// Gathers every rank's dtype and shape (a small int64 all-gather) and throws, on every rank alike,
// when they differ: Gloo aborts the process on a size mismatch and NCCL reads out of bounds.
static void check_same_shapes(CvmGroup& g, at::IntArrayRef sizes, at::ScalarType dtype, at::Device device) {
  if (g.world == 1) return;
  constexpr int64_t kMaxDims = 16;
  TORCH_CHECK((int64_t)sizes.size() <= kMaxDims, "tensors of more than ", kMaxDims, " dimensions");
  at::Tensor mine = at::full({kMaxDims + 2}, -1, at::kLong);  // [dtype, ndim, sizes..., -1...]
  int64_t* m = mine.data_ptr<int64_t>();
  m[0] = (int64_t)dtype;
  m[1] = (int64_t)sizes.size();
  for (size_t i = 0; i < sizes.size(); i++) m[2 + i] = sizes[i];
  at::Tensor all = all_gather_unchecked(g, mine.unsqueeze(0).to(device)).cpu();  // [world, 2 + kMaxDims]
  if (all.eq(all[0]).all().item<bool>()) return;
  std::ostringstream why;
  why << "the ranks' tensors differ:";
  for (int r = 0; r < g.world; r++) {
    const int64_t* row = all[r].data_ptr<int64_t>();
    why << (r ? "," : "") << " rank " << r << " has " << (at::ScalarType)row[0] << " "
        << at::IntArrayRef(row + 2, (size_t)row[1]);
  }
  why << "; every rank must pass the same shape and dtype";
  TORCH_CHECK(false, why.str());
}

static at::Tensor all_gather(CvmGroup& g, const at::Tensor& local) {
  TORCH_CHECK(local.dim() >= 1, "all-gather needs a tensor with a batch dimension");
  check_same_shapes(g, local.sizes(), local.scalar_type(), local.device());
  return all_gather_unchecked(g, local);
}

static at::Tensor all_gather_unchecked(CvmGroup& g, const at::Tensor& local) {
  at::Tensor in = local.contiguous();
  std::vector<int64_t> shape = in.sizes().vec();
  int64_t b = shape[0];
  shape[0] = b * g.world;
  at::Tensor out = at::empty(shape, in.options());  // [world*B, ...]
  std::vector<std::vector<at::Tensor>> outs(1);
  for (int r = 0; r < g.world; r++) outs[0].push_back(out.narrow(0, r * b, b));  // rank r's [B, ...]
  std::vector<at::Tensor> ins{in};
  g.backend->allgather(outs, ins)->wait();
  return out;
}

CVM_API int cvm_pg_allreduce(GroupH gh, TensorH t, int op) {
  CvmGroup& g = **gh;
  CVM_GROUP_STATUS(g, "AllReduce", all_reduce(g, *t, op));
}

// One all-reduce over all tensors, flattened into one buffer (one bucket, reused across calls) and
// copied back; Avg divides by the world size while copying back (one pass).
CVM_API int cvm_pg_allreduce_coalesced(GroupH gh, const TensorH* ts, int n, int op) {
  CvmGroup& g = **gh;
  CVM_GROUP_STATUS(g, "AllReduceCoalesced", {
    if (n == 0) return 0;
    int64_t total = 0;
    for (int i = 0; i < n; i++) {
      TORCH_CHECK(ts[i]->scalar_type() == ts[0]->scalar_type() && ts[i]->device() == ts[0]->device(),
                  "tensor ", i, " is ", ts[i]->scalar_type(), " on ", ts[i]->device(), ", tensor 0 is ",
                  ts[0]->scalar_type(), " on ", ts[0]->device(), ": one bucket needs one dtype and device");
      total += ts[i]->numel();
    }
    TORCH_CHECK(op != 1 || at::isFloatingType(ts[0]->scalar_type()), "Avg needs floating-point tensors, not ",
                ts[0]->scalar_type());
    if (!g.bucket.defined() || g.bucket.numel() < total || g.bucket.scalar_type() != ts[0]->scalar_type() ||
        g.bucket.device() != ts[0]->device()) {
      g.bucket = at::Tensor();  // free the old one first
      g.bucket = at::empty({total}, at::TensorOptions().dtype(ts[0]->scalar_type()).device(ts[0]->device()));
    }
    at::Tensor bucket = g.bucket.narrow(0, 0, total);  // [sum of numels]
    int64_t offset = 0;
    for (int i = 0; i < n; i++) {
      int64_t k = ts[i]->numel();
      bucket.narrow(0, offset, k).view(ts[i]->sizes()).copy_(*ts[i]);
      offset += k;
    }
    check_same_shapes(g, bucket.sizes(), bucket.scalar_type(), bucket.device());
    all_reduce(g, bucket, op == 1 ? 0 : op);
    at::Tensor world = at::scalar_tensor((double)g.world, at::TensorOptions().dtype(bucket.scalar_type()));
    offset = 0;
    for (int i = 0; i < n; i++) {
      int64_t k = ts[i]->numel();
      at::Tensor part = bucket.narrow(0, offset, k).view(ts[i]->sizes());
      if (op == 1) at::div_out(*ts[i], part, world);
      else ts[i]->copy_(part);
      offset += k;
    }
  });
}

CVM_API TensorH cvm_pg_allgather(GroupH gh, TensorH t) {
  CvmGroup& g = **gh;
  TensorH result = nullptr;
  auto status = [&]() -> int { CVM_GROUP_STATUS(g, "AllGather", result = new at::Tensor(all_gather(g, t->detach()))); }();
  return status == 0 ? result : nullptr;
}

// All-gather that gradients flow through: forward [B, ...] -> [world*B, ...] in rank order, this
// rank's slice being `local` itself; backward all-reduces (sums) the gradient of the whole output
// and hands this rank the slice of its own rows, so each rank's rows get the gradient of every
// rank's loss (the GatherLayer of SimCLR and MoCo v3 under DDP). Every rank's loss must reach the
// output, or the others wait in backward until the timeout.
CVM_API TensorH cvm_pg_allgather_with_grad(GroupH gh, TensorH t) {
  CvmGroup& g = **gh;
  std::shared_ptr<CvmGroup> keep = *gh;
  TensorH result = nullptr;
  auto status = [&]() -> int {
    CVM_GROUP_STATUS(g, "AllGatherWithGrad", {
      const at::Tensor& local = *t;
      at::Tensor gathered = all_gather(g, local.detach());  // [world*B, ...]
      if (!local.requires_grad() || !at::GradMode::is_enabled() || g.world == 1) {
        result = new at::Tensor(g.world == 1 ? local.view(local.sizes()) : gathered);
        return 0;
      }
      int64_t b = local.size(0);
      std::vector<at::Tensor> parts;
      if (g.rank > 0) parts.push_back(gathered.narrow(0, 0, g.rank * b));
      parts.push_back(local);
      if (g.rank < g.world - 1) parts.push_back(gathered.narrow(0, (g.rank + 1) * b, (g.world - 1 - g.rank) * b));
      at::Tensor out = at::cat(parts, 0);  // [world*B, ...], differentiable in this rank's rows only
      out.register_hook([keep](const at::Tensor& grad) {
        at::Tensor summed = grad.contiguous().clone();  // [world*B, ...]
        try {
          all_reduce(*keep, summed, 0);
        } catch (const c10::Error& e) {
          TORCH_CHECK(false, group_label(*keep, "AllGatherWithGrad backward"), e.what_without_backtrace());
        } catch (const std::exception& e) {
          TORCH_CHECK(false, group_label(*keep, "AllGatherWithGrad backward"), e.what());
        }
        return summed;
      });
      result = new at::Tensor(out);
    });
  }();
  return status == 0 ? result : nullptr;
}

CVM_API int cvm_pg_broadcast(GroupH gh, TensorH t, int root) {
  CvmGroup& g = **gh;
  CVM_GROUP_STATUS(g, "Broadcast", {
    TORCH_CHECK(root >= 0 && root < g.world, "root ", root, " is outside 0..", g.world - 1);
    TORCH_CHECK(t->is_contiguous(), "the tensor must be contiguous (it is written in place)");
    check_same_shapes(g, t->sizes(), t->scalar_type(), t->device());
    std::vector<at::Tensor> ts{*t};
    c10d::BroadcastOptions opts;
    opts.rootRank = root;
    opts.rootTensor = 0;
    g.backend->broadcast(ts, opts)->wait();
  });
}

CVM_API int cvm_pg_barrier(GroupH gh) {
  CvmGroup& g = **gh;
  CVM_GROUP_STATUS(g, "Barrier", g.backend->barrier()->wait());
}

CVM_API bool cvm_distributed_has_backend(const char* backend) {
  std::string name = backend ? backend : "";
#ifdef USE_C10D_GLOO
  if (name == "gloo") return true;
#endif
#if defined(CVM_WITH_CUDA) && defined(CVM_WITH_NCCL)
  if (name == "nccl") return true;
#endif
  return false;
}
