// Pools and throttling: each function's instances, and whether an
// invocation may have one. A warm instance of the same definition is reused;
// a new one starts only while the function is under its reserved
// concurrency and the server under its instance limit; beyond either the
// invocation is throttled (Lambda's TooManyRequestsException reasons).
// Reserved concurrency 0 switches a function off, warm instances or not.
//
// THREADING RULE: used on the invoker's strand only, except total(), which
// any thread may read (instance_count()).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "functions/invoker.h"
#include "functions/types.h"

namespace nimbus::functions {

struct Instance;

inline constexpr std::string_view kReservedLimitExceeded = "ReservedFunctionConcurrentInvocationLimitExceeded";
inline constexpr std::string_view kServerLimitExceeded = "ConcurrentInvocationLimitExceeded";

class Pools {
 public:
  using InstancePtr = std::shared_ptr<Instance>;

  // Why `cfg` may not run now at all, warm instance or not.
  static std::optional<std::string_view> switched_off(const FunctionConfig& cfg);
  // An idle instance that can take an invocation of cfg, or null.
  InstancePtr warm(const FunctionConfig& cfg) const;
  // Why no new instance of cfg may start (the throttling reason), or nullopt.
  std::optional<std::string_view> start_refusal(const FunctionConfig& cfg, int max_concurrency) const;

  void add(InstancePtr inst);
  void remove(const InstancePtr& inst);
  // A copy: callers may start or stop instances while they go through it.
  std::vector<InstancePtr> of(const std::string& function) const;
  std::vector<InstancePtr> all() const;
  void clear();
  int total() const { return total_; }
  std::vector<FunctionLoad> load() const;

 private:
  std::map<std::string, std::vector<InstancePtr>> pools_;
  std::atomic<int> total_{0};
};

}  // namespace nimbus::functions
