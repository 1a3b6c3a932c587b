#include "functions/zygote_pool.h"

#include <spdlog/spdlog.h>

namespace nimbus::functions {

namespace {
constexpr int64_t kRestartHoldMs = 30'000;  // a zygote that broke is not restarted for this long
}  // namespace

void ZygotePool::failed(const std::string& program) { failed_at_ms_[program] = clock_.steady_ms(); }

std::shared_ptr<Zygote> ZygotePool::get(const ProcessSpec& zygote_spec) {
  const std::string& key = zygote_spec.program;
  if (auto it = zygotes_.find(key); it != zygotes_.end()) {
    if (it->second->alive()) return it->second;
    spdlog::warn("the zygote of {} has exited", key);
    zygotes_.erase(it);
    failed(key);
  }
  if (stopped_) return nullptr;
  // One that keeps dying is not restarted on every cold start.
  if (auto it = failed_at_ms_.find(key); it != failed_at_ms_.end() && clock_.steady_ms() - it->second < kRestartHoldMs)
    return nullptr;
  auto started = Zygote::start(zygote_spec);
  if (!started) {
    spdlog::warn("cannot start a zygote for {}: {}", key, started.error().message);
    failed(key);
    return nullptr;
  }
  return zygotes_[key] = *started;
}

std::optional<Process> ZygotePool::fork(const std::string& function, const ProcessSpec& zygote_spec,
                                        const ProcessSpec& spec) {
  auto zygote = get(zygote_spec);
  if (!zygote) return std::nullopt;
  auto forked = zygote->fork(spec);
  if (forked) return std::move(*forked);
  if (forked.error().code == base::ErrorCode::kUnavailable) {
    spdlog::debug("[{}] starting an instance plainly: {}", function, forked.error().message);
  } else {
    spdlog::warn("[{}] the zygote failed ({}): starting plainly", function, forked.error().message);
    zygotes_.erase(zygote_spec.program);
    failed(zygote_spec.program);
  }
  return std::nullopt;
}

void ZygotePool::stop() {
  stopped_ = true;
  zygotes_.clear();
}

}  // namespace nimbus::functions
