// The seam between the invoker and the processes that run function
// instances. The invoker asks a ProcessSpawner to start, kill and collect an
// instance's process and never forks itself; make_local_spawner() is the real
// one (fork/exec, or a zygote's fork), unit tests pass fakes whose
// "processes" are in-process runtimes with pipes standing in for the output
// and exit descriptors.
//
// THREADING RULE: a spawner is used from the invoker's strand only (one
// caller at a time); it needs no locking of its own. Its calls return
// quickly: fork/exec, or a zygote's fork (its answer takes milliseconds and
// is bounded by a timeout), the one short wait the strand allows itself.
#pragma once

#include <memory>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "functions/process.h"
#include "functions/runtimes.h"

namespace nimbus::functions {

class ProcessSpawner {
 public:
  virtual ~ProcessSpawner() = default;
  // Starts an instance of `function` as `launch` says (its zygote may fork
  // it), with spec's program, arguments, environment, directory and memory
  // limit. The Process's output is non-blocking; its pidfd becomes readable
  // once it has exited.
  virtual base::Result<Process> start(const std::string& function, const Launch& launch, const ProcessSpec& spec) = 0;
  // Gets ready ahead of a first start what `launch` needs (its zygote).
  virtual void prepare(const Launch& launch) = 0;
  // Kills the process and everything it started.
  virtual void kill(const Process& process) = 0;
  // How it ended, once its pidfd has become readable (called once).
  virtual ExitReport collect_exit(const Process& process) = 0;
  // Its peak resident memory so far, in MiB.
  virtual uint64_t peak_memory_mb(const Process& process) = 0;
  // Lets go of helpers (zygotes): nimbus is stopping. Instances already
  // started are not touched.
  virtual void shutdown() = 0;
};

// Real processes: spawn() (process.h), or a fork from the interpreter's
// zygote when the launch has one (zygote_pool.h says when).
std::shared_ptr<ProcessSpawner> make_local_spawner(const base::Clock& clock = base::system_clock());

}  // namespace nimbus::functions
