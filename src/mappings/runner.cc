#include "mappings/runner.h"

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

namespace nimbus::mappings {

namespace {

// What a poller runs by: a change to any of it restarts the poller. (Not
// LastModified, LastProcessingResult or the tags, which change nothing it does:
// a restart gives back the batch being gathered, and its messages' next
// receive counts again, towards the queue's maxReceiveCount.)
std::string running_form(const Mapping& m) {
  Mapping copy = m;
  copy.last_modified_ms = 0;
  copy.last_processing_result.clear();
  copy.tags.clear();
  return boost::json::serialize(to_json(copy));
}

}  // namespace

Runner::Runner(Store& store, sqs::Queues& queues, InvokeFunction invoke, PollerOptions options)
    : store_(store), queues_(queues), invoke_(std::move(invoke)), options_(std::move(options)) {}

Runner::~Runner() { stop(); }

void Runner::reconcile() {
  std::lock_guard l(mu_);
  if (stopped_) return;
  std::map<std::string, Mapping> wanted;
  for (auto& m : store_.list())
    if (m.enabled) wanted.emplace(m.uuid, std::move(m));
  for (auto it = pollers_.begin(); it != pollers_.end();) {
    auto w = wanted.find(it->first);
    if (w == wanted.end() || running_form(w->second) != running_form(it->second->mapping())) {
      it->second->stop();
      it = pollers_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [uuid, m] : wanted) {
    if (pollers_.count(uuid)) continue;
    auto filters = Filters::parse(m.filters);
    if (!filters) {  // checked when set; a stored pattern that no longer parses stops only its mapping
      spdlog::warn("[event source mapping {}] not started: {}", uuid, filters.error().message);
      continue;
    }
    pollers_[uuid] = std::make_unique<SqsPoller>(m, std::move(*filters), queues_, invoke_, options_);
  }
}

void Runner::stop() {
  std::lock_guard l(mu_);
  stopped_ = true;
  for (auto& [uuid, p] : pollers_) p->stop();
  pollers_.clear();
}

size_t Runner::running() const {
  std::lock_guard l(mu_);
  return pollers_.size();
}

}  // namespace nimbus::mappings
