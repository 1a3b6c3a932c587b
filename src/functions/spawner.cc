#include "functions/spawner.h"

#include "functions/zygote_pool.h"

namespace nimbus::functions {

namespace {

class LocalSpawner : public ProcessSpawner {
 public:
  explicit LocalSpawner(const base::Clock& clock) : zygotes_(clock) {}

  base::Result<Process> start(const std::string& function, const Launch& launch, const ProcessSpec& spec) override {
    if (launch.zygote)
      if (auto forked = zygotes_.fork(function, *launch.zygote, spec)) return std::move(*forked);
    return spawn(spec);
  }
  void prepare(const Launch& launch) override {
    if (launch.zygote) zygotes_.get(*launch.zygote);
  }
  void kill(const Process& process) override { kill_group(process.pid); }
  ExitReport collect_exit(const Process& process) override { return functions::collect_exit(process); }
  uint64_t peak_memory_mb(const Process& process) override { return functions::peak_memory_mb(process.pid); }
  void shutdown() override { zygotes_.stop(); }

 private:
  ZygotePool zygotes_;
};

}  // namespace

std::shared_ptr<ProcessSpawner> make_local_spawner(const base::Clock& clock) {
  return std::make_shared<LocalSpawner>(clock);
}

}  // namespace nimbus::functions
