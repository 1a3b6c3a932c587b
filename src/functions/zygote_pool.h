// Zygote policy: which zygote forks an instance, and what happens when one
// fails. One zygote per interpreter (the launch's zygote program), started
// on first need; one that died or failed to start is not started again for
// 30 s, so a broken interpreter cannot cost every cold start a failed
// attempt. When a zygote cannot fork an instance the caller starts it
// plainly (zygote.h says when that is).
//
// THREADING RULE: not thread-safe; owned by one spawner, used from the
// invoker's strand only.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "functions/process.h"
#include "functions/zygote.h"

namespace nimbus::functions {

class ZygotePool {
 public:
  explicit ZygotePool(const base::Clock& clock) : clock_(clock) {}
  // The running zygote started with zygote_spec, starting it if allowed;
  // null when there is none to use right now.
  std::shared_ptr<Zygote> get(const ProcessSpec& zygote_spec);
  // An instance forked by that zygote, or nullopt: start it plainly. A
  // broken zygote is dropped (and held back from restarting).
  std::optional<Process> fork(const std::string& function, const ProcessSpec& zygote_spec, const ProcessSpec& spec);
  // Drops every zygote; each goes once the last instance it forked is gone.
  // None is started afterwards.
  void stop();

 private:
  void failed(const std::string& program);

  const base::Clock& clock_;
  bool stopped_ = false;
  std::map<std::string, std::shared_ptr<Zygote>> zygotes_;  // by interpreter
  std::map<std::string, int64_t> failed_at_ms_;             // when one last broke (steady clock)
};

}  // namespace nimbus::functions
