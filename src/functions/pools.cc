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

std::optional<std::string_view> Pools::start_refusal(const FunctionConfig& cfg, int max_concurrency) const {
  int live = 0;
  if (auto it = pools_.find(cfg.name); it != pools_.end())
    live = static_cast<int>(std::count_if(it->second.begin(), it->second.end(), [](const auto& i) { return i->live(); }));
  if (cfg.reserved_concurrency && live >= *cfg.reserved_concurrency) return kReservedLimitExceeded;
  if (total_ >= max_concurrency) return kServerLimitExceeded;
  return std::nullopt;
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
