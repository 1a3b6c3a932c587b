// The provisioned-concurrency loop: keeps `count` warm instances of a
// version or alias, started ahead of any invocation (their init is not
// reported as a cold start), kept past the keep-alive, replaced when they
// die (after a pause, so a crash-looping one cannot spin), and given up
// when the definition they run changes (they finish as on-demand ones).
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "functions/invoker_impl.h"

namespace nimbus::functions {

void Invoker::Impl::reconcile(const std::string& function, const std::string& qualifier) {
  if (stopping) return;
  auto want_it = provisioned.find({function, qualifier});
  int want = want_it == provisioned.end() ? 0 : want_it->second;
  auto cfg = registry.resolve(function, qualifier);
  std::vector<std::shared_ptr<Instance>> mine;
  for (auto& inst : pools.of(function))
    if (inst->provisioned_for == qualifier && inst->live() && !inst->retired) {
      if (cfg && inst->cfg.revision_id == cfg->revision_id && inst->cfg.version == cfg->version) mine.push_back(inst);
      else inst->provisioned_for.clear();  // stale: an on-demand instance now, stopped when idle
    }
  for (size_t i = static_cast<size_t>(std::max(want, 0)); i < mine.size(); ++i) {
    mine[i]->provisioned_for.clear();
    if (!mine[i]->active) stop(mine[i]);
  }
  if (!cfg) return;
  for (int i = static_cast<int>(mine.size()); i < want; ++i) {
    auto inst = start(*cfg);
    if (!inst) {
      spdlog::warn("[{}] cannot start a provisioned instance: {}", function, inst.error().message);
      return;
    }
    (*inst)->provisioned_for = qualifier;
    (*inst)->init_reported = true;  // its init happened ahead of any invocation, as in Lambda
  }
}

void Invoker::provision(const std::string& function, const std::string& qualifier, int count) {
  boost::asio::post(impl_->strand, [impl = impl_, function, qualifier, count] {
    if (count > 0) impl->provisioned[{function, qualifier}] = count;
    else impl->provisioned.erase({function, qualifier});
    impl->reconcile(function, qualifier);
  });
}

}  // namespace nimbus::functions
