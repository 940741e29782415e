#include "mixlet/router/runtime.h"

namespace mixlet {
namespace {

std::atomic<uint64_t> next_runtime_id{1};

// The snapshot this thread used last, and for which runtime and generation.
struct ThreadSnapshot {
  uint64_t runtime_id = 0;
  uint64_t generation = 0;
  std::shared_ptr<const Router> router;
  int depth = 0;  // Runtime::Dispatch calls in progress on this thread.
};
thread_local ThreadSnapshot tls_snapshot;

}  // namespace

Runtime::Runtime(AdapterRegistry adapters, RuntimeOptions options)
    : id_(next_runtime_id.fetch_add(1)),
      adapters_(std::move(adapters)),
      options_(std::move(options)) {}

Runtime::~Runtime() = default;

ApplyResult Runtime::Apply(const ConfigResources& resources) {
  absl::MutexLock apply_lock(&apply_mu_);
  std::shared_ptr<const Router> previous = router();
  ApplyResult result;
  ConfigBuildResult built = BuildConfig(resources, adapters_, options_.config,
                                        previous != nullptr ? &previous->config() : nullptr);
  result.issues = std::move(built.issues);
  if (!built.ok()) return result;
  RouterBuildResult routed = Router::Build(built.config, options_.router, previous.get());
  result.issues.insert(result.issues.end(), routed.issues.begin(), routed.issues.end());
  if (!routed.ok()) return result;
  {
    absl::MutexLock lock(&mu_);
    current_ = std::move(routed.router);
    generation_.store(generation_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }
  result.applied = true;
  return result;
}

std::shared_ptr<const Router> Runtime::router() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

const std::shared_ptr<const Router>& Runtime::CurrentForThisThread() const {
  ThreadSnapshot& snap = tls_snapshot;
  const uint64_t generation = generation_.load(std::memory_order_acquire);
  if (snap.runtime_id != id_ || snap.generation != generation) {
    // Slow path, once per thread after each reload: copy the pointer under the lock. The
    // generation is re-read under the lock so that it always names the router cached with it.
    absl::MutexLock lock(&mu_);
    snap.runtime_id = id_;
    snap.generation = generation_.load(std::memory_order_relaxed);
    snap.router = current_;
  }
  return snap.router;
}

DispatchResult Runtime::Dispatch(const Bag& bag) const {
  // Hot path: no allocation, no string hashing; no lock unless a reload happened.
  ThreadSnapshot& snap = tls_snapshot;
  if (snap.depth > 0) {
    // Slow path: a handler dispatches from inside Handle. The outer call is still using the
    // cached snapshot, so leave the cache alone.
    std::shared_ptr<const Router> current = router();
    return current != nullptr ? current->Dispatch(bag) : DispatchResult();
  }
  const Router* router = CurrentForThisThread().get();
  if (router == nullptr) return DispatchResult();
  struct DepthScope {
    explicit DepthScope(int& d) : d(d) { ++d; }
    ~DepthScope() { --d; }
    int& d;
  } depth(snap.depth);
  return router->Dispatch(bag);
}

}  // namespace mixlet
