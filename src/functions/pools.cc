#include "functions/pools.h"

#include <algorithm>

#include "functions/instance.h"

namespace nimbus::functions {

std::optional<std::string_view> Pools::switched_off(const FunctionConfig& cfg) {
  if (cfg.reserved_concurrency == 0) return kReservedLimitExceeded;
  return std::nullopt;
}

Pools::InstancePtr Pools::warm(const FunctionConfig& cfg) const {
  auto it = pools_.find(cfg.name);
  if (it == pools_.end()) return nullptr;
  for (const auto& inst : it->second)
    if (inst->serves(cfg)) return inst;
  return nullptr;
}

namespace {
// Holds capacity: an invocation in flight, or an always-warm instance.
bool holds(const Instance& i) { return i.active || !i.provisioned_for.empty(); }
// A process that counts against the limits: not dead, and not already being stopped.
bool counts(const Instance& i) { return i.live() && !i.stopping; }
bool reclaimable(const Instance& i) { return counts(i) && !holds(i) && i.state == Instance::State::kIdle; }
}  // namespace

Pools::Admission Pools::admit(const FunctionConfig& cfg, int max_concurrency) const {
  Admission a;
  auto taken = [&](const InstancePtr& i) { return std::find(a.reclaim.begin(), a.reclaim.end(), i) != a.reclaim.end(); };
  // The least recently used idle instance among `pool`'s not chosen yet.
  auto lru = [&](const std::vector<InstancePtr>& pool, InstancePtr best) {
    for (const auto& i : pool)
      if (reclaimable(*i) && !taken(i) && (!best || i->last_used < best->last_used)) best = i;
    return best;
  };
  if (cfg.reserved_concurrency) {
    int in_flight = 0, processes = 0;
    if (auto it = pools_.find(cfg.name); it != pools_.end())
      for (const auto& i : it->second) {
        in_flight += i->active ? 1 : 0;
        processes += counts(*i) ? 1 : 0;
      }
    if (in_flight >= *cfg.reserved_concurrency) return {kReservedLimitExceeded, {}};
    // Idle instances of another version keep the function's processes at its reservation.
    if (processes >= *cfg.reserved_concurrency)
      if (auto v = lru(pools_.find(cfg.name)->second, nullptr)) a.reclaim.push_back(v);
  }
  int processes = 0;
  for (const auto& [name, pool] : pools_)
    for (const auto& i : pool) processes += counts(*i) && !taken(i) ? 1 : 0;
  if (processes >= max_concurrency) {
    InstancePtr victim;
    for (const auto& [name, pool] : pools_) victim = lru(pool, victim);
    if (!victim) return {kServerLimitExceeded, {}};
    a.reclaim.push_back(std::move(victim));
  }
  return a;
}

void Pools::add(InstancePtr inst) {
  pools_[inst->cfg.name].push_back(std::move(inst));
  ++total_;
}

void Pools::remove(const InstancePtr& inst) {
  auto it = pools_.find(inst->cfg.name);
  if (it == pools_.end()) return;
  auto before = it->second.size();
  std::erase(it->second, inst);
  if (it->second.size() != before) --total_;
  if (it->second.empty()) pools_.erase(it);
}

std::vector<Pools::InstancePtr> Pools::of(const std::string& function) const {
  auto it = pools_.find(function);
  return it == pools_.end() ? std::vector<InstancePtr>{} : it->second;
}

std::vector<Pools::InstancePtr> Pools::all() const {
  std::vector<InstancePtr> out;
  for (const auto& [name, pool] : pools_) out.insert(out.end(), pool.begin(), pool.end());
  return out;
}

void Pools::clear() {
  pools_.clear();
  total_ = 0;
}

std::vector<FunctionLoad> Pools::load() const {
  std::vector<FunctionLoad> out;
  for (const auto& [name, pool] : pools_) {
    FunctionLoad l{name};
    for (const auto& inst : pool) {
      if (inst->state == Instance::State::kStarting) ++l.starting;
      else if (inst->state == Instance::State::kIdle && !inst->active) ++l.idle;
      else if (inst->state != Instance::State::kDead) ++l.busy;
    }
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace nimbus::functions
