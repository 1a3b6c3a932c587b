// Starting and watching function processes: each in its own session (so the
// whole process group can be killed), stdout and stderr on one pipe, memory
// capped with RLIMIT_DATA, and a pidfd that becomes readable when it exits.
// A process may also have been forked by a zygote (zygote.h): then the zygote
// reaps it and reports how it ended.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/file.h"
#include "base/result.h"

namespace nimbus::functions {

struct ProcessSpec {
  std::string program;
  std::vector<std::string> args;  // after argv[0] (the program)
  std::vector<std::string> env;  // "NAME=value"
  std::string cwd;
  uint64_t memory_limit_bytes = 0;  // 0: no limit
  int control_fd = -1;              // >= 0: passed to the child as its fd 3
  bool share_output = false;        // the child writes to nimbus's stdout/stderr (no pipe)
};

struct ExitReport {
  int wait_status = -1;  // -1: unknown
  uint64_t peak_memory_mb = 0;
};

// The parent of a process nimbus did not fork itself.
class ForeignParent {
 public:
  virtual ~ForeignParent() = default;
  // How `pid` ended, once its pidfd has become readable.
  virtual ExitReport wait_exit(pid_t pid) = 0;
};

struct Process {
  pid_t pid = -1;
  base::Fd output;  // read end of the stdout+stderr pipe (non-blocking)
  base::Fd pidfd;   // readable once the process has exited
  std::shared_ptr<ForeignParent> parent;  // null: nimbus's own child
};

base::Result<Process> spawn(const ProcessSpec& spec);
// How an exited process ended: reaped here, or reported by its parent.
ExitReport collect_exit(const Process& process);
void kill_group(pid_t pid);
// Reaps an exited process: its wait status, or -1.
int reap(pid_t pid);
// "exit status 7", "signal: aborted", as Lambda words Runtime.ExitError.
std::string describe_exit(int wait_status);
bool killed_by_signal(int wait_status);
// Peak resident memory in MiB (VmHWM), while the process is alive or a zombie.
uint64_t peak_memory_mb(pid_t pid);

}  // namespace nimbus::functions
