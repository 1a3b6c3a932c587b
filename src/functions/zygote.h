// Zygotes: pre-started interpreters that fork function instances (the SOCK
// paper's zygote), so a cold start skips interpreter start-up and the
// imports every instance would repeat. One per interpreter; nimbus talks to
// it over a SOCK_SEQPACKET socket pair (JSON messages, file descriptors
// beside them; the protocol is in runtimes/python/_nimbus_zygote.py). The
// zygote forks an instance only where that behaves exactly as a fresh
// process; otherwise it says so and the caller starts one plainly.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>

#include "base/result.h"
#include "functions/process.h"

namespace nimbus::functions {

class Zygote : public ForeignParent, public std::enable_shared_from_this<Zygote> {
 public:
  // Starts the zygote process (spec.control_fd and share_output are set here).
  static base::Result<std::shared_ptr<Zygote>> start(ProcessSpec spec);
  ~Zygote() override;
  Zygote(const Zygote&) = delete;
  Zygote& operator=(const Zygote&) = delete;

  // Forks an instance with spec's env, cwd and memory limit (program and args
  // are the zygote's). Errors: kUnavailable with the zygote's reason when
  // this instance must start plainly (or the zygote is still importing),
  // kIo when the zygote is broken (it is stopped; alive() turns false).
  base::Result<Process> fork(const ProcessSpec& spec, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ExitReport wait_exit(pid_t pid) override;

  bool ready() const;
  bool alive() const;
  pid_t pid() const;

  struct State;

 private:
  explicit Zygote(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace nimbus::functions
