// Pools and throttling: each function's instances, and whether an
// invocation may have one. A warm instance of the same definition is reused.
// Concurrency counts invocations in flight, as Lambda's does: a function at
// its reserved concurrency, or a server whose every instance is busy or
// provisioned, throttles (Lambda's TooManyRequestsException reasons). An idle
// instance never blocks an invocation: when a new instance would exceed the
// server's instance limit (or the function's reserved concurrency, which also
// bounds its processes), idle on-demand instances are reclaimed instead,
// least recently used first, of any function. Provisioned instances hold
// their capacity and are never reclaimed. Reserved concurrency 0 switches a
// function off, warm instances or not.
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
  // Whether a new instance of cfg may start: the throttling reason, or the
  // idle instances to stop first (possibly none) to make room for it.
  struct Admission {
    std::optional<std::string_view> refusal;
    std::vector<InstancePtr> reclaim;
  };
  Admission admit(const FunctionConfig& cfg, int max_concurrency) const;

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
