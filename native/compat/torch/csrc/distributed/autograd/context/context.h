// Stand-in for libtorch's torch/csrc/distributed/autograd/context/context.h, which Debian 12's
// libtorch-dev 1.13 does not ship although c10d/reducer.hpp includes it (the RPC framework's
// distributed autograd is left out of the package). reducer.hpp uses two names from it:
//   - DistAutogradContext::GradCallback, in a static_assert that it is std::function<bool(Tensor&)>;
//   - ContextPtr (std::shared_ptr<DistAutogradContext>), as the type of a member of Reducer, so the
//     class's size and layout are those of the real header (a shared_ptr of any type is two pointers).
// Nothing else of distributed autograd is declared or used. CMake adds this folder with -idirafter:
// a libtorch that ships the real header (PyTorch's, Debian trixie's 2.x) finds that one first.
#pragma once
#include <ATen/core/Tensor.h>
#include <functional>
#include <memory>

namespace torch {
namespace distributed {
namespace autograd {

class DistAutogradContext {
 public:
  using GradCallback = std::function<bool(at::Tensor&)>;
};

using ContextPtr = std::shared_ptr<DistAutogradContext>;

}  // namespace autograd
}  // namespace distributed
}  // namespace torch
